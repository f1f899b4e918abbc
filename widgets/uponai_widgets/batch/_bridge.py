"""Running an async batch from sync code: on a loop of its own in a script, or on a worker
thread's loop when the caller's thread already runs one (a notebook cell).

Progress reaches the calling thread through a queue (`Relay`), so notebook output keeps the
cell's context. In a script, a `BatchInterrupted` that nobody catches ends the process the way
an uncaught Ctrl-C does (killed by SIGINT: exit status 130 in a shell).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import os
import queue
import signal
import ssl
import sys
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from uponai_client import AuthenticatedClient

from .. import _generated
from .._connection import Connection, as_connection
from ._interrupt import BatchInterrupted, partial_result
from ._jobs import Job
from ._progress import ProgressSink
from ._result import BatchResult, BatchRow

__all__ = ["Relay", "SyncBatch", "run_here", "run_in_thread"]

RunBatch = Callable[
    [Connection, list[Job], dict[str, BatchRow], ProgressSink | None, int],
    Coroutine[Any, Any, BatchResult],
]


@functools.lru_cache(maxsize=4)
def _default_ssl_context(_cert_file: str | None, _cert_dir: str | None) -> ssl.SSLContext:
    """httpx's default context, built once per CA setting (the arguments key the cache):
    loading the CA bundle costs tens of ms, paid by every new client otherwise."""
    return httpx.create_ssl_context()


def _private_connection(connection: Connection | AuthenticatedClient) -> Connection:
    """A copy with fresh HTTP clients: the sync call runs on its own event loop, and pooled
    async connections belong to the loop that opened them."""
    conn = as_connection(connection)
    changes: dict[str, Any] = {}
    if _generated.uses_default_tls(conn.client):
        ca = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        changes["verify_ssl"] = _default_ssl_context(*ca)
    client = _generated.copy_client(conn.client, **changes)
    return Connection(client, retry=conn.retry, timeout=conn.timeout, limits=conn.limits)


@dataclass(repr=False)
class SyncBatch:
    """A `clone_voices` call, prepared in the calling thread, run on a loop of its own.

    Its repr names only counts: the jobs hold impersonation reasons and sample data.
    """

    connection: Connection | AuthenticatedClient
    jobs: list[Job]
    previous: dict[str, BatchRow]
    sink: ProgressSink | None
    concurrency: int
    runner: RunBatch | None = None
    partial: list[BatchResult] = field(default_factory=list)
    finished: list[BatchResult] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"<SyncBatch {len(self.jobs)} jobs, {len(self.previous)} resumed rows, "
            f"concurrency {self.concurrency}>"
        )

    async def run(self) -> BatchResult:
        assert self.runner is not None, "SyncBatch.runner runs the batch"
        private = _private_connection(self.connection)
        try:
            result = await self.runner(
                private, self.jobs, self.previous, self.sink, self.concurrency
            )
            self.finished.append(result)  # kept if Ctrl-C comes while the connection closes
            return result
        except asyncio.CancelledError as cancelled:
            partial = partial_result(cancelled)
            if partial is not None:
                self.partial.append(partial)
            raise
        finally:
            await private.aclose()

    def interrupted(self) -> BatchInterrupted | None:
        """The interruption to raise: with the partial table, or the whole one when every job
        had finished before the interrupt arrived (None: the batch produced no table)."""
        found = self.partial or self.finished
        return BatchInterrupted(found[0]) if found else None


class Relay:
    """A sink called from the worker thread that queues calls for the calling thread, so
    notebook output and widget messages keep the cell's context."""

    def __init__(self, sink: ProgressSink) -> None:
        self.sink = sink
        self.queue: queue.SimpleQueue[tuple[str, tuple[Any, ...]]] = queue.SimpleQueue()

    def update(self, done: int, failed: int, total: int, bytes_sent: int) -> None:
        self.queue.put(("update", (done, failed, total, bytes_sent)))

    def finish(self, result: BatchResult) -> None:
        self.queue.put(("finish", (result,)))

    def drain(self) -> None:
        """Apply the queued calls here (consecutive updates collapse into the latest)."""
        last_update: tuple[Any, ...] | None = None
        while True:
            try:
                kind, args = self.queue.get_nowait()
            except queue.Empty:
                break
            if kind == "update":
                last_update = args
                continue
            if last_update is not None:
                self.sink.update(*last_update)
                last_update = None
            self.sink.finish(*args)
        if last_update is not None:
            self.sink.update(*last_update)


def run_here(batch: SyncBatch) -> BatchResult:
    """No loop is running (a script): run one; Ctrl-C cancels the batch's task."""
    try:
        with asyncio.Runner() as runner:  # closing it cancels what still runs: a table comes
            return runner.run(batch.run())
    except (KeyboardInterrupt, asyncio.CancelledError):
        interrupted = batch.interrupted()
        if interrupted is not None:
            _exit_like_ctrl_c_if_uncaught(interrupted)
            raise interrupted from None
        raise


_uncaught: list[BatchInterrupted] = []


def _exit_like_ctrl_c_if_uncaught(interrupted: BatchInterrupted) -> None:
    """If `interrupted` ends the script uncaught, end the process as an uncaught Ctrl-C does.

    Python exits with status 1 for an uncaught `KeyboardInterrupt` subclass; only the exact
    class makes it re-raise SIGINT on exit. The excepthook (run for uncaught exceptions only)
    prints the traceback as usual and marks the process; at exit it flushes the standard
    streams and kills itself with SIGINT, so a shell sees 130 and a parent -SIGINT.
    """
    if threading.current_thread() is not threading.main_thread() or "IPython" in sys.modules:
        return
    previous = sys.excepthook
    if getattr(previous, "_uponai_batch_hook", False):
        return

    def hook(
        kind: type[BaseException], value: BaseException, traceback: TracebackType | None
    ) -> None:
        previous(kind, value, traceback)
        if isinstance(value, BatchInterrupted):
            _uncaught.append(value)

    hook._uponai_batch_hook = True  # type: ignore[attr-defined]  # marks our hook: install once
    sys.excepthook = hook


@atexit.register
def _die_by_sigint() -> None:
    if not _uncaught:
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)


def run_in_thread(batch: SyncBatch) -> BatchResult:
    """A loop is already running here (a notebook cell): run the batch on a worker thread's
    own loop; a KeyboardInterrupt in this thread cancels it there and waits for the cleanup."""
    relay = Relay(batch.sink) if batch.sink is not None else None
    batch.sink = relay
    outcome: dict[str, Any] = {}
    loop = asyncio.new_event_loop()
    task = loop.create_task(batch.run())

    def target() -> None:
        try:
            outcome["result"] = loop.run_until_complete(task)
        except BaseException as exc:  # handed over to the calling thread
            outcome["error"] = exc
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def wait() -> None:
        while thread.is_alive():
            thread.join(0.05)
            if relay is not None:
                relay.drain()
        if relay is not None:
            relay.drain()

    thread = threading.Thread(target=target, name="uponai-clone-voices", daemon=True)
    thread.start()
    try:
        wait()
    except KeyboardInterrupt:
        with contextlib.suppress(RuntimeError):  # the loop already closed: nothing to cancel
            loop.call_soon_threadsafe(task.cancel)
        wait()
        interrupted = batch.interrupted()
        if interrupted is not None:
            raise interrupted from None
        raise
    if batch.partial:  # cancelled from inside (a progress callback's KeyboardInterrupt, say)
        raise BatchInterrupted(batch.partial[0]) from None
    if "error" in outcome:
        error: BaseException = outcome["error"]
        raise error
    result: BatchResult = outcome["result"]
    return result
