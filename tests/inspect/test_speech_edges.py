"""The ends of each run of speech at the background are taken off, and nothing else."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from uponai_widgets.audio._vad import (
    _LEVEL_OFFSET_DB,
    EDGE_MARGIN_DB,
    MIN_BACKGROUND_FRAMES,
    without_quiet_edges,
)

NOISE_DB = -61  # KLettres' recordings: noise at -61 dBFS, letters peaking at -11 to -24


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def encoded(levels_db: list[int]) -> bytes:
    return bytes(level + _LEVEL_OFFSET_DB for level in levels_db)


def letter(tail_frames: int) -> tuple[list[int], list[int]]:
    """A second of background, a 10-frame letter at -20 dBFS, then `tail_frames` of
    webrtcvad's hangover over the background: (flags, levels in dBFS)."""
    flags = [0] * 33 + [1] * (10 + tail_frames) + [0] * 10
    levels = [NOISE_DB] * 33 + [-20] * 10 + [NOISE_DB + 1] * tail_frames + [NOISE_DB] * 10
    return flags, levels


def test_the_hangover_at_the_background_is_not_speech() -> None:
    flags, levels = letter(tail_frames=3)
    kept = np.frombuffer(without_quiet_edges(bytes(flags), encoded(levels)), np.uint8)
    assert runs(kept) == [(33, 43)]  # the letter, without its three frames of noise


def test_without_a_clear_background_the_runs_stay_whole() -> None:
    flags, levels = letter(tail_frames=3)
    too_little = bytes(flags[20:])  # 13 frames of background: not enough to trust
    assert without_quiet_edges(too_little, encoded(levels[20:])) == too_little
    close = [level if level == -20 else -40 for level in levels]  # 20 dB under the speech
    assert without_quiet_edges(bytes(flags), encoded(close)) == bytes(flags)


@given(
    st.lists(st.booleans(), min_size=MIN_BACKGROUND_FRAMES, max_size=300),
    st.lists(st.integers(-100, 0), min_size=300, max_size=300),
)
def test_only_the_ends_of_runs_are_taken_and_only_near_the_background(
    speech: list[bool], levels: list[int]
) -> None:
    flags = np.array(speech, np.uint8)
    level = np.array(levels[: len(flags)], np.float32)
    kept = np.frombuffer(without_quiet_edges(flags.tobytes(), encoded(levels)), np.uint8)
    assert len(kept) == len(flags)
    assert not (kept & ~flags).any()  # nothing becomes speech
    background = (flags == 0) & (level >= -90)
    for start, end in runs(flags):
        inside = np.flatnonzero(kept[start:end])
        if len(inside):  # what is kept of a run is one piece of it
            assert inside[-1] - inside[0] + 1 == len(inside)
        taken = np.flatnonzero(flags[start:end] & ~kept[start:end]) + start
        if len(taken):
            floor = np.percentile(level[background], 10)
            assert (level[taken] < floor + EDGE_MARGIN_DB).all()
