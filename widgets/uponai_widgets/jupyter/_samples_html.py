"""Pure helpers for the clone widget: sizes, durations and the chosen-samples list.

Nothing here imports ipywidgets, so these functions are cheap to import and easy to test.
"""

from __future__ import annotations

import html
import io
import wave
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def count_text(count: int, noun: str) -> str:
    """``1 sample``, ``2 samples``: a count with its noun in the right number."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


#: Shown when Clone voice is clicked and no sample reached the kernel.
EMPTY_SELECTION_HINT = (
    "No audio samples in the kernel yet. Choose audio files (or drop them on the picker) and "
    "wait until each one is listed as in the kernel; files of any size work."
)

#: The sample list's text while it is empty (the same before and after a clone).
EMPTY_LIST_TEXT = "No samples chosen yet. " + EMPTY_SELECTION_HINT.split(". ", 1)[1]

# Enough of a WAV file to hold its header chunks; the sample frames are never decoded.
_WAV_HEADER_PREFIX = 1024 * 1024


@dataclass(frozen=True)
class SampleInfo:
    """What the widget shows about one chosen sample."""

    name: str
    size: int
    mime: str
    duration: float | None


def wav_duration(head: bytes | bytearray | memoryview, size: int | None = None) -> float | None:
    """Duration in seconds of a PCM WAV from its first bytes ``head``, or None if not decodable.

    ``size`` is the whole file's size (default: ``head`` is the whole file); a header that claims
    more frames than the file holds is trusted only as far as the size goes. At most the first
    megabyte of ``head`` is read (through a memoryview slice copied once), so a 200 MB sample
    costs no more than a small one.
    """
    view = memoryview(head).cast("B")
    if view.nbytes < 12 or bytes(view[:4]) != b"RIFF" or bytes(view[8:12]) != b"WAVE":
        return None
    try:
        with wave.open(io.BytesIO(bytes(view[:_WAV_HEADER_PREFIX])), "rb") as reader:
            rate = reader.getframerate()
            frames = reader.getnframes()
            frame_size = reader.getnchannels() * reader.getsampwidth()
    except (wave.Error, EOFError, ValueError):
        return None
    if rate <= 0:
        return None
    file_size = view.nbytes if size is None else size
    if frame_size > 0:
        frames = min(frames, max(0, file_size - 44) // frame_size)
    return frames / rate


def _entry_bytes(entry: Mapping[str, Any]) -> memoryview | None:
    content = entry.get("content")
    if isinstance(content, bytes | bytearray | memoryview):
        return memoryview(content)
    return None


def describe_upload_entry(entry: Mapping[str, Any]) -> SampleInfo:
    """Describe one ipywidgets ``FileUpload`` value entry (a dict with name/type/size/content)."""
    content = _entry_bytes(entry)
    size = entry.get("size")
    if not isinstance(size, int):
        size = content.nbytes if content is not None else 0
    name = str(entry.get("name") or "unnamed")
    mime = str(entry.get("type") or "")
    duration = wav_duration(content) if content is not None else None
    return SampleInfo(name=name, size=size, mime=mime, duration=duration)


def describe_file(name: str, path: Path, size: int, mime: str = "") -> SampleInfo:
    """Describe a sample stored on disk; only the first megabyte is read (for a WAV duration)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_WAV_HEADER_PREFIX)
    except OSError:
        head = b""
    duration = wav_duration(head, size) if head else None
    return SampleInfo(name=name, size=size, mime=mime, duration=duration)


def total_size(samples: Iterable[SampleInfo]) -> int:
    """Sum of the sizes of ``samples``."""
    return sum(sample.size for sample in samples)


def problems_html(lines: list[str]) -> str:
    """Render validation problems (already readable strings) as an escaped HTML list."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return (
        '<div class="uponai-problems" role="alert"><strong>Please fix before cloning:</strong>'
        f"<ul>{items}</ul></div>"
    )


def error_html(message: str, title: str = "Clone failed:") -> str:
    """Render a readable error message (escaped) under a bold title for the error area."""
    return (
        f'<div class="uponai-problems" role="alert"><strong>{html.escape(title)}</strong> '
        f"{html.escape(message)}</div>"
    )
