"""Streaming level and clipping figures and the waveform over float32 blocks, in bounded memory.

`Accumulator.feed` takes decoded blocks of shape (frames, channels) of any length; it keeps
only running totals, a carry shorter than one analysis window and a small min/max envelope,
so memory does not grow with the length of the audio. Silence is judged on the high-passed
signal (`_silence`) and joined to these figures at the end. numpy is imported at module level:
only `_analysis` imports this module, once the `audio` extra is known to be there.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ._figures import CLIP_LEVEL, DBFS_FLOOR, Figures, dbfs
from ._silence import SilenceFigures

__all__ = ["ENVELOPE_MAX", "Accumulator"]

Block = npt.NDArray[np.float32]

WINDOW_S = 0.05  # values are taken per 50 ms window
TICKS_PER_WINDOW = 5  # the envelope's finest resolution: 10 ms
ENVELOPE_MAX = 1024  # the envelope keeps at most this many (min, max) columns


class _Envelope:
    """Min/max per column; columns double their span (pairs merge) when there are too many."""

    def __init__(self, limit: int = ENVELOPE_MAX) -> None:
        self._limit = limit
        self._span = 1  # ticks per column
        self._lo: list[Block] = []  # arrays of finished columns
        self._hi: list[Block] = []
        self._count = 0
        self._pending: tuple[float, float, int] | None = None  # (lo, hi, ticks) of a partial column

    def add(self, lo: Block, hi: Block) -> None:
        """Append the min and max of consecutive ticks."""
        start, total = 0, len(lo)
        while start < total:
            if self._pending is not None or total - start < self._span:
                p_lo, p_hi, p_n = self._pending or (math.inf, -math.inf, 0)
                take = min(self._span - p_n, total - start)
                p_lo = min(p_lo, float(lo[start : start + take].min()))
                p_hi = max(p_hi, float(hi[start : start + take].max()))
                start, p_n = start + take, p_n + take
                self._pending = (p_lo, p_hi, p_n) if p_n < self._span else None
                if self._pending is None:
                    self._push(np.array([p_lo], np.float32), np.array([p_hi], np.float32))
                continue
            end = start + (total - start) // self._span * self._span
            self._push(
                lo[start:end].reshape(-1, self._span).min(axis=1),
                hi[start:end].reshape(-1, self._span).max(axis=1),
            )
            start = end

    def _push(self, lo: Block, hi: Block) -> None:
        self._lo.append(lo)
        self._hi.append(hi)
        self._count += len(lo)
        while self._count > self._limit:
            self._merge()

    def _merge(self) -> None:
        """Halve the number of columns: merge neighbours; an odd last one becomes pending."""
        lo, hi = np.concatenate(self._lo), np.concatenate(self._hi)
        pending = self._pending
        if len(lo) % 2:
            last = (float(lo[-1]), float(hi[-1]), self._span)
            if pending is not None:
                last = (min(last[0], pending[0]), max(last[1], pending[1]), last[2] + pending[2])
            pending, lo, hi = last, lo[:-1], hi[:-1]
        self._span *= 2
        self._lo = [lo.reshape(-1, 2).min(axis=1)]
        self._hi = [hi.reshape(-1, 2).max(axis=1)]
        self._count = len(self._lo[0])
        self._pending = pending

    def columns(self) -> tuple[tuple[float, float], ...]:
        lo = np.concatenate(self._lo) if self._lo else np.zeros(0, np.float32)
        hi = np.concatenate(self._hi) if self._hi else np.zeros(0, np.float32)
        pairs = [(round(float(a), 4), round(float(b), 4)) for a, b in zip(lo, hi, strict=True)]
        if self._pending is not None:
            pairs.append((round(self._pending[0], 4), round(self._pending[1], 4)))
        return tuple(pairs)


class Accumulator:
    """Running figures over consecutive blocks of float32 samples shaped (frames, channels)."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.sample_rate = sample_rate
        self.channels = channels
        self._tick = max(1, round(sample_rate * WINDOW_S / TICKS_PER_WINDOW))
        self._window = self._tick * TICKS_PER_WINDOW
        self._carry: Block | None = None
        self._envelope = _Envelope()
        self.frames = 0
        self._peak = 0.0
        self._sum_squares = 0.0
        self._clipped = 0
        self.finite = True  # False once a NaN or infinite value was seen (float files)

    def feed(self, block: Block) -> None:
        """Add the next block (it may be a reused buffer: nothing keeps a reference to it)."""
        window = self._window
        start = 0
        if self._carry is not None:
            need = window - len(self._carry)
            if len(block) < need:
                self._carry = np.concatenate([self._carry, block])
                return
            self._windows(np.concatenate([self._carry, block[:need]]))
            self._carry, start = None, need
        full = (len(block) - start) // window * window
        if full:
            self._windows(block[start : start + full])
        if start + full < len(block):
            self._carry = block[start + full :].copy()

    def _windows(self, x: Block) -> None:
        """Whole windows: `len(x)` is a multiple of the window length."""
        count = len(x) // self._window
        self.frames += len(x)
        ticks = np.ascontiguousarray(x).reshape(count * TICKS_PER_WINDOW, -1)
        lo, hi = ticks.min(axis=1), ticks.max(axis=1)
        self._check_finite(lo, hi)
        self._envelope.add(lo, hi)
        self._level(x, float(-lo.min()), float(hi.max()))
        self._sum_squares += float(np.einsum("ij,ij->", ticks, ticks, dtype=np.float64))

    def _check_finite(self, lo: Block, hi: Block) -> None:
        """A NaN or infinity anywhere shows in its tick's min or max (NaN propagates)."""
        if self.finite and not (np.isfinite(lo).all() and np.isfinite(hi).all()):
            self.finite = False

    def _level(self, x: Block, neg_peak: float, pos_peak: float) -> None:
        peak = max(neg_peak, pos_peak)
        self._peak = max(self._peak, peak)
        if peak >= CLIP_LEVEL:  # only then is the block scanned for clipped samples
            self._clipped += int(np.count_nonzero(np.abs(x) >= CLIP_LEVEL))

    def _flush(self) -> None:
        """The final partial window (shorter than 50 ms)."""
        x, self._carry = self._carry, None
        if x is None or not len(x):
            return
        self.frames += len(x)
        lo, hi = x.min(keepdims=True).reshape(1), x.max(keepdims=True).reshape(1)
        self._check_finite(lo, hi)
        self._envelope.add(lo, hi)
        self._level(x, float(-lo[0]), float(hi[0]))
        self._sum_squares += float(np.einsum("ij,ij->", x, x, dtype=np.float64))

    def finish(self, silence: SilenceFigures) -> Figures:
        """The figures for everything fed so far, with `silence` (call once, at the end)."""
        self._flush()
        frames, rate = self.frames, self.sample_rate
        values = frames * self.channels
        return Figures(
            frames=frames,
            sample_rate=rate,
            channels=self.channels,
            peak_dbfs=round(dbfs(self._peak), 2),
            rms_dbfs=round(
                dbfs(math.sqrt(self._sum_squares / values)) if values else DBFS_FLOOR, 2
            ),
            clipped_ratio=self._clipped / values if values else 0.0,
            silence_ratio=silence.ratio,
            leading_silence_s=silence.leading_s,
            trailing_silence_s=silence.trailing_s,
            envelope=self._envelope.columns(),
        )
