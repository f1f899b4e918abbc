"""Independent measurements of audio files by Debian's ffmpeg and sox (the Makefile installs both).

- `ebur128(path)`: ffmpeg's BS.1770 meter with its true-peak measurement (`ebur128=peak=true`):
  integrated loudness (LUFS) and true peak (dBTP).
- `silences(path, noise_db, min_s)`: ffmpeg's `silencedetect` spans, (start, end) in seconds.
- `sox_stats(path)`: sox's `stats` figures by name ("Pk lev dB", "RMS lev dB", "Length s"...).
- `ffprobe_stream(path)`: the first audio stream as ffprobe sees it (codec, rate, layout...).
- `ffmpeg(*args)`: run ffmpeg quietly (to write awkward inputs).

Tests call `require_tools()` first (`tests/support/generated_audio.py`), which skips them with
the reason when a tool is missing; the detector benchmark uses these too.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

__all__ = [
    "ebur128",
    "ffmpeg",
    "ffprobe_stream",
    "silences",
    "sox",
    "sox_stats",
]


def _run(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=timeout)


def ffmpeg(*args: str | Path) -> None:
    """Run ffmpeg with `args` (overwriting outputs, no banner); raises on failure."""
    _run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *map(str, args)])


def sox(*args: str | Path) -> None:
    """Run sox with `args`; raises on failure."""
    _run(["sox", *map(str, args)])


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP) by ffmpeg's `ebur128=peak=true`."""
    meter = ["-af", "ebur128=peak=true", "-f", "null", "-"]
    done = _run(["ffmpeg", "-hide_banner", "-nostats", "-nostdin", "-i", str(path), *meter])
    summary = done.stderr[done.stderr.rindex("Summary:") :]
    loudness = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert loudness is not None, summary
    assert peak is not None, summary
    return float(loudness.group(1)), float(peak.group(1))


def silences(path: Path, noise_db: float, min_s: float) -> list[tuple[float, float]]:
    """The silent spans ffmpeg's `silencedetect` finds (a trailing one ends at the file's end)."""
    detect = ["-af", f"silencedetect=n={noise_db}dB:d={min_s}", "-f", "null", "-"]
    done = _run(["ffmpeg", "-hide_banner", "-nostats", "-nostdin", "-i", str(path), *detect])
    starts = [float(v) for v in re.findall(r"silence_start: (-?[\d.e+-]+)", done.stderr)]
    ends = [float(v) for v in re.findall(r"silence_end: (-?[\d.e+-]+)", done.stderr)]
    if len(ends) < len(starts):
        ends.append(float(ffprobe_stream(path)["duration"]))
    return list(zip(starts, ends, strict=True))


def sox_stats(path: Path) -> dict[str, float]:
    """sox's `stats` over all channels together (the "Overall" column), by name."""
    done = _run(["sox", str(path), "-n", "stats"])
    figures: dict[str, float] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"^([A-Za-z][A-Za-z .]*?)\s{2,}(-?[\d.]+|-inf)(?:\s|$)", line)
        if match:
            figures[match.group(1).strip()] = float(match.group(2))
    return figures


def ffprobe_stream(path: Path) -> dict[str, str]:
    """The first audio stream's fields as ffprobe reports them (all values as text)."""
    show = ["-show_streams", "-show_format", "-of", "json", str(path)]
    done = _run(["ffprobe", "-v", "error", "-select_streams", "a:0", *show])
    data = json.loads(done.stdout)
    stream = {key: str(value) for key, value in data["streams"][0].items()}
    stream.setdefault("duration", str(data["format"].get("duration", "0")))
    return stream
