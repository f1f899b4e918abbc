"""Where a prepared sample starts, ends and is cut: trimming and splitting at pauses.

Everything here works on the speech timeline (one flag per 30 ms) and a 10 ms energy track,
both measured in the first streaming pass, so no audio is held. Times are in seconds.

- Trimming keeps `MARGIN_S` of the recording before the first and after the last speech.
- Splitting (`max_segment_s`) cuts in a pause (at least `PAUSE_S` without speech) whose middle
  lies in the second half of the allowed length, the longest such pause; failing that in the
  latest pause; and a stretch with no pause at all is cut at its quietest 10 ms within the last
  10 s before the limit. No part is left shorter than `MIN_PART_S`. Each part is then trimmed
  to its own speech, with the same margin.
"""

from __future__ import annotations

from array import array

import numpy as np
import numpy.typing as npt

from ._timeline import SpeechTimeline

__all__ = ["MARGIN_S", "QuietTrack", "plan_segments"]

MARGIN_S = 0.25
PAUSE_S = 0.25
MIN_PART_S = 1.0
SEARCH_S = 10.0  # without a pause, the quietest 10 ms within this much before the limit
TICK_S = 0.01


class QuietTrack:
    """Mean square per 10 ms of the first channel of consecutive blocks: 400 bytes a second."""

    def __init__(self, sample_rate: int) -> None:
        self._tick = max(1, round(sample_rate * TICK_S))
        self._rate = sample_rate
        self._carry = np.zeros((0, 1), np.float32)
        self._energy = array("f")

    def feed(self, block: npt.NDArray[np.float32]) -> None:
        """Add the next block (it may be a reused buffer)."""
        mono = block if block.shape[1] == 1 else block[:, :1]
        data = np.concatenate([self._carry, mono]) if len(self._carry) else mono
        count = len(data) // self._tick
        if count:
            ticks = data[: count * self._tick, 0].reshape(count, self._tick)
            self._energy.extend(np.einsum("ij,ij->i", ticks, ticks).astype(np.float32).tolist())
        self._carry = data[count * self._tick :].copy()

    def quietest(self, start_s: float, end_s: float) -> float:
        """The middle of the quietest 10 ms tick within [start_s, end_s]."""
        first = max(0, int(start_s / TICK_S))
        last = min(len(self._energy), int(end_s / TICK_S))
        if last <= first:
            return (start_s + end_s) / 2
        energy = np.frombuffer(self._energy, np.float32)[first:last]
        # The latest of equally quiet ticks keeps the part as long as allowed.
        index = len(energy) - 1 - int(np.argmin(energy[::-1]))
        return (first + index + 0.5) * self._tick / self._rate


def _cut(
    start: float,
    end: float,
    limit_s: float,
    pauses: list[tuple[float, float]],
    quiet: QuietTrack,
) -> tuple[float, str]:
    """Where the part beginning at `start` ends, and how the cut was chosen."""
    lo, hi = start + MIN_PART_S, min(start + limit_s, end - MIN_PART_S)
    inside = [(b - a, (a + b) / 2) for a, b in pauses if lo <= (a + b) / 2 <= hi]
    late = [item for item in inside if item[1] >= start + limit_s / 2]
    if late:
        return max(late)[1], "pause"
    if inside:
        return max(inside, key=lambda item: item[1])[1], "pause"
    return quiet.quietest(max(lo, hi - SEARCH_S), hi), "quiet"


def _tighten(timeline: SpeechTimeline, start: float, end: float) -> tuple[float, float]:
    """[start, end] narrowed to its speech plus the margin (unchanged without speech)."""
    step = timeline.frame_s
    first = timeline.flags.find(1, int(start / step), int(end / step) + 1)
    last = timeline.flags.rfind(1, int(start / step), int(end / step) + 1)
    if first < 0:
        return start, end
    return max(start, first * step - MARGIN_S), min(end, (last + 1) * step + MARGIN_S)


def plan_segments(
    timeline: SpeechTimeline,
    duration_s: float,
    quiet: QuietTrack,
    *,
    trim: bool,
    max_segment_s: float | None,
) -> tuple[list[tuple[float, float]], int]:
    """The parts to write as (start, end) seconds, and how many cuts fell outside a pause.

    The timeline must hold speech (`timeline.span()` is not None).
    """
    span = timeline.span()
    assert span is not None
    start, end = (0.0, duration_s)
    if trim:
        start, end = max(0.0, span[0] - MARGIN_S), min(duration_s, span[1] + MARGIN_S)
    if max_segment_s is None or end - start <= max_segment_s:
        return [(start, end)], 0
    pauses = timeline.pauses(PAUSE_S)
    parts: list[tuple[float, float]] = []
    forced = 0
    position = start
    while end - position > max_segment_s:
        cut, how = _cut(position, end, max_segment_s, pauses, quiet)
        forced += how == "quiet"
        parts.append((position, cut))
        position = cut
    parts.append((position, end))
    if trim:
        parts = [_tighten(timeline, a, b) for a, b in parts]
    return parts, forced
