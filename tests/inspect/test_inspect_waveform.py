"""Waveform pictures: well-formed SVG and PNG that follow the envelope, no plotting library."""

from __future__ import annotations

import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import numpy as np
import pytest
from support.signals import silence, tone, write

from uponai_widgets.audio._inspect import inspect_sample
from uponai_widgets.audio._waveform import pixel_columns, waveform_png, waveform_svg

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def half_loud(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 s of silence, 2 s of a 0.5 tone, 2 s clipped (amplitude 1.5 cut at full scale)."""
    signal = np.concatenate(
        [silence(2.0), tone(2.0, amplitude=0.5), np.clip(tone(2.0, amplitude=1.5), -1, 1)]
    )
    return write(tmp_path_factory.mktemp("wave") / "thirds.wav", signal)


def segments(path_d: str) -> list[tuple[int, int, int]]:
    """(x, top, bottom) of each "Mx.5 yVy" vertical line."""
    out = []
    for part in path_d.split("M")[1:]:
        x, rest = part.split(" ")
        top, bottom = rest.split("V")
        out.append((int(float(x)), int(top), int(bottom)))
    return out


def test_svg_draws_one_line_per_column_and_clipping_in_red(half_loud: Path) -> None:
    report = inspect_sample(half_loud)
    svg = waveform_svg(report, width=300, height=61)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("class") == "uponai-waveform"
    assert (root.get("width"), root.get("height")) == ("300", "61")
    assert "thirds.wav" in (root.get("aria-label") or "")
    paths = root.findall(f"{SVG}path")
    normal = segments(paths[1].get("d") or "")
    clipped = segments(paths[2].get("d") or "")
    assert paths[2].get("stroke") == "#d9480f"
    assert len(normal) + len(clipped) == 300
    assert {x for x, _, _ in clipped} == set(range(200, 300))
    heights = {x: bottom - top for x, top, bottom in normal + clipped}
    assert max(heights[x] for x in range(0, 100)) <= 2  # silence: a hairline
    assert all(28 <= heights[x] <= 33 for x in range(105, 195))  # 0.5 of the 60 px range
    assert all(heights[x] >= 60 for x in range(205, 300))  # full scale


def test_svg_of_a_bad_sample_is_a_midline_with_the_reason() -> None:
    svg = waveform_svg(b"not audio at all", width=120, height=20, color="#333")
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}path")) == 1
    assert "not audio" in (root.get("aria-label") or "")


def _png_pixels(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body)
        chunks[kind] = body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 6)
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, -1)
    assert (raw[:, 0] == 0).all()  # filter type "none" on every row
    return raw[:, 1:].reshape(height, width, 4)


def test_png_matches_the_envelope(half_loud: Path) -> None:
    pixels = _png_pixels(waveform_png(half_loud, width=90, height=41, color=(10, 20, 30)))
    assert pixels.shape == (41, 90, 4)
    alpha = pixels[:, :, 3]
    drawn = (alpha == 255).sum(axis=0)
    assert drawn[:30].max() <= 2
    assert 19 <= drawn[35:55].min() <= drawn[35:55].max() <= 23
    assert drawn[62:].min() == 41
    assert tuple(pixels[0, 80, :3]) == (217, 72, 15)  # clipped columns in red
    assert tuple(pixels[20, 45, :3]) == (10, 20, 30)
    assert alpha[0, 10] == 0  # transparent background


def test_pixel_columns_merge_or_repeat() -> None:
    env = ((-0.1, 0.1), (-0.5, 0.2), (-0.3, 0.9), (0.0, 0.0))
    assert pixel_columns(env, 2) == [(-0.5, 0.2), (-0.3, 0.9)]
    assert pixel_columns(env, 8)[::2] == list(env)
    assert pixel_columns((), 10) == []


def test_bad_sizes_are_refused(half_loud: Path) -> None:
    report = inspect_sample(half_loud)
    with pytest.raises(ValueError, match="width"):
        waveform_svg(report, width=0)
    with pytest.raises(ValueError, match="color"):
        waveform_png(report, color=(300, 0, 0))


def test_drawing_a_report_needs_neither_numpy_nor_a_plotting_library(half_loud: Path) -> None:
    report = inspect_sample(half_loud)
    fields = {k: v for k, v in report.to_dict().items() if k != "reasons"}
    code = (
        "import sys\n"
        "from uponai_widgets.audio._inspect import SampleReport\n"
        "from uponai_widgets.audio._waveform import waveform_png, waveform_svg\n"
        f"report = SampleReport(**{fields!r}, reasons=(), envelope={report.envelope!r})\n"
        "assert waveform_svg(report).count('V') > 400 and waveform_png(report)\n"
        "print(','.join(m for m in ('numpy', 'matplotlib', 'PIL') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
