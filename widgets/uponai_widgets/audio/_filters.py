"""DC and rumble removal: a streamed high-pass filter shared by the measurements and the output.

A DC offset (a cheap interface, a bad ground) lifts every quiet window above any silence
threshold, takes headroom from the peaks and survives normalisation; rumble below the voice
does the same. `HighPass` removes both with a second-order Butterworth high-pass at
`CUTOFF_HZ` (far below any voice's fundamental), its state carried from block to block and
started from the first sample (so a recording that begins on an offset has no transient).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ._iir import SectionCascade, butterworth_highpass

__all__ = ["CUTOFF_HZ", "HighPass"]

CUTOFF_HZ = 20.0
# Added before filtering: keeps the filter's state out of subnormal floats in digital silence
# (ten times slower arithmetic); the high-pass removes it like any offset.
_NORMAL_OFFSET = np.float32(1e-20)


class HighPass:
    """float32 blocks (frames, channels) in, the same frames high-passed out."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self._filter = SectionCascade(butterworth_highpass(CUTOFF_HZ, sample_rate), channels)
        self._started = False

    def process(self, block: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """The next block, filtered (a new array; `block` is left as it was)."""
        if not len(block):
            return block.astype(np.float32, copy=True)
        if not self._started:
            self._filter.settle(block[0].astype(np.float64) + float(_NORMAL_OFFSET))
            self._started = True
        return self._filter.process(block + _NORMAL_OFFSET)
