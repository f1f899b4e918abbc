"""The two streaming passes of `prepare_sample`, the gain of each part and what changed.

`Measure` is fed the first pass's blocks (as they will be written: downmixed, resampled) for
the loudness per 100 ms step, the peaks and the 10 ms energy track; `plan_gain` turns those
into each part's gain; `write_parts` is the second pass, routing the conditioned audio into one
`PartWriter` per part; `describe` words the changes. `Run` carries progress and cancellation.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from .._samples import SampleReader
from .._validation import Limits
from ._decode import decode, import_numpy
from ._inspect import SampleReport
from ._loudness import STEP_S, LoudnessMeter
from ._options import Options
from ._split import QuietTrack
from ._timeline import SpeechTimeline
from ._writer import OUTPUT_FORMAT, Conditioner, PartWriter

__all__ = [
    "MAX_LIMIT_DB",
    "CancelToken",
    "Measure",
    "Part",
    "PreparationCancelled",
    "Progress",
    "Run",
    "Written",
    "describe",
    "output_names",
    "plan_gain",
    "write_parts",
]

MAX_LIMIT_DB = 6.0  # the limiter may turn the highest peaks down by this much, no more

Progress = Callable[[float], None]


class CancelToken(Protocol):
    """Anything with `is_set()`, such as a `threading.Event`."""

    def is_set(self) -> bool: ...


class PreparationCancelled(Exception):
    """`cancel` was set while preparing; no file of this sample was left behind."""


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


@dataclass(frozen=True, slots=True)
class Part:
    start_s: float
    end_s: float
    gain_db: float
    loudness: float  # LUFS before the gain
    limited: bool  # the peak ceiling stopped the gain short of the target


class Measure:
    """The first pass's extra figures, on the audio as it will be written."""

    def __init__(
        self, np: Any, rate: int, channels: int, layout: str | None, opts: Options
    ) -> None:
        out_rate = opts.sample_rate or rate
        self.conditioner = Conditioner(
            np, rate, channels, mono=opts.mono, out_rate=out_rate, layout=layout
        )
        self.meter = LoudnessMeter(np, out_rate, self.conditioner.channels, self.conditioner.layout)
        self.quiet = QuietTrack(np, out_rate)

    def feed(self, block: Any) -> None:
        self._add(self.conditioner.process(block))

    def _add(self, out: Any) -> None:
        if len(out):
            self.meter.feed(out)
            self.quiet.feed(out)

    def finish(self) -> None:
        self._add(self.conditioner.finish())


def plan_gain(meter: LoudnessMeter, start_s: float, end_s: float, opts: Options) -> Part:
    first, last = int(start_s / STEP_S), math.ceil(end_s / STEP_S)
    loudness = meter.integrated(first, last)
    peak = meter.peak(first, last if last < meter.steps else None)
    if opts.target_lufs is None:
        return Part(start_s, end_s, 0.0, loudness, False)
    wanted = opts.target_lufs - loudness
    room = opts.peak_dbfs - 20 * math.log10(peak) + MAX_LIMIT_DB if peak > 0 else wanted
    return Part(start_s, end_s, min(wanted, room), loudness, room < wanted)


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    loudness: float  # LUFS as written
    limited_db: float  # the limiter's deepest reduction
    report: SampleReport  # `inspect_sample` of the file, measured while writing it


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


class Run:
    """One preparation: progress, cancellation and the files written so far."""

    def __init__(self, progress: Progress | None, cancel: CancelToken | None) -> None:
        self._progress = progress
        self._cancel = cancel
        self.writers: list[PartWriter] = []

    def step(self, reader: SampleReader, start: float, share: float) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise PreparationCancelled("preparation cancelled")
        if self._progress is not None and reader.size:
            self._progress(min(1.0, start + share * reader.tell() / reader.size))

    def report(self, fraction: float) -> None:
        if self._progress is not None:
            self._progress(fraction)


def output_names(stem: str, count: int, used: set[str]) -> list[str]:
    """Output file names for `count` parts, none of them in `used` (other samples' names)."""
    for attempt in range(1, 1000):
        base = stem if attempt == 1 else f"{stem}-{attempt}"
        names = (
            [f"{base}.prepared.{OUTPUT_FORMAT[0]}"]
            if count == 1
            else [f"{base}.prepared-{index + 1:02d}.{OUTPUT_FORMAT[0]}" for index in range(count)]
        )
        if not used.intersection(names):
            return names
    raise RuntimeError("no free output name")  # pragma: no cover - 999 samples of one name


def write_parts(
    reader: SampleReader,
    fmt: str,
    timeline: SpeechTimeline,
    parts: list[Part],
    opts: Options,
    folder: Path,
    names: list[str],
    run: Run,
) -> list[Written]:
    np = import_numpy()
    reader.seek(0)
    # a SampleReader is a binary file
    rate, channels, layout, blocks = decode(cast(Any, reader), fmt)
    out_rate = opts.sample_rate or rate
    conditioner = Conditioner(np, rate, channels, mono=opts.mono, out_rate=out_rate, layout=layout)
    bounds = [(round(p.start_s * out_rate), round(p.end_s * out_rate)) for p in parts]
    ceiling = 10 ** (opts.peak_dbfs / 20)
    position, current = 0, 0
    writer: PartWriter | None = None

    def route(out: Any) -> None:
        nonlocal position, current, writer
        offset = 0
        while offset < len(out) and current < len(parts):
            begin, end = bounds[current]
            at = position + offset
            if at < begin:
                offset = min(len(out), offset + begin - at)
                continue
            if writer is None:
                gain = 10 ** (parts[current].gain_db / 20)
                path = folder / names[current]
                part = parts[current]
                speech = timeline.part(part.start_s, part.end_s)
                writer = PartWriter(
                    np,
                    path,
                    out_rate,
                    conditioner.channels,
                    gain,
                    ceiling,
                    speech,
                    conditioner.layout,
                )
                run.writers.append(writer)
            take = min(len(out) - offset, end - at)
            writer.write(out[offset : offset + take])
            offset += take
            if position + offset >= end:
                writer.commit()
                writer, current = None, current + 1
        position += len(out)

    with contextlib.closing(blocks):
        for block in blocks:
            run.step(reader, 0.5, 0.35)
            route(conditioner.process(block))
        route(conditioner.finish())
    if writer is not None:  # the decoder gave slightly fewer frames than measured
        writer.commit()
    return [
        Written(
            w.path,
            w.meter.integrated(),
            w.limited_db,
            w.analysis.report(w.path.name, OUTPUT_FORMAT[0])[0],
        )
        for w in run.writers
    ]
