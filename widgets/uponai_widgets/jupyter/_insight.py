"""Sample insight for the clone widget: a report and a waveform per sample (no view of its own).

`SampleInsight.update` is given the chosen samples (each with a stable key); new ones are
analysed with `inspect_sample` (streaming, bounded memory) in a worker thread when an asyncio
loop runs (a kernel), so a long file never blocks the kernel, or inline otherwise (scripts,
tests). Reports are cached per key, so each sample is analysed once. The sample list shows
them: in its rows and in its overall verdict.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ..audio._inspect import OverallVerdict, SampleReport, inspect_sample, overall_verdict
from ..audio._waveform import waveform_svg

__all__ = ["UPLOADS", "SampleInsight", "UploadsRunning"]

#: Size of each sample's waveform picture (pixels).
WAVEFORM_SIZE = (360, 40)


def _background_priority() -> None:
    # Linux gives each thread its own nice value: the analysis yields the CPU to the kernel's
    # other work (a Clone upload, the next file arriving) instead of halving its speed.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


#: One analysis at a time, at the lowest CPU priority: analyses are background work, and three
#: of them at full priority slowed a Clone upload running beside them to half its speed.
ANALYSER = ThreadPoolExecutor(
    max_workers=1, thread_name_prefix="uponai-analysis", initializer=_background_priority
)


class UploadsRunning:
    """The kernel's clone uploads in progress; analyses wait between blocks while any runs.

    A thread's CPU priority does not reach Python's global interpreter lock: an analysis beside
    a 900 MB upload in the same kernel slowed it by 15-45 % (it took the lock for up to 5 ms each
    time the upload's event loop gave it up to write). What the user waits for goes first; the
    verdicts of files chosen with Clone already clicked come after the upload.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._idle = threading.Event()
        self._idle.set()
        self.waiting = 0
        """Analyses waiting for the uploads to end (for tests and the curious)."""

    @contextlib.contextmanager
    def upload(self) -> Iterator[None]:
        """Mark an upload as running for the duration of the block."""
        with self._lock:
            self._count += 1
            self._idle.clear()
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1
                if self._count == 0:
                    self._idle.set()

    def wait_for_uploads(self) -> None:
        """Block while an upload runs (returns too when the interpreter is shutting down)."""
        if self._idle.is_set():
            return
        self.waiting += 1
        try:
            while not self._idle.wait(1.0) and threading.main_thread().is_alive():
                pass
        finally:
            self.waiting -= 1


#: The kernel's uploads, which the clone widget marks and the analyses give way to.
UPLOADS = UploadsRunning()


def analyse(sample: object) -> tuple[SampleReport, str]:
    """Inspect one sample and draw its waveform (runs in a worker thread in a kernel)."""
    report = inspect_sample(sample, between_blocks=UPLOADS.wait_for_uploads)
    width, height = WAVEFORM_SIZE
    return report, waveform_svg(report, width=width, height=height)


class SampleInsight:
    """The reports and waveforms of the chosen samples, analysed once each."""

    def __init__(self, on_report: Callable[[], None] | None = None) -> None:
        """`on_report` is called when a background analysis lands."""
        self.on_report = on_report
        self._order: list[tuple[Hashable, str]] = []
        self._done: dict[Hashable, tuple[SampleReport, str] | str] = {}
        self._pending: set[Hashable] = set()

    @property
    def reports(self) -> list[SampleReport | None]:
        """One report per chosen sample, in order (None while still being analysed)."""
        out: list[SampleReport | None] = []
        for key, _name in self._order:
            found = self._done.get(key)
            out.append(found[0] if isinstance(found, tuple) else None)
        return out

    def result(self, key: Hashable) -> tuple[SampleReport, str] | str | None:
        """(report, waveform SVG), an error text, or None while `key` is being analysed."""
        return self._done.get(key)

    @property
    def pending(self) -> int:
        """How many chosen samples are still being analysed."""
        return sum(1 for key, _ in self._order if key in self._pending)

    @property
    def overall(self) -> OverallVerdict | None:
        """The verdict over every chosen sample; None while any is pending or none is chosen."""
        reports = self.reports
        if not reports or any(r is None for r in reports):
            return None
        return overall_verdict(r for r in reports if r is not None)

    def update(self, items: Sequence[tuple[Hashable, str, object]]) -> None:
        """Show `items` (key, name, sample); analyse the ones not seen before."""
        self._order = [(key, name) for key, name, _sample in items]
        keys = {key for key, _ in self._order}
        for key in list(self._done):
            if key not in keys:
                del self._done[key]
        for key, _name, sample in items:
            if key not in self._done and key not in self._pending:
                self._start(key, sample)

    def _start(self, key: Hashable, sample: object) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._store(key, self._run(sample))
            return
        self._pending.add(key)
        future = loop.run_in_executor(ANALYSER, self._run, sample)
        future.add_done_callback(lambda done: self._finished(key, done))

    @staticmethod
    def _run(sample: object) -> tuple[SampleReport, str] | str:
        try:
            return analyse(sample)
        except Exception as exc:  # inspect_sample reports bad audio; this is a last resort
            return f"could not analyse: {type(exc).__name__}: {exc}"

    def _finished(self, key: Hashable, done: asyncio.Future[Any] | Future[Any]) -> None:
        self._pending.discard(key)
        if not any(key == k for k, _ in self._order) or done.cancelled():
            return
        self._store(key, done.result())
        if self.on_report is not None:
            self.on_report()

    def _store(self, key: Hashable, result: tuple[SampleReport, str] | str) -> None:
        self._done[key] = result
