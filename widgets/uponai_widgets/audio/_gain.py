"""The gain of each prepared part: towards the loudness target, held back by the peak ceiling.

A part's gain brings its integrated loudness (measured in the first pass, `_loudness`) to
`target_lufs`, unless that would push its highest peak more than `MAX_LIMIT_DB` over
`peak_dbfs`: the limiter (`_limiter`) turns down the peaks over the ceiling, and no more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._loudness import STEP_S, LoudnessMeter
from ._options import Options

__all__ = ["MAX_LIMIT_DB", "Part", "plan_gain"]

MAX_LIMIT_DB = 6.0  # the limiter may turn the highest peaks down by this much, no more


@dataclass(frozen=True, slots=True)
class Part:
    """One part to write: where it lies in the input (seconds), its gain and loudness."""

    start_s: float
    end_s: float
    gain_db: float
    loudness: float  # LUFS before the gain
    limited: bool  # the peak ceiling stopped the gain short of the target


def plan_gain(meter: LoudnessMeter, start_s: float, end_s: float, opts: Options) -> Part:
    """The part [start_s, end_s] with the gain `opts` asks for, as far as the ceiling allows."""
    first, last = int(start_s / STEP_S), math.ceil(end_s / STEP_S)
    loudness = meter.integrated(first, last)
    peak = meter.peak(first, last if last < meter.steps else None)
    if opts.target_lufs is None:
        return Part(start_s, end_s, 0.0, loudness, False)
    wanted = opts.target_lufs - loudness
    room = opts.peak_dbfs - 20 * math.log10(peak) + MAX_LIMIT_DB if peak > 0 else wanted
    return Part(start_s, end_s, min(wanted, room), loudness, room < wanted)
