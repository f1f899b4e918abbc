"""What the streaming level pass reports, without numpy: the figures, the clipping level, dBFS.

The reports (`_verdict`) and the waveform pictures (`_waveform`) read these, so they load
without the `audio` extra; the measuring itself is in `_stats`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["CLIP_LEVEL", "DBFS_FLOOR", "Figures", "dbfs"]

CLIP_LEVEL = 0.999  # |sample| at or above this counts as clipped (full scale is 1.0)
DBFS_FLOOR = -120.0  # digital silence is reported as this instead of -inf


def dbfs(amplitude: float) -> float:
    """An amplitude (1.0 = full scale) in dB relative to full scale, floored at -120 dBFS."""
    if amplitude <= 0.0:
        return DBFS_FLOOR
    return max(DBFS_FLOOR, 20.0 * math.log10(amplitude))


@dataclass(frozen=True, slots=True)
class Figures:
    """What one streaming pass measured."""

    frames: int
    sample_rate: int
    channels: int
    peak_dbfs: float
    rms_dbfs: float
    clipped_ratio: float
    silence_ratio: float
    leading_silence_s: float
    trailing_silence_s: float
    envelope: tuple[tuple[float, float], ...]
