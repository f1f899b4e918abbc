"""Batch cloning: `clone_voices` / `clone_voices_async` run many clone jobs with bounded concurrency.

Each job goes through `clone_voice_async` (validation, streaming, the connection's retry
policy); a failure becomes a ``failed`` row and never stops the other jobs. The result table
(`BatchResult`) is the record of what exists: pass it (or its saved CSV/JSON) as ``resume=`` to
skip the jobs already created.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import functools
import time
from collections.abc import Iterator
from typing import Literal

from uponai_client import AuthenticatedClient
from uponai_client.models import Voice

from .._clone import clone_voice_async_tracked
from .._clone_request import accepted_text
from .._connection import Connection, as_connection
from .._errors import OutcomeUnknownError, UponAIError, redact
from .._field_rules import secret_values
from .._find import find_voices_async, require_voice_listing
from .._progress import UploadState
from .._secret import Secret
from ._bridge import SyncBatch, run_here, run_in_thread
from ._interrupt import BatchInterrupted, cancelled_with, partial_result
from ._jobs import Job, jobs_from_folder, prepare_jobs
from ._journal import BatchLockedError, Journal
from ._progress import BatchProgressCallback, Progress, ProgressSink, make_sink
from ._result import UNKNOWN_ADVICE, BatchResult, BatchRow, Status
from ._resume import JournalPath, Resume, RunFiles, previous_rows

__all__ = [
    "BatchInterrupted",
    "BatchLockedError",
    "BatchResult",
    "BatchRow",
    "clone_voices",
    "clone_voices_async",
    "jobs_from_folder",
    "partial_result",
]

OnProgress = BatchProgressCallback | Literal[False] | None

_NOT_STARTED = "cancelled before its upload started: no voice was created"
_PARTIAL_UPLOAD = (
    "cancelled before its request was complete: the server cannot have created the voice"
)
_CANCELLED_UNKNOWN = (
    "unknown: cancelled after the whole request was sent, before the answer: the voice may "
    f"or may not exist; {UNKNOWN_ADVICE}"
)
_WAITING = "cancelled while waiting to send it again after HTTP "
_KEPT_UNKNOWN = f"unknown since an earlier run, not sent again; {UNKNOWN_ADVICE}"


def _describe(error: BaseException, secrets: tuple[Secret, ...]) -> str:
    """A readable one-paragraph error for the table, never holding the token."""
    return redact(f"{type(error).__name__}: {error}", secrets)


def _unknown_text(error: OutcomeUnknownError, secrets: tuple[Secret, ...]) -> str:
    return redact(f"unknown: {error}. Then: {UNKNOWN_ADVICE}", secrets)


class _BatchRun:
    """One batch: the rows as they finish, the progress counters, the jobs still to start."""

    def __init__(
        self,
        connection: Connection,
        jobs: list[Job],
        progress: Progress,
        reconcile: bool = False,
        journal: Journal | None = None,
    ) -> None:
        self.connection = connection
        self.jobs = jobs
        self.progress = progress
        self.reconcile = reconcile
        self.journal = journal
        self.attempted: dict[int, datetime.datetime] = {}
        self.rows: list[BatchRow | None] = [None] * len(jobs)
        self.secrets = (connection.token,)

    def _secrets(self, job: Job) -> tuple[Secret, ...]:
        """What to redact from the job's error: the token and the job's reason."""
        return (*self.secrets, *secret_values(job.kwargs))

    def _record(self, job: Job, row: BatchRow) -> None:
        self.rows[job.index] = row
        if self.journal is not None:
            self.journal.outcome(row)

    def _finish(self, job: Job, row: BatchRow) -> None:
        self._record(job, row)
        self.progress.job_finished(failed=row.status == "failed")

    async def _run_job(self, job: Job) -> None:
        started = time.monotonic()
        self.attempted[job.index] = datetime.datetime.now(datetime.UTC)
        sent = 0
        state = UploadState()

        def on_bytes(so_far: int, _total: int) -> None:
            nonlocal sent
            self.progress.add_bytes(so_far - sent)
            sent = max(sent, so_far)

        def row(status: Status, voice_id: str | None = None, error: str = "") -> BatchRow:
            return BatchRow(job.name, status, voice_id, error, sent, time.monotonic() - started)

        if self.journal is not None:  # durable before a byte can leave: a kill leaves it unknown
            self.journal.sending(job.name)
        try:  # no local holds the job's fields (a reason): verbose tracebacks show locals
            voice = await clone_voice_async_tracked(
                self.connection,
                state,
                samples=job.kwargs["samples"],
                timeout=job.kwargs.get("timeout"),
                fields=job.request_fields(),
                on_progress=on_bytes,
            )
        except asyncio.CancelledError:
            if state.possibly_created:
                self._record(job, row("unknown", None, _CANCELLED_UNKNOWN))
            elif state.read_status is not None:  # waiting to retry after a 429 / 503
                error = f"{_WAITING}{state.read_status}: no voice was created"
                self._record(job, row("cancelled", None, error))
            else:
                error = _PARTIAL_UPLOAD if state.started else _NOT_STARTED
                self._record(job, row("cancelled", None, error))
            raise
        except OutcomeUnknownError as exc:
            result = row("unknown", None, _unknown_text(exc, self._secrets(job)))
        except Exception as exc:  # one job's failure, whatever it is, never stops the others
            result = row("failed", None, _describe(exc, self._secrets(job)))
        else:
            if isinstance(voice, Voice):
                result = row("created", voice.voice_id)
            else:
                result = row("accepted", None, accepted_text(voice))
        self._finish(job, result)

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
            elif done is not None and done.status == "unknown":
                self._finish(job, BatchRow(job.name, "unknown", None, _KEPT_UNKNOWN))
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
                raise cancelled_with(result) from None
            if isinstance(exc, KeyboardInterrupt):  # raised inside this coroutine's frame
                raise BatchInterrupted(result) from None
            raise
        if self.reconcile:
            await self._settle_unknown()
        result = self._result(interrupted=False)
        self.progress.finish(result)
        return result

    async def _settle_unknown(self) -> None:
        """Settle this run's ``unknown`` rows by listing the workspace's voices of their name."""
        for job in self.jobs:
            row = self.rows[job.index]
            attempted = self.attempted.get(job.index)
            if row is None or row.status != "unknown" or attempted is None:
                continue
            self._record(job, await self._settled(job, row, attempted))

    async def _settled(self, job: Job, row: BatchRow, attempted: datetime.datetime) -> BatchRow:
        name = str(job.kwargs.get("name", job.name)).strip()
        workspace = job.kwargs["workspace_id"]
        try:
            voices = await find_voices_async(
                self.connection, workspace_id=workspace, name=name, created_since=attempted
            )
        except UponAIError as exc:
            note = f" Reconcile could not check the workspace: {_describe(exc, self.secrets)}"
            return dataclasses.replace(row, error=row.error + note)
        if len(voices) == 1:
            return dataclasses.replace(row, status="created", voice_id=voices[0].voice_id, error="")
        if not voices:
            return dataclasses.replace(
                row,
                status="failed",
                error=(
                    f"settled: workspace {workspace} has no voice named {name!r} created since "
                    "the attempt, so none was created; resume= sends it again"
                ),
            )
        ids = ", ".join(voice.voice_id for voice in voices)
        note = f" {len(voices)} voices named {name!r} were created since the attempt: {ids}."
        return dataclasses.replace(row, error=row.error + note)


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
    resend_unknown: bool = False,
    reconcile: bool = False,
    journal: JournalPath = None,
) -> BatchResult:
    """Clone many voices, at most `concurrency` uploads at a time; see `clone_voices`.

    Uses the connection's own async HTTP client, so call it on one event loop per connection.
    Cancelling the task stops new uploads and cancels the running ones (their files are closed);
    it then raises `asyncio.CancelledError` whose ``.result`` is the partial `BatchResult`
    (jobs that did not finish are ``cancelled``, or ``unknown`` when their whole request had
    gone out); `partial_result(error)` finds it, also
    through the `TimeoutError` of an ``asyncio.timeout(...)`` around the call.
    """
    try:
        prepared = prepare_jobs(jobs)
    finally:
        del jobs  # the caller's records hold secrets in clear: no frame here keeps them
    limit = _check_concurrency(concurrency)
    conn = as_connection(connection)
    if reconcile:
        require_voice_listing()
    files = RunFiles(journal, resume)
    try:
        previous = previous_rows(resume, resend_unknown, files.journal)
        progress = Progress(make_sink(on_progress, len(prepared)), len(prepared))
        run = _BatchRun(conn, prepared, progress, reconcile, files.journal)
        return await run.run(previous, limit)
    finally:
        files.close()


async def _run_batch(
    connection: Connection,
    jobs: list[Job],
    previous: dict[str, BatchRow],
    sink: ProgressSink | None,
    concurrency: int,
    *,
    reconcile: bool,
    journal: Journal | None,
) -> BatchResult:
    run = _BatchRun(connection, jobs, Progress(sink, len(jobs)), reconcile, journal)
    return await run.run(previous, concurrency)


def clone_voices(
    connection: Connection | AuthenticatedClient,
    jobs: object,
    *,
    concurrency: int = 8,
    on_progress: OnProgress = None,
    resume: Resume = None,
    resend_unknown: bool = False,
    reconcile: bool = False,
    journal: JournalPath = None,
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
        resume: a previous `BatchResult`, or the path of its `to_csv` / `to_json` file (the
            journal beside it is read too, and the table may be missing when the journal is
            there) or of a journal: jobs whose voice it records (``created``, or ``skipped``
            with a voice id) are not sent again and appear as ``skipped`` rows with that voice
            id; ``unknown`` rows stay ``unknown`` and are not sent; ``failed`` and
            ``cancelled`` jobs run again.
        journal: a file where each job is recorded, durably (appended, flushed, fsynced),
            before its request starts and when its outcome is known; usually
            ``"results.csv.journal"`` beside the table. If it already holds an earlier run of
            the batch (one that was killed, say), that run is resumed: its done and
            ``unknown`` jobs, and the jobs it had in flight, are not sent again. While the
            batch runs the journal is locked: another process passing it (or a table beside
            it as ``resume=``) gets `BatchLockedError` before anything is sent.
        resend_unknown: send the resumed table's ``unknown`` jobs again. Only after checking
            the workspace: a voice that was in fact created would then exist twice.
        reconcile: at the end, settle this run's ``unknown`` rows by listing the workspace's
            voices of that name (`find_voices`): exactly one created since the attempt makes
            the row ``created`` with its id; none makes it ``failed`` (safe to send again);
            several leave it ``unknown``, listing their ids. Needs a spec with an operation
            that lists voices by name: `OperationUnavailableError` before anything is sent
            otherwise.

    Returns:
        A `BatchResult` with one row per job, in job order. A job that fails (validation,
        HTTP error after the policy's retries, anything else) is a ``failed`` row with a
        readable error; invalid jobs fail without a request. A job whose whole request went
        out without a readable answer is an ``unknown`` row (`OutcomeUnknownError`).

    Raises:
        BatchInterrupted: on Ctrl-C / a kernel interrupt, after new uploads are stopped and
            running ones cancelled (files closed); it is a `KeyboardInterrupt` whose
            ``.result`` is the partial table (unfinished jobs are ``cancelled`` rows, or
            ``unknown`` when their whole request had gone out). Uncaught in a script, it ends
            the process like a plain Ctrl-C (exit status 130).

    Works in scripts and inside a running event loop (a notebook cell: the batch then runs on
    a worker thread's own loop; ``on_progress`` and the display are still updated from the
    calling thread, where consecutive updates may be merged into the latest). It uses a
    private copy of the connection's HTTP clients, closed at the end. In async code, prefer
    ``await clone_voices_async(...)``.
    """
    try:
        prepared = prepare_jobs(jobs)
    finally:
        del jobs  # the caller's records hold secrets in clear: no frame here keeps them
    if reconcile:
        require_voice_listing()
    limit = _check_concurrency(concurrency)
    as_connection(connection)  # a wrong type fails here, before any display appears
    files = RunFiles(journal, resume)
    try:
        batch = SyncBatch(
            connection,
            prepared,
            previous_rows(resume, resend_unknown, files.journal),
            None,
            limit,
            runner=functools.partial(_run_batch, reconcile=reconcile, journal=files.journal),
        )
        batch.sink = make_sink(on_progress, len(batch.jobs))
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return run_here(batch)
        return run_in_thread(batch)
    finally:
        files.close()
