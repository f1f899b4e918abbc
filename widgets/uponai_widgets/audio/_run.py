"""One preparation's progress and cancellation, and the files it has started writing.

numpy-free, so the notebook layer can name `PreparationCancelled` without the `audio` extra.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from .._samples import SampleReader

if TYPE_CHECKING:
    from ._writer import PartWriter

__all__ = ["CancelToken", "PreparationCancelled", "Progress", "Run"]

Progress = Callable[[float], None]


class CancelToken(Protocol):
    """Anything with `is_set()`, such as a `threading.Event`."""

    def is_set(self) -> bool: ...


class PreparationCancelled(Exception):
    """`cancel` was set while preparing; no file of this sample was left behind."""


class Run:
    """One preparation: progress, cancellation and the files written so far."""

    def __init__(self, progress: Progress | None, cancel: CancelToken | None) -> None:
        self._progress = progress
        self._cancel = cancel
        self.writers: list[PartWriter] = []

    def step(self, reader: SampleReader, start: float, share: float) -> None:
        """Raise `PreparationCancelled` if cancelled, else report the progress of a pass that
        covers [start, start + share] of the work, from how far `reader` has been read."""
        if self._cancel is not None and self._cancel.is_set():
            raise PreparationCancelled("preparation cancelled")
        if self._progress is not None and reader.size:
            self._progress(min(1.0, start + share * reader.tell() / reader.size))

    def report(self, fraction: float) -> None:
        """Report `fraction` (0.0 to 1.0) of the work done."""
        if self._progress is not None:
            self._progress(fraction)
