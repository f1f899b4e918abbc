"""Silence judged against the recording itself: its speech level and its noise floor.

An absolute threshold calls quiet speech silence (a voice at -50 LUFS sits below -45 dBFS most
of the time) and calls a hiss at -44 dBFS sound. `SilenceTrack` instead keeps the mean square
of every 50 ms window of the high-passed mono signal (4 bytes per window: 288 KB an hour) and,
at the end, sets the threshold from two levels of the recording: its speech level (the
`SPEECH_PERCENTILE`th percentile of the windows) and its noise floor (the
`FLOOR_PERCENTILE`th). A window is silent when it is under

    min(max(floor + FLOOR_MARGIN_DB, speech - SPEECH_RANGE_DB), speech - MIN_DEPTH_DB)

or under `ALWAYS_SILENT_DBFS` (nothing is heard there whatever the recording): pauses and
background are silence, a quiet voice is not, and noise as loud as the voice is not silence
either (it is noise; the speech detector says there is no voice in it).
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["WINDOW_S", "SilenceFigures", "SilenceTrack"]

WINDOW_S = 0.05
SPEECH_PERCENTILE = 98.0
FLOOR_PERCENTILE = 10.0
FLOOR_MARGIN_DB = 10.0  # a window this far over the floor is more than background
SPEECH_RANGE_DB = 40.0  # speech's quietest sounds lie within this much of its loud ones
MIN_DEPTH_DB = 25.0  # silence is at least this far under the speech level
ALWAYS_SILENT_DBFS = -90.0
_TINY = 1e-20


@dataclass(frozen=True, slots=True)
class SilenceFigures:
    """The silent share, the silence at each end, and the threshold used (dBFS)."""

    ratio: float
    leading_s: float
    trailing_s: float
    threshold_dbfs: float


class SilenceTrack:
    """Mean square per 50 ms window of consecutive mono blocks; judged at the end."""

    def __init__(self, sample_rate: int) -> None:
        self._rate = sample_rate
        self._window = max(1, round(sample_rate * WINDOW_S))
        self._carry = np.zeros(0, np.float32)
        self._energy = array("f")
        self._last_frames = 0  # frames in the final, partial window

    def feed(self, mono: npt.NDArray[np.float32]) -> None:
        """Add the next mono block (1-D float32)."""
        data = np.concatenate([self._carry, mono]) if len(self._carry) else mono
        count = len(data) // self._window
        if count:
            windows = data[: count * self._window].reshape(count, self._window)
            mean_square = np.einsum("ij,ij->i", windows, windows) / self._window
            self._energy.extend(mean_square.astype(np.float32).tolist())
        self._carry = data[count * self._window :].copy()

    def finish(self) -> SilenceFigures:
        """The figures for everything fed (call once, at the end)."""
        lengths_last = len(self._carry)
        if lengths_last:
            self._energy.append(float(np.mean(np.square(self._carry, dtype=np.float64))))
        energy = np.frombuffer(self._energy, np.float32).astype(np.float64)
        if not len(energy):
            return SilenceFigures(0.0, 0.0, 0.0, ALWAYS_SILENT_DBFS)
        lengths = np.full(len(energy), self._window)
        if lengths_last:
            lengths[-1] = lengths_last
        levels = 10 * np.log10(energy + _TINY)
        speech = float(np.percentile(levels, SPEECH_PERCENTILE))
        floor = float(np.percentile(levels, FLOOR_PERCENTILE))
        threshold = min(
            max(floor + FLOOR_MARGIN_DB, speech - SPEECH_RANGE_DB), speech - MIN_DEPTH_DB
        )
        threshold = max(threshold, ALWAYS_SILENT_DBFS)
        silent = levels < threshold
        frames = int(lengths.sum())
        loud = np.flatnonzero(~silent)
        if not len(loud):
            leading = trailing = frames
        else:
            leading = int(lengths[: loud[0]].sum())
            trailing = int(lengths[loud[-1] + 1 :].sum())
        return SilenceFigures(
            ratio=float(lengths[silent].sum()) / frames,
            leading_s=leading / self._rate,
            trailing_s=trailing / self._rate,
            threshold_dbfs=round(threshold, 1) if math.isfinite(threshold) else ALWAYS_SILENT_DBFS,
        )
