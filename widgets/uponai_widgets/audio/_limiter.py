"""A streaming look-ahead peak limiter: keeps samples under a ceiling with smooth gain.

Speech often peaks 20 dB above its loudness (espeak-ng's does), so reaching -20 LUFS under a
-1 dBFS ceiling needs the few highest peaks turned down. Gain is computed per 1 ms tick: the
gain each tick needs (ceiling / its peak, at most 1), the minimum of that over the tick and its
two neighbours (the look-ahead, so the gain is already down when a peak arrives), and a 50 ms
recovery towards 1 afterwards. The recovery recursion u[k] = max(d[k], u[k-1] * r) (u = 1 - gain)
is evaluated without a Python loop as a running maximum in the log domain. The gain moves
linearly between tick centres (only the ticks near a peak are touched, so unlimited audio is
copied unchanged); every sample of a tick gets at most the gain that tick and its neighbours
need, so the result stays under the ceiling. One tick is held back between blocks.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["PeakLimiter"]

TICK_S = 0.001
RELEASE_S = 0.05
_TINY = 1e-12


class PeakLimiter:
    """Blocks (frames, channels) in, the same frames out (delayed by up to two ticks)."""

    def __init__(self, np: Any, sample_rate: int, channels: int, ceiling: float) -> None:
        self._np = np
        self._tick = max(1, round(sample_rate * TICK_S))
        self._ceiling = ceiling
        self._decay = math.exp(-1.0 / (RELEASE_S / TICK_S))  # per tick
        self._held = np.zeros((0, channels), np.float32)  # samples not output yet
        self._prev_need = 1.0  # the gain the last output tick needed
        self._last_gain = 1.0  # the gain at the centre of the last output tick
        self._reduction = 0.0  # 1 - gain of the last output tick
        self.max_reduction_db = 0.0
        self.limited_ticks = 0

    def _needed(self, x: Any) -> Any:
        """Gain each tick of `x` (a whole number of ticks) needs: 1.0 under the ceiling."""
        np = self._np
        peaks = np.abs(x).reshape(-1, self._tick * x.shape[1]).max(axis=1)
        return np.minimum(1.0, self._ceiling / np.maximum(peaks, _TINY)).astype(np.float64)

    def process(self, block: Any, *, last: bool = False) -> Any:
        """Limit the next block; `last=True` also flushes what is held. Returns what is done."""
        np = self._np
        data = np.concatenate([self._held, block]) if len(self._held) else block
        whole = len(data) // self._tick
        need = self._needed(data[: whole * self._tick])
        if last and len(data) > whole * self._tick:  # a final partial tick
            peak = float(np.abs(data[whole * self._tick :]).max())
            need = np.append(need, min(1.0, self._ceiling / max(peak, _TINY)))
        fixed = len(need) if last else len(need) - 1  # the last tick's neighbour is unknown
        if fixed <= 0:
            self._held = data.copy() if not last else data[:0]
            return data[:0] if not last else data
        right = np.append(need[1:], need[-1])
        left = np.insert(need[:-1], 0, self._prev_need)
        window = np.minimum(np.minimum(left, need), right)[:fixed]
        gains = self._recover(window)
        frames = len(data) if last else fixed * self._tick
        out = data[:frames].copy()
        before = np.insert(gains[:-1], 0, self._last_gain)
        after = np.append(gains[1:], gains[-1])
        active = np.flatnonzero((before < 1.0) | (gains < 1.0) | (after < 1.0))  # else gain 1
        self._prev_need, self._last_gain = float(need[fixed - 1]), float(gains[-1])
        if len(active):
            self._apply(out, active, before, gains, after)
        self._held = data[frames:].copy()
        return out

    def _apply(self, out: Any, active: Any, before: Any, gains: Any, after: Any) -> None:
        """Multiply the active ticks of `out` by the gain, linear between tick centres."""
        np = self._np
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

    def _recover(self, window: Any) -> Any:
        """Gains after the 50 ms recovery, continuing from the previous block."""
        np = self._np
        depth = np.maximum(1.0 - window, _TINY)
        steps = np.arange(1, len(depth) + 1, dtype=np.float64)
        log_r = math.log(self._decay)
        start = math.log(max(self._reduction, _TINY))  # at step 0
        scores = np.maximum.accumulate(np.maximum(np.log(depth) - steps * log_r, start))
        reduction = np.exp(scores + steps * log_r)
        reduction[reduction < 1e-9] = 0.0
        self._reduction = float(reduction[-1])
        gains = 1.0 - reduction
        if len(gains) and gains.min() < 1.0:
            self.limited_ticks += int(np.count_nonzero(gains < 0.9999))
            worst = -20 * math.log10(max(float(gains.min()), _TINY))
            self.max_reduction_db = max(self.max_reduction_db, worst)
        return gains
