"""Batch cloning: `clone_voices` / `clone_voices_async` run many clone jobs with bounded concurrency.

Each job goes through `clone_voice_async` (validation, streaming, the connection's retry
policy); a failure becomes a ``failed`` row and never stops the other jobs. The result table
(`BatchResult`) is the record of what exists: pass it (or its saved CSV/JSON) as ``resume=`` to
skip the jobs already created.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import queue
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import attrs
import httpx

from uponai_client import AuthenticatedClient

from .._clone import clone_voice_async
from .._connection import Connection, as_connection
from .._errors import redact
from ._jobs import Job, jobs_from_folder, prepare_jobs
from ._progress import BatchProgressCallback, Progress, ProgressSink, make_sink
from ._result import BatchResult, BatchRow

__all__ = [
    "BatchInterrupted",
    "BatchResult",
    "BatchRow",
    "clone_voices",
    "clone_voices_async",
    "jobs_from_folder",
    "partial_result",
]

Resume = BatchResult | str | os.PathLike[str] | None
OnProgress = BatchProgressCallback | Literal[False] | None

_NOT_STARTED = "cancelled before its upload started: no voice was created"
_MID_UPLOAD = (
    "cancelled during the upload: the voice may or may not exist on the server; "
    "check the workspace before cloning it again"
)


class BatchInterrupted(KeyboardInterrupt):
    """`clone_voices` was interrupted (Ctrl-C, kernel interrupt); `.result` is the partial table."""

    def __init__(self, result: BatchResult) -> None:
        super().__init__(
            f"batch interrupted: {result.summary()}. The partial table is this exception's "
            "`.result` (in IPython also `sys.last_value.result`); save it and pass it as "
            "resume= to clone the rest."
        )
        self.result = result


def _cancelled_with(result: BatchResult) -> asyncio.CancelledError:
    """A plain `CancelledError` carrying the partial table as ``.result``.

    Not a subclass: asyncio (3.11's `asyncio.timeout`, `TaskGroup`) recognises cancellation by
    the exact type, so a subclass would turn a timeout into a stray cancellation.
    """
    error = asyncio.CancelledError(f"batch cancelled: {result.summary()}")
    error.result = result  # type: ignore[attr-defined]  # attached for the caller, see partial_result
    return error


def partial_result(error: BaseException) -> BatchResult | None:
    """The partial `BatchResult` an interrupted batch left on `error`, or None.

    Works for `BatchInterrupted` (sync `clone_voices`), the `asyncio.CancelledError` of a
    cancelled `clone_voices_async`, and errors caused by them, such as the `TimeoutError` of
    ``asyncio.timeout(...)`` around the batch (it follows ``__cause__`` / ``__context__``).
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        result = getattr(current, "result", None)
        if isinstance(result, BatchResult):
            return result
        current = current.__cause__ or current.__context__
    return None


def _describe(error: BaseException, secrets: tuple[str, ...]) -> str:
    """A readable one-paragraph error for the table, never holding the token."""
    return redact(f"{type(error).__name__}: {error}", secrets)


def _previous(resume: Resume) -> dict[str, BatchRow]:
    """Rows of the resumed run whose voice exists, by name."""
    if resume is None:
        return {}
    previous = resume if isinstance(resume, BatchResult) else BatchResult.from_file(resume)
    return {row.name: row for row in previous.rows if row.done}


class _BatchRun:
    """One batch: the rows as they finish, the progress counters, the jobs still to start."""

    def __init__(self, connection: Connection, jobs: list[Job], progress: Progress) -> None:
        self.connection = connection
        self.jobs = jobs
        self.progress = progress
        self.rows: list[BatchRow | None] = [None] * len(jobs)
        self.secrets = tuple(s for s in (connection.client.token,) if s)

    def _finish(self, job: Job, row: BatchRow) -> None:
        self.rows[job.index] = row
        self.progress.job_finished(failed=row.status == "failed")

    async def _run_job(self, job: Job) -> None:
        started = time.monotonic()
        sent = 0
        body_started = False

        def on_bytes(so_far: int, _total: int) -> None:
            nonlocal sent, body_started
            body_started = True  # the first report (0 bytes) comes as the body starts
            self.progress.add_bytes(so_far - sent)
            sent = max(sent, so_far)

        reason = job.kwargs.get("impersonation_reason")
        secrets = (*self.secrets, reason) if isinstance(reason, str) and reason else self.secrets
        try:
            voice = await clone_voice_async(self.connection, **job.kwargs, on_progress=on_bytes)
        except asyncio.CancelledError:
            # No progress report at all: the body never started, so no voice can exist.
            error = _MID_UPLOAD if body_started else _NOT_STARTED
            self.rows[job.index] = BatchRow(
                job.name, "cancelled", None, error, sent, time.monotonic() - started
            )
            raise
        except Exception as exc:  # one job's failure, whatever it is, never stops the others
            row = BatchRow(
                job.name, "failed", None, _describe(exc, secrets), sent, time.monotonic() - started
            )
        else:
            row = BatchRow(
                job.name, "created", voice.voice_id, "", sent, time.monotonic() - started
            )
        self._finish(job, row)

    async def _worker(self, pending: Iterator[Job]) -> None:
        for job in pending:  # the iterator is shared: each worker takes the next job
            await self._run_job(job)

    def _result(self, *, interrupted: bool) -> BatchResult:
        rows = [
            row or BatchRow(job.name, "cancelled", None, _NOT_STARTED)
            for job, row in zip(self.jobs, self.rows, strict=True)
        ]
        return BatchResult(rows, interrupted=interrupted)

    async def run(self, previous: dict[str, BatchRow], concurrency: int) -> BatchResult:
        """Run every job (skipping those `previous` records) and return the table."""
        self.progress.start()
        to_run = []
        for job in self.jobs:
            done = previous.get(job.name)
            if job.problem is not None:
                self._finish(job, BatchRow(job.name, "failed", None, job.problem))
            elif done is not None:
                self._finish(job, BatchRow(job.name, "skipped", done.voice_id))
            else:
                to_run.append(job)
        pending = iter(to_run)
        workers = [
            asyncio.ensure_future(self._worker(pending))
            for _ in range(min(concurrency, len(to_run)))
        ]
        try:
            await asyncio.gather(*workers)
        except BaseException as exc:
            # Cancelled (or a progress callback raised): stop new uploads, cancel running ones.
            for worker in workers:
                worker.cancel()
            if workers:
                await asyncio.wait(workers)
            result = self._result(interrupted=True)
            self.progress.finish(result)
            if isinstance(exc, asyncio.CancelledError):
                raise _cancelled_with(result) from None
            if isinstance(exc, KeyboardInterrupt):  # raised inside this coroutine's frame
                raise BatchInterrupted(result) from None
            raise
        result = self._result(interrupted=False)
        self.progress.finish(result)
        return result


def _check_concurrency(concurrency: object) -> int:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be a positive integer, got {concurrency!r}")
    return concurrency


async def clone_voices_async(
    connection: Connection | AuthenticatedClient,
    jobs: object,
    *,
    concurrency: int = 8,
    on_progress: OnProgress = None,
    resume: Resume = None,
) -> BatchResult:
    """Clone many voices, at most `concurrency` uploads at a time; see `clone_voices`.

    Uses the connection's own async HTTP client, so call it on one event loop per connection.
    Cancelling the task stops new uploads and cancels the running ones (their files are closed);
    it then raises `asyncio.CancelledError` whose ``.result`` is the partial `BatchResult`
    (jobs that did not finish are ``cancelled`` rows); `partial_result(error)` finds it, also
    through the `TimeoutError` of an ``asyncio.timeout(...)`` around the call.
    """
    limit = _check_concurrency(concurrency)
    conn = as_connection(connection)
    prepared = prepare_jobs(jobs)
    previous = _previous(resume)
    progress = Progress(make_sink(on_progress, len(prepared)), len(prepared))
    return await _BatchRun(conn, prepared, progress).run(previous, limit)


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
    if conn.client._verify_ssl is True:
        ca = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        changes["verify_ssl"] = _default_ssl_context(*ca)
    client = attrs.evolve(conn.client, **changes)
    return Connection(client, retry=conn.retry, timeout=conn.timeout, limits=conn.limits)


@dataclass
class _SyncBatch:
    """A `clone_voices` call, prepared in the calling thread, run on a loop of its own."""

    connection: Connection | AuthenticatedClient
    jobs: list[Job]
    previous: dict[str, BatchRow]
    sink: ProgressSink | None
    concurrency: int
    partial: list[BatchResult] = field(default_factory=list)

    async def run(self) -> BatchResult:
        private = _private_connection(self.connection)
        progress = Progress(self.sink, len(self.jobs))
        try:
            return await _BatchRun(private, self.jobs, progress).run(
                self.previous, self.concurrency
            )
        except asyncio.CancelledError as cancelled:
            result = partial_result(cancelled)
            if result is not None:
                self.partial.append(result)
            raise
        finally:
            await private.aclose()

    def interrupted(self) -> BatchInterrupted | None:
        return BatchInterrupted(self.partial[0]) if self.partial else None


class _Relay:
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


def _run_here(batch: _SyncBatch) -> BatchResult:
    """No loop is running (a script): run one; Ctrl-C cancels the batch's task."""
    with asyncio.Runner() as runner:
        try:
            return runner.run(batch.run())
        except (KeyboardInterrupt, asyncio.CancelledError):
            interrupted = batch.interrupted()
            if interrupted is not None:
                raise interrupted from None
            raise


def _run_in_thread(batch: _SyncBatch) -> BatchResult:
    """A loop is already running here (a notebook cell): run the batch on a worker thread's
    own loop; a KeyboardInterrupt in this thread cancels it there and waits for the cleanup."""
    relay = _Relay(batch.sink) if batch.sink is not None else None
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
    interrupted = batch.interrupted()
    if interrupted is not None:
        raise interrupted from None
    if "error" in outcome:
        error: BaseException = outcome["error"]
        raise error
    result: BatchResult = outcome["result"]
    return result


def clone_voices(
    connection: Connection | AuthenticatedClient,
    jobs: object,
    *,
    concurrency: int = 8,
    on_progress: OnProgress = None,
    resume: Resume = None,
) -> BatchResult:
    """Clone many voices, at most `concurrency` uploads at a time, and return the result table.

    Args:
        connection: a `Connection` from `connect()` (or an `AuthenticatedClient`); its retry
            policy applies to every job.
        jobs: a list of dicts of `clone_voice` keyword arguments (``name``, ``provider``,
            ``workspace_id``, ``samples``, optional ``actor_type``, ``provider_id``,
            ``tenant_id``, ``impersonation_reason``, ``timeout``), a pandas DataFrame with those
            columns (empty cells are left out), or `jobs_from_folder(...)`. **Job names must be
            unique within a batch**: the name identifies a job when resuming (a `ValueError`
            is raised before anything is sent otherwise).
        concurrency: how many uploads run at the same time.
        on_progress: None shows progress (an ipywidgets view in a notebook, a tqdm bar on
            stderr elsewhere, nothing if neither is installed); False shows nothing; a callable
            ``on_progress(done, failed, total, bytes_sent)`` is called instead.
        resume: a previous `BatchResult`, or the path of its `to_csv` / `to_json` file: jobs
            whose voice it records (``created``, or ``skipped`` with a voice id) are not sent
            again and appear as ``skipped`` rows with that voice id. ``failed`` and
            ``cancelled`` jobs run again; a job cancelled *during* its upload (its error says so)
            may already exist on the server.

    Returns:
        A `BatchResult` with one row per job, in job order. A job that fails (validation,
        HTTP error after the policy's retries, anything else) is a ``failed`` row with a
        readable error; invalid jobs fail without a request.

    Raises:
        BatchInterrupted: on Ctrl-C / a kernel interrupt, after new uploads are stopped and
            running ones cancelled (files closed); it is a `KeyboardInterrupt` whose
            ``.result`` is the partial table (unfinished jobs are ``cancelled`` rows).

    Works in scripts and inside a running event loop (a notebook cell: the batch then runs on
    a worker thread's own loop; ``on_progress`` and the display are still updated from the
    calling thread, where consecutive updates may be merged into the latest). It uses a private copy of the connection's HTTP clients, closed at the
    end. In async code, prefer ``await clone_voices_async(...)``.
    """
    batch = _SyncBatch(
        connection,
        prepare_jobs(jobs),
        _previous(resume),
        None,
        _check_concurrency(concurrency),
    )
    as_connection(connection)  # a wrong type fails here, before any display appears
    batch.sink = make_sink(on_progress, len(batch.jobs))
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_here(batch)
    return _run_in_thread(batch)
