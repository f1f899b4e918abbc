"""Batch progress: counts jobs and bytes, and feeds a callback, a tqdm bar or the notebook view.

`on_progress(done, failed, total, bytes_sent)`: `done` counts finished jobs of any status
(created, failed, skipped), `failed` those that failed, `total` every job, `bytes_sent` the
request body bytes sent so far. Job completions are always reported; byte-only updates at most
every `interval` seconds.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from typing import Any, Literal, Protocol

from .._sizes import format_size
from ._hooks import notebook_hooks
from ._result import BatchResult

__all__ = ["BatchProgressCallback", "Progress", "ProgressSink", "default_sink", "make_sink"]

BatchProgressCallback = Callable[[int, int, int, int], None]


class ProgressSink(Protocol):
    """Where progress goes: `update` as jobs and bytes advance, `finish` with the result."""

    def update(self, done: int, failed: int, total: int, bytes_sent: int) -> None:
        """Show the current counts."""

    def finish(self, result: BatchResult) -> None:
        """Show the final (possibly partial) result."""


class CallbackSink:
    """Forwards updates to a user's `on_progress(done, failed, total, bytes_sent)`."""

    def __init__(self, callback: BatchProgressCallback) -> None:
        self._callback = callback

    def update(self, done: int, failed: int, total: int, bytes_sent: int) -> None:
        """Call the user's callback."""
        self._callback(done, failed, total, bytes_sent)

    def finish(self, result: BatchResult) -> None:
        """Nothing to do: the caller has the result."""


class TqdmSink:
    """A tqdm bar of jobs on stderr, with failures and bytes sent as its postfix."""

    def __init__(self, tqdm_class: Any, total: int) -> None:
        self._bar = tqdm_class(total=total, unit="job", desc="Cloning voices", file=sys.stderr)
        self._done = 0

    def update(self, done: int, failed: int, total: int, bytes_sent: int) -> None:
        """Advance the bar to `done` and show failures and bytes."""
        if done > self._done:
            self._bar.update(done - self._done)
            self._done = done
        self._bar.set_postfix_str(f"{failed} failed, {format_size(bytes_sent)} sent")

    def finish(self, result: BatchResult) -> None:
        """Close the bar and print the summary line under it."""
        self._bar.close()
        self._bar.write(result.summary(), file=sys.stderr)


class LineSink:
    """Off a terminal (a log file, a pipe): one line per finished job, then the summary.

    Nothing is ever redrawn, so a log gets exactly ``total + 1`` lines.
    """

    def __init__(self, total: int) -> None:
        self._done = 0

    def update(self, done: int, failed: int, total: int, bytes_sent: int) -> None:
        """Write a line for each job finished since the last update."""
        while self._done < done:
            self._done += 1
            print(
                f"Cloning voices: {self._done}/{total} jobs done, {failed} failed, "
                f"{format_size(bytes_sent)} sent",
                file=sys.stderr,
                flush=True,
            )

    def finish(self, result: BatchResult) -> None:
        """Write the summary line."""
        print(result.summary(), file=sys.stderr, flush=True)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # None, closed, or not a real stream
        return False


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (never imports IPython in a plain script)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def default_sink(total: int) -> ProgressSink | None:
    """The notebook view in a kernel (when the notebook layer registered one), else a tqdm bar
    on a terminal and `LineSink` lines off one (nothing without tqdm)."""
    view_factory = notebook_hooks.progress_view
    if view_factory is not None and _in_notebook():
        view = view_factory(total)
        if view is not None:
            return view
    try:
        tqdm_module = importlib.import_module("tqdm")
    except ImportError:
        return None
    if not _is_terminal(sys.stderr):
        return LineSink(total)
    return TqdmSink(tqdm_module.tqdm, total)


def make_sink(
    on_progress: BatchProgressCallback | Literal[False] | None, total: int
) -> ProgressSink | None:
    """`None`: the default display; `False`: nothing; a callable: that callback only."""
    if on_progress is False:
        return None
    if on_progress is None:
        return default_sink(total)
    if not callable(on_progress):
        raise TypeError("on_progress must be a callable(done, failed, total, bytes_sent)")
    return CallbackSink(on_progress)


class Progress:
    """The batch's counters; forwards them to a sink (throttling byte-only updates)."""

    def __init__(
        self,
        sink: ProgressSink | None,
        total: int,
        *,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sink = sink
        self.total = total
        self.done = 0
        self.failed = 0
        self.bytes_sent = 0
        self._interval = interval
        self._clock = clock
        self._last = float("-inf")

    def _emit(self) -> None:
        self._last = self._clock()
        if self.sink is not None:
            self.sink.update(self.done, self.failed, self.total, self.bytes_sent)

    def start(self) -> None:
        """Report the starting point (nothing done yet)."""
        self._emit()

    def add_bytes(self, count: int) -> None:
        """Count body bytes sent; reported when `interval` has passed since the last report."""
        if count <= 0:
            return
        self.bytes_sent += count
        if self._clock() - self._last >= self._interval:
            self._emit()

    def job_finished(self, *, failed: bool) -> None:
        """Count a finished job (created, failed or skipped) and report it."""
        self.done += 1
        self.failed += int(failed)
        self._emit()

    def finish(self, result: BatchResult) -> None:
        """Report the last counts, then hand the result to the sink."""
        self._emit()
        if self.sink is not None:
            self.sink.finish(result)
