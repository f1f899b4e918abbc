"""Small waveform pictures from a `SampleReport`'s min/max envelope: SVG text or PNG bytes.

No plotting library and no numpy: the envelope (at most 1024 columns, computed in the same
streaming pass as the figures) is resampled to one min/max pair per pixel column. The SVG uses
`currentColor`, so it follows the notebook theme, and draws clipped columns in red.
"""

from __future__ import annotations

import html
import math
import struct
import zlib

from ._figures import CLIP_LEVEL
from ._inspect import SampleReport, inspect_sample

__all__ = ["waveform_png", "waveform_svg"]

CLIP_COLOR = "#d9480f"
_CLIP_RGB = (217, 72, 15)


def _report(source: object) -> SampleReport:
    return source if isinstance(source, SampleReport) else inspect_sample(source)


def _check_size(width: int, height: int) -> None:
    if not (isinstance(width, int) and isinstance(height, int)) or width < 1 or height < 3:
        raise ValueError(f"width must be >= 1 and height >= 3 pixels, got {width}x{height}")


def pixel_columns(
    envelope: tuple[tuple[float, float], ...], width: int
) -> list[tuple[float, float]]:
    """One (min, max) per pixel column: merged when the envelope is wider, repeated if narrower."""
    count = len(envelope)
    if not count:
        return []
    columns = []
    for x in range(width):
        start = x * count // width
        end = max(start + 1, (x + 1) * count // width)
        part = envelope[start:end]
        columns.append((min(lo for lo, _ in part), max(hi for _, hi in part)))
    return columns


def _span(lo: float, hi: float, height: int) -> tuple[int, int]:
    """Top and bottom pixel rows (inclusive) covering [lo, hi]; at least one row."""
    half = (height - 1) / 2
    top = math.floor(half - min(1.0, max(-1.0, hi)) * half)
    bottom = math.ceil(half - min(1.0, max(-1.0, lo)) * half)
    return top, max(top, bottom)


def _clipped(lo: float, hi: float) -> bool:
    return hi >= CLIP_LEVEL or lo <= -CLIP_LEVEL


def _label(report: SampleReport) -> str:
    if report.duration_s is None:
        return f"{report.name}: no waveform ({report.reasons[0] if report.reasons else 'bad'})"
    return f"Waveform of {report.name}, {report.duration_s:.1f} s, verdict {report.verdict}"


def waveform_svg(
    source: object, *, width: int = 480, height: int = 64, color: str = "currentColor"
) -> str:
    """An SVG picture of `source` (a `SampleReport`, or any sample, which is inspected first).

    One vertical line per pixel column from the column's minimum to its maximum, crisp at any
    zoom; clipped columns in red; a flat midline for a sample without a waveform. Display it
    with ``ipywidgets.HTML(value=svg)`` or ``IPython.display.SVG``.
    """
    _check_size(width, height)
    report = _report(source)
    mid = (height - 1) // 2
    normal: list[str] = []
    clipped: list[str] = []
    for x, (lo, hi) in enumerate(pixel_columns(report.envelope, width)):
        top, bottom = _span(lo, hi, height)
        (clipped if _clipped(lo, hi) else normal).append(f"M{x}.5 {top}V{bottom + 1}")
    label = html.escape(_label(report), quote=True)
    paint = html.escape(color, quote=True)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="uponai-waveform" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        'shape-rendering="crispEdges">',
        f"<title>{label}</title>",
        f'<path d="M0 {mid}.5H{width}" stroke="{paint}" stroke-opacity="0.35" fill="none"/>',
    ]
    for lines, stroke in ((normal, paint), (clipped, CLIP_COLOR)):
        if lines:
            parts.append(f'<path d="{"".join(lines)}" stroke="{stroke}" fill="none"/>')
    parts.append("</svg>")
    return "".join(parts)


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def waveform_png(
    source: object,
    *,
    width: int = 480,
    height: int = 64,
    color: tuple[int, int, int] = (37, 99, 235),
) -> bytes:
    """A PNG (RGBA, transparent background) of `source`, for ``ipywidgets.Image(value=png)``.

    The same picture as `waveform_svg`; for a sharp result on high-density screens, ask for
    twice the displayed size and set the widget's width in CSS pixels.
    """
    _check_size(width, height)
    if len(color) != 3 or not all(isinstance(c, int) and 0 <= c <= 255 for c in color):
        raise ValueError(f"color must be an (r, g, b) tuple of 0-255 integers, got {color!r}")
    report = _report(source)
    rows = [bytearray(4 * width) for _ in range(height)]
    mid = (height - 1) // 2
    for x in range(width):
        rows[mid][4 * x : 4 * x + 4] = bytes((*color, 90))
    for x, (lo, hi) in enumerate(pixel_columns(report.envelope, width)):
        top, bottom = _span(lo, hi, height)
        pixel = bytes((*(_CLIP_RGB if _clipped(lo, hi) else color), 255))
        for y in range(top, bottom + 1):
            rows[y][4 * x : 4 * x + 4] = pixel
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )
