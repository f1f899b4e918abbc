"""A streaming look-ahead true-peak limiter: keeps the signal under a ceiling with smooth gain.

The ceiling holds for true peaks (BS.1770-4 Annex 2, `_truepeak`), the waveform between the
samples, with `TRUE_PEAK_MARGIN_DB` to spare for meters that oversample differently (ffmpeg's
`ebur128=peak=true` reads the written files within that margin), and for the samples
themselves.

Speech often peaks 20 dB above its loudness (espeak-ng's does), so reaching -20 LUFS under a
-1 dBFS ceiling needs the few highest peaks turned down. Gain is computed per 1 ms tick: the
gain each tick needs (ceiling / its peak, at most 1), the minimum of that over the tick and its
two neighbours (the look-ahead, so the gain is already down when a peak arrives), and a 50 ms
recovery towards 1 afterwards. The recovery recursion u[k] = max(d[k], u[k-1] * r) (u = 1 - gain)
is evaluated without a Python loop as a running maximum in the log domain. The gain moves
linearly between tick centres (only the ticks near a peak are touched, so unlimited audio is
copied unchanged); every sample of a tick gets at most the gain that tick and its neighbours
need, so the result stays under the ceiling. Three ticks are held back between blocks, so the
result does not depend on the block sizes.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ._truepeak import CONTEXT, TickTruePeaks

__all__ = ["TRUE_PEAK_MARGIN_DB", "PeakLimiter"]

TRUE_PEAK_MARGIN_DB = 0.15

TICK_S = 0.001
RELEASE_S = 0.05
_TINY = 1e-12

Block = npt.NDArray[np.float32]
Gains = npt.NDArray[np.float64]


class PeakLimiter:
    """Blocks (frames, channels) in, the same frames out (delayed by up to three ticks)."""

    def __init__(self, sample_rate: int, channels: int, ceiling: float) -> None:
        self._tick = max(1, round(sample_rate * TICK_S))
        self._ceiling = ceiling
        self._true_ceiling = ceiling * 10 ** (-TRUE_PEAK_MARGIN_DB / 20)
        self._true_peaks = TickTruePeaks(self._tick)
        self._before = np.zeros((0, channels), np.float32)  # the input just before `_held`
        self._decay = math.exp(-1.0 / (RELEASE_S / TICK_S))  # per tick
        self._held = np.zeros((0, channels), np.float32)  # samples not output yet
        self._prev_need = 1.0  # the gain the last output tick needed
        self._last_gain: float | None = None  # at the centre of the last output tick
        self._reduction = 0.0  # 1 - gain of the last output tick
        self.max_reduction_db = 0.0
        self.limited_ticks = 0

    def _needed(self, x: Block) -> Gains:
        """Gain each tick of `x` (a whole number of ticks) needs: 1.0 under the ceiling."""
        peaks = np.abs(x).reshape(-1, self._tick * x.shape[1]).max(axis=1).astype(np.float64)
        true = self._true_peaks.peaks(x, peaks, self._true_ceiling, self._before)
        sample_need = self._ceiling / np.maximum(peaks, _TINY)
        true_need = self._true_ceiling / np.maximum(true, _TINY)
        need: Gains = np.minimum(1.0, np.minimum(sample_need, true_need))
        return need

    def process(self, block: Block, *, last: bool = False) -> Block:
        """Limit the next block; `last=True` also flushes what is held. Returns what is done."""
        owned = len(self._held) > 0  # a new array: limited in place, not copied
        data = np.concatenate([self._held, block]) if owned else block
        whole = len(data) // self._tick
        need = self._needed(data[: whole * self._tick])
        if last and len(data) > whole * self._tick:  # a final partial tick
            peak = float(np.abs(data[whole * self._tick :]).max())
            need = np.append(need, min(1.0, self._ceiling / max(peak, _TINY)))
        # A tick's gain needs its right neighbour's need; its output needs the next tick's gain;
        # the last tick's true peak needs samples after it (so it is judged on the next call).
        known = len(need) if last else len(need) - 2
        done = known if last else known - 1
        if done <= 0:
            self._held = data[:0] if last else data.copy()
            return data if last else data[:0]
        right = np.append(need[1:], need[-1])
        left = np.insert(need[:-1], 0, self._prev_need)
        window = np.minimum(np.minimum(left, need), right)[:known]
        reduction = self._recover(window)
        gains = 1.0 - reduction
        first = gains[0] if self._last_gain is None else self._last_gain  # flat at the start
        before = np.insert(gains[: done - 1], 0, first)
        after = np.append(gains[1:], gains[-1])[:done]
        gains = gains[:done]
        self._prev_need, self._last_gain = float(need[done - 1]), float(gains[-1])
        self._reduction = float(reduction[done - 1])
        self._count(gains)
        frames = len(data) if last else done * self._tick
        self._held = data[frames:].copy()
        recent = data[max(0, frames - CONTEXT) : frames]  # the input, before any gain
        self._before = np.concatenate([self._before, recent])[-CONTEXT:].copy()
        out = data[:frames] if owned else data[:frames].copy()
        active = np.flatnonzero((before < 1.0) | (gains < 1.0) | (after < 1.0))  # else gain 1
        if len(active):
            self._apply(out, active, before, gains, after)
        return out

    def _count(self, gains: Gains) -> None:
        if len(gains) and float(gains.min()) < 1.0:
            self.limited_ticks += int(np.count_nonzero(gains < 1.0))
            worst = -20 * math.log10(max(float(gains.min()), _TINY))
            self.max_reduction_db = max(self.max_reduction_db, worst)

    def _apply(
        self,
        out: Block,
        active: npt.NDArray[np.intp],
        before: Gains,
        gains: Gains,
        after: Gains,
    ) -> None:
        """Multiply the active ticks of `out` by the gain, linear between tick centres."""
        tick = self._tick
        frac = (np.arange(tick) + 0.5) / tick - 0.5  # -0.5 .. 0.5 around the centre
        g, lo, hi = gains[active, None], before[active, None], after[active, None]
        curve = np.where(frac < 0, g + (g - lo) * frac, g + (hi - g) * frac)
        whole = len(out) // tick
        inside = active[active < whole]
        view = out[: whole * tick].reshape(whole, tick, -1)
        view[inside] *= curve[: len(inside), :, None].astype(np.float32)
        if len(inside) < len(active):  # a final partial tick
            rest = out[whole * tick :]
            rest *= curve[-1, : len(rest), None].astype(np.float32)

    def _recover(self, window: Gains) -> Gains:
        """1 - gain per tick after the 50 ms recovery, continuing from the last output tick."""
        depth = np.maximum(1.0 - window, _TINY)
        steps = np.arange(1, len(depth) + 1, dtype=np.float64)
        log_r = math.log(self._decay)
        start = math.log(max(self._reduction, _TINY))  # at step 0
        scores = np.maximum.accumulate(np.maximum(np.log(depth) - steps * log_r, start))
        reduction = np.exp(scores + steps * log_r)
        reduction[reduction < 1e-4] = 0.0  # back at unity (a step of under 0.001 dB)
        return np.maximum(reduction, 1.0 - window)  # never less than a tick needs
