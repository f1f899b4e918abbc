"""What preparing changed, in words: trimming, loudness, limiting, downmix, resampling, splits."""

from __future__ import annotations

from .._validation import Limits
from ._gain import MAX_LIMIT_DB, Part
from ._inspect import SampleReport
from ._options import Options
from ._passes import Written

__all__ = ["describe"]


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def describe(
    before: SampleReport,
    parts: list[Part],
    written: list[Written],
    opts: Options,
    forced: int,
    file_limit: Limits | None = None,
) -> list[str]:
    """What changed, in words; `file_limit` when the parts were cut to fit the per-file limit."""
    changes: list[str] = []
    duration = before.duration_s or 0.0
    head, tail = parts[0].start_s, duration - parts[-1].end_s
    if head >= 0.05:
        changes.append(f"trimmed {_seconds(head)} of silence at the start")
    if tail >= 0.05:
        changes.append(f"trimmed {_seconds(tail)} of silence at the end")
    if opts.target_lufs is not None:
        for index, (part, out) in enumerate(zip(parts, written, strict=True)):
            where = f"part {index + 1}: " if len(parts) > 1 else ""
            change = out.loudness - part.loudness
            verb = "raised" if change >= 0 else "lowered"
            line = f"{where}{verb} loudness by {abs(change):.1f} dB to {out.loudness:.1f} LUFS"
            if part.limited:
                line += (
                    f", short of {opts.target_lufs:.1f} LUFS: more would need over "
                    f"{MAX_LIMIT_DB:.0f} dB of peak limiting"
                )
            if out.limited_db >= 0.05:
                line += (
                    f"; peaks limited by up to {out.limited_db:.1f} dB to stay under "
                    f"{opts.peak_dbfs:.1f} dBFS"
                )
            changes.append(line)
    elif any(out.limited_db >= 0.05 for out in written):
        worst = max(out.limited_db for out in written)
        changes.append(
            f"peaks limited by up to {worst:.1f} dB to stay under {opts.peak_dbfs:.1f} dBFS"
        )
    if opts.mono and (before.channels or 1) > 1:
        changes.append(f"mixed {before.channels} channels down to mono")
    if opts.sample_rate and opts.sample_rate != before.sample_rate:
        changes.append(f"resampled from {before.sample_rate} Hz to {opts.sample_rate} Hz")
    if len(parts) > 1:
        lengths = [part.end_s - part.start_s for part in parts]
        line = f"split at pauses into {len(parts)} parts of {min(lengths):.1f}-{max(lengths):.1f} s"
        if forced:
            line += f" ({forced} cut(s) at the quietest 10 ms: no pause within the limit)"
        if file_limit is not None:
            line += (
                f", each under the API's {file_limit.max_file_bytes / 2**20:.0f} MiB per-file limit"
            )
        changes.append(line)
    changes.append("written as 16-bit FLAC (lossless, about half the size of WAV)")
    return changes
