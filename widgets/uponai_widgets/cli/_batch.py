"""`uponai-voices batch`: many voices through `clone_voices`, the table written to `--out`.

Progress goes to stderr (a bar on a terminal, else one line per finished job, then the summary);
stdout gets one line per job: status, name, and the voice id or the reason it failed. The table
is written on success, on failure and when interrupted, so ``--resume`` can pick up from it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import BatchInterrupted, BatchResult, OperationUnavailableError, clone_voices
from ._connect import open_connection
from ._errors import FAILED, INTERRUPTED, OK, CliError
from ._jobs import load_jobs
from ._output import BatchReport, add_secret

__all__ = ["run_batch"]

_DONE = ("created", "skipped")


def _check_out(out: Path) -> None:
    if out.suffix.lower() not in (".csv", ".json"):
        raise CliError(f"--out {out}: the results file must end in .csv or .json")
    if not out.parent.resolve().is_dir():
        raise CliError(f"--out {out}: the folder {out.parent} does not exist")


def _load_resume(path: Path) -> BatchResult:
    try:
        return BatchResult.from_file(path)
    except FileNotFoundError:
        raise CliError(f"--resume {path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise CliError(f"--resume {path}: not a results table ({exc})") from None


def _save(result: BatchResult, out: Path) -> None:
    try:
        if out.suffix.lower() == ".json":
            result.to_json(out)
        else:
            result.to_csv(out)
    except OSError as exc:
        raise CliError(f"--out {out}: cannot write it ({exc.strerror})", FAILED) from None


def _print_rows(result: BatchResult, out: Path) -> None:
    for row in result:
        detail = row.voice_id or " ".join(row.error.split())  # one line per job
        print(f"{row.status:<9} {row.name}  {detail}")
    unknown = result.counts().get("unknown", 0)
    if unknown:
        print(
            f"{unknown} job(s) unknown: their request may have created the voice. Check the "
            f"workspace's voices; only then run again with --resume {out} --resend-unknown."
        )


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
    jobs = load_jobs(source, defaults)
    if transform_jobs is not None:  # e.g. --prepare: the jobs' samples replaced before sending
        jobs = transform_jobs(jobs)
    for job in jobs:
        add_secret(job.get("impersonation_reason"))
    previous = _load_resume(resume) if resume is not None else None
    report = BatchReport(len(jobs))
    with open_connection(base_url) as connection:
        try:
            result = clone_voices(
                connection,
                jobs,
                concurrency=concurrency,
                on_progress=report,
                resume=previous,
                resend_unknown=resend_unknown,
                reconcile=reconcile,
            )
        except BatchInterrupted as stopped:
            _save(stopped.result, out)
            report.finish(stopped.result.summary())
            _print_rows(stopped.result, out)
            print(f"interrupted: the partial table is in {out}; run again with --resume {out}")
            return INTERRUPTED
        except ValueError as exc:  # duplicate job names: nothing was sent
            raise CliError(f"{source}: {exc}") from None
        except OperationUnavailableError as exc:  # --reconcile without a listing: nothing sent
            raise CliError(f"--reconcile: {exc.message}") from None
        finally:
            report.stop()
    _save(result, out)
    report.finish(result.summary())
    _print_rows(result, out)
    return OK if all(row.status in _DONE for row in result) else FAILED
