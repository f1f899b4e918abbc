"""`make screenshots` keeps working: the README's pictures are made from the current code.

The script's function runs end to end (sandbox, JupyterLab, headless Chromium, the real widget)
into a temporary folder: it writes the three pictures as valid PNGs of a readable size, each
after its coherence check ran on the state the picture shows and found nothing wrong. When a
check finds something, the run fails saying what, and writes no picture at all.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from uponai_devtools.coherence import (
    CloneShown,
    Expected,
    PrepareShown,
    WidgetState,
    coherence_problems,
)
from uponai_devtools.screenshots import SHOTS, IncoherentScreen, make_screenshots

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Bytes per pixel of 8-bit PNGs by colour type (grey, RGB, palette, grey+alpha, RGBA).
BYTES_PER_PIXEL = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG whose chunks' CRCs hold and whose pixels decompress in full."""
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), f"{path.name} is not a PNG"
    at, chunks, pixels = len(PNG_SIGNATURE), [], b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"{path.name}: bad CRC in {kind!r}"
        chunks.append(kind)
        if kind == b"IDAT":
            pixels += body
        at += 12 + length
    assert chunks[0] == b"IHDR", chunks
    assert chunks[-1] == b"IEND", chunks
    ihdr = data[len(PNG_SIGNATURE) + 8 : len(PNG_SIGNATURE) + 8 + 13]
    width, height, depth, colour = struct.unpack(">IIBB", ihdr[:10])
    assert depth == 8
    row = 1 + width * BYTES_PER_PIXEL[colour]  # each row starts with its filter byte
    assert len(zlib.decompress(pixels)) == height * row
    return width, height


def test_make_screenshots_writes_three_checked_coherent_pictures(tmp_path: Path) -> None:
    checked: list[tuple[WidgetState, Expected, list[str]]] = []

    def recording_check(state: WidgetState, expected: Expected) -> list[str]:
        problems = coherence_problems(state, expected)
        checked.append((state, expected, problems))
        return problems

    out = tmp_path / "screenshots"
    shots = make_screenshots(out, tmp_path / "work", check=recording_check)

    assert sorted(p.name for p in out.iterdir()) == sorted(SHOTS)
    assert [shot.path for shot in shots] == [out / name for name in SHOTS]
    for shot in shots:
        width, height = png_size(shot.path)
        assert 900 <= width <= 2400, (shot.path.name, width)
        assert 900 <= height <= 4000, (shot.path.name, height)
        assert 30_000 < shot.path.stat().st_size < 3_000_000, shot.path.name

    # One check per picture, on the very state the picture shows, and none found a problem.
    assert [(state, expected) for state, expected, _ in checked] == [
        (shot.state, shot.expected) for shot in shots
    ]
    assert [problems for *_, problems in checked] == [[], [], []]
    light, dark, prepare = shots
    for shot, is_dark in ((light, False), (dark, True)):
        assert isinstance(shot.expected.shows, CloneShown)
        assert len(shot.expected.shows.sample_names) == 3
        assert shot.state.dark is is_dark
        assert shot.state.card_ids == (shot.expected.shows.voice_id,)
        assert "from 3 samples" in shot.state.status
        assert shot.state.upload.endswith(f"/ {shot.expected.shows.total_text}")
    assert isinstance(prepare.expected.shows, PrepareShown)
    assert prepare.state.prepare_on
    assert len(prepare.state.rows) == 2
    for row in prepare.state.rows:
        assert row.badges == ("good",)
        assert any(change.startswith("trimmed") for change in row.prep_changes)
        assert row.prep_figures == 2
    assert prepare.state.overall_badges == ("good",)


def test_make_screenshots_writes_nothing_when_a_check_finds_a_problem(tmp_path: Path) -> None:
    def finds_a_stale_card(state: WidgetState, expected: Expected) -> list[str]:
        return ["a voice card of another clone is shown", *coherence_problems(state, expected)]

    out = tmp_path / "screenshots"
    with pytest.raises(IncoherentScreen) as raised:
        make_screenshots(out, tmp_path / "work", check=finds_a_stale_card)
    assert "clone-light.png not written" in str(raised.value)
    assert "a voice card of another clone is shown" in str(raised.value)
    assert not out.exists() or list(out.iterdir()) == []
