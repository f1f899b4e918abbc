"""`uponai-voices batch`: many voices through `clone_voices`, the table written to `--out`.

Progress goes to stderr (a bar on a terminal, else one line per finished job, then the summary);
stdout gets one line per job: status, name, and the voice id or the reason it failed. Every job
is recorded in a journal beside the table (``OUT.journal``) before its request starts and when
its outcome is known, so a run killed at any instant is resumed with the same command plus
``--resume OUT``: jobs in flight at the kill are ``unknown`` and are not sent again. The table
is written on success, on failure and when interrupted (Ctrl-C, SIGTERM, SIGHUP).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import BatchInterrupted, BatchResult, OperationUnavailableError, clone_voices
from ..batch._journal import BatchLockedError, journal_beside, resume_rows
from ._connect import check_settings, open_connection
from ._errors import FAILED, INTERRUPTED, OK, USAGE, CliError
from ._explain import cli_words
from ._jobs import load_jobs
from ._output import BatchReport, add_secret, shown
from ._signals import Stops, deferred_stops, stop_like_ctrl_c

__all__ = ["run_batch"]

_DONE = ("created", "skipped")
_HINTS = {  # a failed row's reason ends like the SDK's errors: "... (HTTP 404)"
    "(HTTP 401": "the API refused the key: check UPONAI_API_KEY (read only from there).",
    "(HTTP 404": "no such address or resource: check --base-url / UPONAI_BASE_URL: does "
    "the URL include the API's base path?",
}


def _same(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except (OSError, RuntimeError):
        return False


def _exists(path: Path) -> bool:
    return path.exists() or journal_beside(path).exists()


def _check_out(out: Path) -> None:
    """The results file's name and folder: checked before the jobs are read."""
    if out.suffix.lower() not in (".csv", ".json"):
        raise CliError(f"--out {shown(out)}: the results file must end in .csv or .json")
    if out.is_dir():
        raise CliError(f"--out {shown(out)}: is a folder; give the results file's name")
    if not out.parent.resolve().is_dir():
        raise CliError(f"--out {shown(out)}: the folder {shown(out.parent)} does not exist")


def _check_writable(out: Path) -> None:
    """The table is written beside itself and renamed over; the journal is appended to."""
    try:
        with tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}.", suffix=".check"):
            pass
    except OSError as exc:
        raise CliError(
            f"--out {shown(out)}: cannot write in {shown(out.parent)} ({exc.strerror}); "
            "nothing was sent"
        ) from None
    journal = journal_beside(out)
    if journal.exists() and not os.access(journal, os.W_OK):
        raise CliError(f"--out {shown(out)}: its journal {shown(journal)} is not writable")


def _check_not_an_input(out: Path, source: Path, jobs: list[dict[str, Any]]) -> None:
    """`--out` (or its journal) must not overwrite what the batch reads."""
    written = (out, journal_beside(out))
    if source.is_file() and any(_same(path, source) for path in written):
        raise CliError(
            f"--out {shown(out)} is the jobs file {shown(source)}: writing the results would "
            "overwrite it; choose another --out (nothing was sent)"
        )
    for job in jobs:
        for sample in job.get("samples") or ():
            if isinstance(sample, str | os.PathLike) and any(
                _same(path, Path(sample)) for path in written
            ):
                raise CliError(
                    f"--out {shown(out)} is a sample of job {shown(job.get('name'))}: writing "
                    "the results would overwrite it; choose another --out (nothing was sent)"
                )


def _check_journal(out: Path, resume: Path | None) -> None:
    """An earlier run recorded beside `out` is continued only with ``--resume OUT``."""
    journal = journal_beside(out)
    resumed = resume is not None and (_same(resume, out) or _same(resume, journal))
    if resumed or not journal.exists() or journal.stat().st_size == 0:
        return
    raise CliError(
        f"--out {shown(out)}: its journal {shown(journal)} records an earlier run of this "
        f"batch. Run the same command with --resume {shown(out)} to continue it (voices that "
        "exist or may exist are not sent again), or choose another --out. Nothing was sent."
    )


def _check_resume(path: Path) -> None:
    try:
        resume_rows(path)
    except FileNotFoundError:
        raise CliError(
            f"--resume {shown(path)}: no such file (nor its journal). For a first run leave "
            "--resume out, or give it the same file as --out (it then starts fresh)"
        ) from None
    except (OSError, ValueError) as exc:
        raise CliError(f"--resume {shown(path)}: not a results table ({shown(exc)})") from None


def _save(result: BatchResult, out: Path) -> None:
    try:
        if out.suffix.lower() == ".json":
            result.to_json(out)
        else:
            result.to_csv(out)
    except OSError as exc:
        journal = shown(journal_beside(out))
        raise CliError(
            f"--out {shown(out)}: cannot write it ({exc.strerror}); every job is recorded in "
            f"{journal}: run again with --resume {shown(out)} once it can be written",
            FAILED,
        ) from None


def _print_rows(result: BatchResult, out: Path) -> None:
    for row in result:
        detail = row.voice_id or " ".join(cli_words(row.error).split())  # one line per job
        print(f"{row.status:<9} {shown(row.name)}  {shown(detail)}")
    refused = {
        code for row in result if row.status == "failed" for code in _HINTS if code in row.error
    }
    for code in sorted(refused):
        print(f"hint: {_HINTS[code]}", file=sys.stderr)
    unknown = result.counts().get("unknown", 0)
    if unknown:
        print(
            f"{unknown} job(s) unknown: their request may have created the voice. Check the "
            f"workspace's voices; only then run again with --resume {shown(out)} "
            "--resend-unknown."
        )


def _finish(result: BatchResult, out: Path, report: BatchReport, stops: Stops) -> bool:
    """Save the table and print it; signals wait until it is saved. True if one came."""
    interrupted = False
    while True:
        try:
            with deferred_stops(stops):
                _save(result, out)
                report.finish(result.summary())
                _print_rows(result, out)
            return interrupted or stops.last is not None
        except KeyboardInterrupt:  # arrived before the signals were deferred: save anyway
            interrupted = True


def run_batch(
    source: Path,
    *,
    out: Path,
    defaults: dict[str, Any],
    concurrency: int,
    resume: Path | None,
    resend_unknown: bool,
    reconcile: bool,
    base_url: str | None,
    transform_jobs: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None,
) -> int:
    """Run the batch; 0 when every voice exists, 1 when a job failed, was cancelled or is unknown."""
    add_secret(defaults.get("impersonation_reason"))
    _check_out(out)
    if resend_unknown and resume is None:
        raise CliError("--resend-unknown needs --resume RESULTS (the table with the unknown jobs)")
    _check_journal(out, resume)
    if resume is not None and (
        not _same(resume, out) or out.exists() or journal_beside(out).exists()
    ):
        _check_resume(resume)
    elif resume is not None:  # the same --resume and --out with neither file yet: a first run
        print(
            f"note: --resume {shown(resume)}: no results there yet, so this is a fresh batch "
            "(the table will be written there; the same command resumes it after any stop)",
            file=sys.stderr,
        )
    jobs = load_jobs(source, defaults)
    _check_not_an_input(out, source, jobs)
    _check_writable(out)
    check_settings(base_url)  # before any preparation
    if transform_jobs is not None:  # e.g. --prepare: the jobs' samples replaced before sending
        jobs = transform_jobs(jobs)
    for job in jobs:
        add_secret(job.get("impersonation_reason"))
    report = BatchReport(len(jobs))
    stops = Stops()
    stopped = False
    with open_connection(base_url) as connection:
        try:
            with stop_like_ctrl_c(stops):
                result = clone_voices(
                    connection,
                    jobs,
                    concurrency=concurrency,
                    on_progress=report,
                    resume=resume if resume is not None and _exists(resume) else None,
                    resend_unknown=resend_unknown,
                    reconcile=reconcile,
                    journal=journal_beside(out),
                )
        except BatchInterrupted as interrupted:
            result, stopped = interrupted.result, True
        except BatchLockedError as exc:
            raise CliError(shown(exc.message), USAGE) from None
        except ValueError as exc:  # duplicate job names, a damaged journal: nothing was sent
            raise CliError(f"{shown(source)}: {shown(exc)}") from None
        except OSError as exc:  # the journal cannot be written: nothing was sent
            raise CliError(f"--out {shown(out)}: cannot keep its journal ({shown(exc)})") from None
        except OperationUnavailableError as exc:  # --reconcile without a listing: nothing sent
            raise CliError(f"--reconcile: {shown(exc.message)}") from None
        finally:
            report.stop()
    stopped = _finish(result, out, report, stops) or stopped
    if not stopped:
        return OK if all(row.status in _DONE for row in result) else FAILED
    if result.interrupted:
        print(
            f"interrupted: the partial table is in {shown(out)}; run the same command with "
            f"--resume {shown(out)} to clone the rest (jobs that were in flight are unknown "
            "and are not sent again)"
        )
    else:
        print(f"interrupted after every job had finished: the whole table is in {shown(out)}")
    return stops.exit_status(INTERRUPTED)
