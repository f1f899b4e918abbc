"""The options of `prepare_sample`, checked before any audio is read."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from .._errors import Problem, ValidationError

__all__ = ["Options", "PreparationError", "check_options"]

LUFS_RANGE = (-60.0, 0.0)
PEAK_RANGE = (-20.0, 0.0)
RATE_RANGE = (8000, 192000)
MIN_SEGMENT_S = 5.0


class PreparationError(ValidationError):
    """The sample was not prepared (nothing was written) because of the listed `problems`."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        super().__init__(problems)
        count = len(self.problems)
        lines = [f"Nothing was prepared: {count} {'problem' if count == 1 else 'problems'}:"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        self.args = ("\n".join(lines),)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class Options:
    """Checked options."""

    out_dir: Path | None
    trim_silence: bool
    target_lufs: float | None
    peak_dbfs: float
    mono: bool
    sample_rate: int | None
    max_segment_s: float | None


def _number(value: object) -> TypeGuard[int | float]:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _in(value: object, bounds: tuple[float, float]) -> TypeGuard[int | float]:
    return _number(value) and bounds[0] <= float(value) <= bounds[1]


def check_options(
    *,
    out_dir: object,
    trim_silence: object,
    target_lufs: object,
    peak_dbfs: object,
    mono: object,
    sample_rate: object,
    max_segment_s: object,
) -> Options:
    """The options, or a `ValidationError` listing every unsupported one."""
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(None, field, message))

    folder: Path | None = None
    if out_dir is not None:
        if not isinstance(out_dir, (str, os.PathLike)) or not os.fspath(out_dir):
            bad("out_dir", f"must be a folder path or None, got {type(out_dir).__name__}")
        else:
            folder = Path(os.fspath(out_dir))
            if folder.exists() and not folder.is_dir():
                bad("out_dir", f"{folder} exists and is not a folder")
    for field, value in (("trim_silence", trim_silence), ("mono", mono)):
        if not isinstance(value, bool):
            bad(field, f"must be True or False, got {value!r}")
    if target_lufs is not None and not _in(target_lufs, LUFS_RANGE):
        bad(
            "target_lufs",
            f"must be between {LUFS_RANGE[0]:.0f} and 0 LUFS (or None to keep the level), got {target_lufs!r}",
        )
    if not _in(peak_dbfs, PEAK_RANGE):
        bad("peak_dbfs", f"must be between {PEAK_RANGE[0]:.0f} and 0 dBFS, got {peak_dbfs!r}")
    if sample_rate is not None and not (
        isinstance(sample_rate, int)
        and not isinstance(sample_rate, bool)
        and RATE_RANGE[0] <= sample_rate <= RATE_RANGE[1]
    ):
        bad(
            "sample_rate",
            f"must be a whole number of Hz from {RATE_RANGE[0]} to {RATE_RANGE[1]} (or None "
            f"to keep the rate), got {sample_rate!r}",
        )
    if max_segment_s is not None and not (
        _number(max_segment_s) and float(max_segment_s) >= MIN_SEGMENT_S
    ):
        bad(
            "max_segment_s",
            f"must be at least {MIN_SEGMENT_S:.0f} seconds (or None not to split), "
            f"got {max_segment_s!r}",
        )
    if problems:
        raise PreparationError(problems)
    # Every value was checked above; the checks are repeated only to narrow the types.
    assert _in(peak_dbfs, PEAK_RANGE)
    assert sample_rate is None or isinstance(sample_rate, int)
    return Options(
        out_dir=folder,
        trim_silence=bool(trim_silence),
        target_lufs=float(target_lufs) if _number(target_lufs) else None,
        peak_dbfs=float(peak_dbfs),
        mono=bool(mono),
        sample_rate=sample_rate,
        max_segment_s=float(max_segment_s) if _number(max_segment_s) else None,
    )
