"""Signals during a batch: SIGTERM and SIGHUP stop it as Ctrl-C does (the table is written),
and nothing interrupts the writing of the table itself."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["Stops", "deferred_stops", "stop_like_ctrl_c"]

_ENDING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Stops:
    """Which stopping signals arrived (`last` is the latest, None when none did)."""

    def __init__(self) -> None:
        self.last: int | None = None

    def exit_status(self, default: int) -> int:
        """128 + the signal's number for SIGTERM / SIGHUP (as shells report a signal), else
        `default`."""
        if self.last is not None and self.last != signal.SIGINT:
            return 128 + self.last
        return default


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def stop_like_ctrl_c(stops: Stops) -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise SIGINT: the batch stops new uploads,
    cancels running ones and hands over its table, as on Ctrl-C."""
    if not _main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stops.last = signum
        signal.raise_signal(signal.SIGINT)

    saved = {number: signal.signal(number, handler) for number in _ENDING}
    try:
        yield
    finally:
        for number, previous in saved.items():
            signal.signal(number, previous)


@contextlib.contextmanager
def deferred_stops(stops: Stops) -> Iterator[None]:
    """While the block runs (saving the table), SIGINT, SIGTERM and SIGHUP are only noted in
    `stops`; the caller reports them once the block is done."""
    if not _main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stops.last = signum

    saved = {number: signal.signal(number, handler) for number in (signal.SIGINT, *_ENDING)}
    try:
        yield
    finally:
        for number, previous in saved.items():
            signal.signal(number, previous)
