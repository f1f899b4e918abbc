"""Integrated loudness after ITU-R BS.1770-4, measured in one streaming pass.

pyloudnorm needs the whole signal in memory (about 420 MiB for ten minutes of 44.1 kHz stereo),
so `LoudnessMeter` does the same arithmetic block by block: the two K-weighting biquads (a high
shelf of about +4 dB above 1.5 kHz and a 38 Hz high-pass, designed for the actual sample rate)
run with their filter state carried from one block to the next; the weighted mean square of each
channel is summed per 100 ms step. Gating blocks are 400 ms long with 75 % overlap, i.e. four
consecutive steps, so the steps are all that is kept (40 bytes a second per channel: 1.4 MB for
an hour of stereo). `integrated(start, end)` then applies the absolute gate at -70 LUFS and the
relative gate at -10 LU to the blocks inside any range of steps, so a trimmed part or each
segment of a split recording gets its own figure without another pass. The peak of each step is
kept too, for the peak ceiling. The filtering is `_iir`'s (numpy, no scipy).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ._iir import SectionCascade
from ._layout import loudness_weights

__all__ = ["STEP_S", "LoudnessMeter"]

Block = npt.NDArray[np.float32]

STEP_S = 0.1  # gating blocks overlap by 75 %: a 400 ms block every 100 ms
BLOCK_STEPS = 4
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
_OFFSET = -0.691  # the constant in L = -0.691 + 10 log10(sum G_i z_i)
SILENT_LUFS = -120.0  # what `integrated` gives when every block is gated away


def k_weighting(sample_rate: int) -> list[list[float]]:
    """The K-weighting filter as two second-order sections (b0, b1, b2, 1, a1, a2).

    The analogue prototypes (shelf at 1681.97 Hz, gain 4.0 dB, Q 0.7072; high-pass at 38.14 Hz,
    Q 0.5003) are mapped with the bilinear transform, which reproduces the coefficients that
    BS.1770 tabulates for 48 kHz and works for any rate.
    """
    k = math.tan(math.pi * 1681.974450955533 / sample_rate)
    gain = 10 ** (3.999843853973347 / 20)
    vb = gain**0.4996667741545416
    q = 0.7071752369554196
    a0 = 1 + k / q + k * k
    shelf = [
        (gain + vb * k / q + k * k) / a0,
        2 * (k * k - gain) / a0,
        (gain - vb * k / q + k * k) / a0,
        1.0,
        2 * (k * k - 1) / a0,
        (1 - k / q + k * k) / a0,
    ]
    k = math.tan(math.pi * 38.13547087602444 / sample_rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return [shelf, highpass]


class LoudnessMeter:
    """K-weighted energy per 100 ms step over consecutive float32 blocks (frames, channels)."""

    def __init__(self, sample_rate: int, channels: int, layout: str | None = None) -> None:
        self.sample_rate = sample_rate
        self._filter = SectionCascade(k_weighting(sample_rate), channels)
        self._weights = np.array(loudness_weights(channels, layout), dtype=np.float32)
        self._frames = 0  # frames fed so far
        self._step_energy: list[float] = []  # sum over the step of sum_i G_i y_i^2
        self._step_peak: list[float] = []  # max |x| (unweighted) over the step
        self._energy = 0.0  # of the open step
        self._peak = 0.0

    def _boundary(self, step: int) -> int:
        """The first frame of step number `step`."""
        return int(step * STEP_S * self.sample_rate + 1e-9)

    def feed(self, block: Block) -> None:
        """Add the next block (it may be a reused buffer: nothing keeps a reference to it)."""
        if not len(block):
            return
        # The tiny offset keeps the filter's state out of subnormal numbers in digital silence
        # (they make arithmetic many times slower); the high-pass removes it, and it is lost
        # in rounding wherever there is sound.
        weighted = self._filter.process(block + np.float32(1e-20))
        np.square(weighted, out=weighted)
        squares = weighted[:, 0] if len(self._weights) == 1 else weighted @ self._weights
        magnitude = np.abs(block[:, 0])
        for channel in range(1, block.shape[1]):  # faster than max(axis=1) over 2-6 columns
            np.maximum(magnitude, np.abs(block[:, channel]), out=magnitude)
        start, count = self._frames, len(block)
        self._frames += count
        # The step boundaries that fall inside (start, start + count], each closing a step.
        first = len(self._step_energy) + 1
        last = int((start + count) / (STEP_S * self.sample_rate)) + 2
        bounds = (np.arange(first, last) * (STEP_S * self.sample_rate) + 1e-9).astype(np.int64)
        closing = bounds[(bounds > start) & (bounds <= start + count)] - start
        cuts = closing[closing < count]
        starts = np.concatenate([[0], cuts]).astype(np.intp)
        energy = np.add.reduceat(squares, starts, dtype=np.float64).tolist()
        peaks = np.maximum.reduceat(magnitude, starts).tolist()
        energy[0] += self._energy
        peaks[0] = max(peaks[0], self._peak)
        closed = len(closing)
        self._step_energy.extend(energy[:closed])
        self._step_peak.extend(peaks[:closed])
        if closed < len(energy):
            self._energy, self._peak = energy[-1], peaks[-1]
        else:
            self._energy = self._peak = 0.0

    @property
    def steps(self) -> int:
        """Complete 100 ms steps measured so far."""
        return len(self._step_energy)

    def peak(self, start: int = 0, end: int | None = None) -> float:
        """The largest |sample| over steps [start, end) (the open step too when `end` is None)."""
        values = self._step_peak[start:end]
        if end is None:
            values = [*values, self._peak]
        return max(values, default=0.0)

    def integrated(self, start: int = 0, end: int | None = None) -> float:
        """Gated integrated loudness (LUFS) of the 400 ms blocks within steps [start, end)."""
        energy = np.array(self._step_energy[start:end], dtype=np.float64)
        if len(energy) < BLOCK_STEPS:
            return SILENT_LUFS
        block_frames = self._boundary(BLOCK_STEPS)
        sums = np.convolve(energy, np.ones(BLOCK_STEPS), mode="valid")
        mean_square = sums / block_frames
        with np.errstate(divide="ignore"):
            loudness = _OFFSET + 10 * np.log10(mean_square)
        kept = mean_square[loudness > ABSOLUTE_GATE_LUFS]
        if not len(kept):
            return SILENT_LUFS
        relative = _OFFSET + 10 * math.log10(float(kept.mean())) + RELATIVE_GATE_LU
        gated = mean_square[(loudness > ABSOLUTE_GATE_LUFS) & (loudness > relative)]
        return _OFFSET + 10 * math.log10(float(gated.mean()))
