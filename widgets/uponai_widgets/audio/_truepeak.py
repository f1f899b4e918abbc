"""True peaks (ITU-R BS.1770-4 Annex 2): the signal's peaks between its samples, by 4x
oversampling.

A waveform reconstructed from its samples can swing above the largest sample (by up to about
3 dB for content near a quarter of the sample rate), so a file whose samples stay under -1 dBFS
can still clip a converter or a lossy encoder. `TickTruePeaks` interpolates three points
between every two samples with a 48-tap windowed-sinc filter split into four 12-tap phases (the
Annex's structure; the coefficients are designed here: a Kaiser window, beta 5, each phase
normalised to unit gain at DC) and gives the largest interpolated magnitude of each tick of
samples. To stay cheap it interpolates only the ticks whose sample peak is within
`CANDIDATE_DB` of the ceiling asked about; the others cannot reach it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["CANDIDATE_DB", "CONTEXT", "OVERSAMPLE", "TickTruePeaks", "interpolation_phases"]

OVERSAMPLE = 4
TAPS_PER_PHASE = 12
CANDIDATE_DB = 6.0  # a tick whose sample peak is further under the ceiling cannot reach it
_HALF = TAPS_PER_PHASE // 2
_BETA = 5.0
CONTEXT = _HALF  # samples before a block that its first tick's interpolation reads

Floats = npt.NDArray[np.float32]


def interpolation_phases() -> npt.NDArray[np.float32]:
    """The weights (4, 12) that interpolate at 0, 1/4, 2/4 and 3/4 of the way from the 6th to
    the 7th of 12 consecutive samples: a Kaiser-windowed sinc, each phase with unit DC gain."""
    distance = (
        np.arange(TAPS_PER_PHASE)[None, :]
        - (_HALF - 1)
        - np.arange(OVERSAMPLE)[:, None] / OVERSAMPLE
    )
    window = np.i0(_BETA * np.sqrt(np.clip(1 - (distance / _HALF) ** 2, 0, None))) / np.i0(_BETA)
    weights = np.sinc(distance) * window
    return np.asarray(weights / weights.sum(axis=1, keepdims=True), dtype=np.float32)


class TickTruePeaks:
    """Per tick of consecutive blocks: the larger of the sample peak and the true peak."""

    def __init__(self, tick: int) -> None:
        self._tick = tick
        self._phases = interpolation_phases()

    def peaks(
        self,
        x: Floats,
        sample_peaks: npt.NDArray[np.float64],
        ceiling: float,
        before: Floats,
    ) -> npt.NDArray[np.float64]:
        """`sample_peaks` (one per tick of `x`, a whole number of ticks) raised to the true peak
        where a tick's samples come within `CANDIDATE_DB` of `ceiling`; `before` holds the
        samples just before `x` (up to `CONTEXT` of them)."""
        tick = self._tick
        result = sample_peaks.copy()
        pad = np.zeros((CONTEXT - len(before), x.shape[1]), np.float32)
        extended = np.concatenate([pad, before, x])
        candidates = np.flatnonzero(sample_peaks > ceiling * 10 ** (-CANDIDATE_DB / 20))
        if not len(candidates):
            return result
        # Each candidate tick with the samples its interpolation needs on either side (the
        # right side past the block's end repeats the last sample: those ticks are re-read
        # with their true right neighbours when the limiter holds them back).
        offsets = np.arange(-_HALF + 1, tick + _HALF)
        index = candidates[:, None] * tick + _HALF + offsets[None, :]
        np.clip(index, 0, len(extended) - 1, out=index)
        segments = extended[index]  # (ticks, tick + 2 * HALF - 1, channels)
        windows = sliding_window_view(segments, TAPS_PER_PHASE, axis=1)
        between = windows @ self._phases[1:].T  # (ticks, tick, channels, 3)
        true_peak = np.abs(between).max(axis=(1, 2, 3))
        result[candidates] = np.maximum(result[candidates], true_peak)
        return result
