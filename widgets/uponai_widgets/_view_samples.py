"""Pure helpers for the clone widget: sizes, durations and the chosen-samples list.

Nothing here imports ipywidgets, so these functions are cheap to import and easy to test.
"""

from __future__ import annotations

import html
import io
import wave
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The largest websocket message a default Jupyter server (tornado) accepts.
DEFAULT_WEBSOCKET_CEILING = 10 * 1024 * 1024

#: Shown when Clone voice is clicked and no sample reached the kernel.
EMPTY_SELECTION_HINT = (
    "No audio samples reached the kernel. Choose one or more audio files first. "
    "If you did choose files, a default Jupyter server silently drops a selection larger "
    "than 10 MiB in total (tornado's websocket_max_message_size), so the files never arrive. "
    "Start JupyterLab with a higher limit, for example "
    "--ServerApp.tornado_settings='{\"websocket_max_message_size\": 1073741824}' "
    "--ServerApp.max_buffer_size=1073741824, or JUPYTER_CONFIG_PATH pointing at this "
    "project's jupyter/ folder, or pick fewer/smaller files at a time."
)

# Enough of a WAV file to hold its header chunks; the sample frames are never decoded.
_WAV_HEADER_PREFIX = 1024 * 1024


@dataclass(frozen=True)
class SampleInfo:
    """What the widget shows about one chosen sample."""

    name: str
    size: int
    mime: str
    duration: float | None


def format_size(size: int) -> str:
    """Format a byte count for people: ``512 B``, ``1.5 KiB``, ``50.0 MiB``."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def format_duration(seconds: float | None) -> str:
    """Format a duration as ``m:ss.s``; unknown durations as an em dash."""
    if seconds is None:
        return "\u2014"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def wav_duration(data: bytes | bytearray | memoryview) -> float | None:
    """Return the duration in seconds of a PCM WAV held in ``data``, or None if not decodable.

    Only the first megabyte is read (through a memoryview slice copied once), so a 200 MB
    sample costs no more than a small one.
    """
    view = memoryview(data)
    if view.nbytes < 12 or bytes(view[:4]) != b"RIFF" or bytes(view[8:12]) != b"WAVE":
        return None
    try:
        with wave.open(io.BytesIO(bytes(view[:_WAV_HEADER_PREFIX])), "rb") as reader:
            rate = reader.getframerate()
            frames = reader.getnframes()
            if rate <= 0:
                return None
            # A truncated header may claim more data than the file holds; trust the file size.
            frame_size = reader.getnchannels() * reader.getsampwidth()
    except (wave.Error, EOFError, ValueError):
        return None
    if frame_size > 0:
        frames = min(frames, max(0, view.nbytes - 44) // frame_size)
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


def total_size(samples: Iterable[SampleInfo]) -> int:
    """Sum of the sizes of ``samples``."""
    return sum(sample.size for sample in samples)


def samples_html(samples: list[SampleInfo], caption: str = "") -> str:
    """Render samples as an HTML table (escaped) under an optional caption; a hint when empty."""
    if not samples:
        return '<div class="uponai-samples-empty"><em>No samples chosen yet.</em></div>'
    head = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    rows = "".join(
        "<tr>"
        f"<td>{html.escape(sample.name)}</td>"
        f'<td style="text-align:right">{html.escape(format_size(sample.size))}</td>'
        f'<td style="text-align:right">{html.escape(format_duration(sample.duration))}</td>'
        "</tr>"
        for sample in samples
    )
    total = total_size(samples)
    return (
        f'<table class="uponai-samples-table">{head}'
        "<thead><tr><th>Sample</th><th>Size</th><th>Duration</th></tr></thead>"
        f"<tbody>{rows}</tbody>"
        f"<tfoot><tr><td>{len(samples)} file(s)</td>"
        f'<td style="text-align:right">{html.escape(format_size(total))}</td><td></td></tr>'
        "</tfoot></table>"
    )


def problems_html(lines: list[str]) -> str:
    """Render validation problems (already readable strings) as an escaped HTML list."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f'<div style="color:#b00020"><strong>Please fix before cloning:</strong><ul>{items}</ul></div>'


def error_html(message: str, title: str = "Clone failed:") -> str:
    """Render a readable error message (escaped) under a bold title for the error area."""
    return (
        f'<div style="color:#b00020"><strong>{html.escape(title)}</strong> '
        f"{html.escape(message)}</div>"
    )


def redact(message: str, secrets: Iterable[str | None]) -> str:
    """Replace every non-empty secret occurring in ``message`` with ``[redacted]``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            message = message.replace(secret, "[redacted]")
    return message
