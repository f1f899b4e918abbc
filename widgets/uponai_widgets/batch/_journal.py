"""The batch journal: what a batch is about to send and what came of it, on disk before it matters.

One JSON object per line, appended, flushed and fsynced: ``sending`` before a job's request
starts, ``outcome`` (the job's row) once it is known. A process killed at any instant (SIGKILL,
a power loss) leaves every job it may have sent recorded; replaying the file gives the rows
back, a job ``sending`` without an ``outcome`` being ``unknown``. A torn last line (the write
the kill interrupted) is ignored: its request had not started.

While a batch runs it holds an exclusive lock on its journal (`flock`, released by the kernel
when the process dies), so a second process resuming the same batch refuses to start instead
of sending the same jobs again.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from .._errors import UponAIError
from ._result import UNKNOWN_ADVICE, BatchResult, BatchRow, row_from_mapping

__all__ = [
    "IN_FLIGHT",
    "JOURNAL_SUFFIX",
    "BatchLockedError",
    "Journal",
    "hold_lock",
    "journal_beside",
    "merge_previous",
    "read_journal",
    "resume_rows",
]

JOURNAL_SUFFIX = ".journal"
_FORMAT = "uponai-batch-journal"

IN_FLIGHT = (
    "unknown: its request had started when the batch was stopped (killed or interrupted) "
    f"and no answer was recorded: the voice may or may not exist; {UNKNOWN_ADVICE}"
)


class BatchLockedError(UponAIError):
    """Another process is running or resuming the same batch (its journal is locked).

    Nothing was sent: wait for the other process to end, then resume.
    """


def journal_beside(table: str | os.PathLike[str]) -> Path:
    """The journal kept beside a results file: ``results.csv`` -> ``results.csv.journal``."""
    path = Path(table)
    if path.name.endswith(JOURNAL_SUFFIX):
        return path
    return path.with_name(path.name + JOURNAL_SUFFIX)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


def _replay(lines: list[str], where: Path) -> dict[str, BatchRow]:
    """The rows the journal's lines record, by job name (in-flight jobs are ``unknown``)."""
    rows: dict[str, BatchRow] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not an object")
            event = record.get("event")
            if event == "sending":
                name = str(record["name"])
                rows[name] = BatchRow(name, "unknown", None, IN_FLIGHT)
            elif event == "outcome":
                row = row_from_mapping(record)
                rows[row.name] = row
        except (ValueError, KeyError, TypeError) as exc:
            if number == len(lines):
                break  # the write a kill interrupted: its request never started
            raise ValueError(f"{where} line {number} is damaged ({exc})") from None
    return rows


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_journal(path: str | os.PathLike[str]) -> dict[str, BatchRow]:
    """The rows a journal records, by job name (see the module docstring).

    Raises:
        FileNotFoundError: there is no such journal.
        ValueError: a line other than the last is not a journal record.
    """
    where = Path(path)
    return _replay(_lines(where.read_text(encoding="utf-8")), where)


def _rank(row: BatchRow) -> int:
    """How strongly a row says the voice may exist: kept over weaker rows when merging."""
    if row.done:
        return 2
    return 1 if row.status == "unknown" else 0


def merge_previous(*sources: Mapping[str, BatchRow]) -> dict[str, BatchRow]:
    """Rows of several records of one batch (tables, journals), by name; where they differ,
    the row that says the voice exists wins, then an unknown one: nothing that may exist is
    sent again."""
    merged: dict[str, BatchRow] = {}
    for source in sources:
        for name, row in source.items():
            known = merged.get(name)
            if known is None or _rank(row) >= _rank(known):
                merged[name] = row
    return merged


def resume_rows(path: str | os.PathLike[str]) -> dict[str, BatchRow]:
    """The rows of a saved batch: its table (CSV or JSON) and the journal beside it, merged.

    `path` may be the table or the journal; a table the batch never wrote (it was killed) is
    read from its journal alone.

    Raises:
        FileNotFoundError: neither the table nor its journal exists.
        ValueError: the file holds no batch table or journal.
    """
    given = Path(path)
    journal = journal_beside(given)
    sources: list[dict[str, BatchRow]] = []
    if given != journal and given.exists():
        sources.append({row.name: row for row in BatchResult.from_file(given)})
    if journal.exists():
        sources.append(read_journal(journal))
    if not sources:
        raise FileNotFoundError(f"no such results file or journal: {str(given)!r}")
    return merge_previous(*sources)


def _lock(handle: IO[Any], path: Path) -> None:
    """An exclusive lock on the open journal, or `BatchLockedError` when another process has it."""
    try:
        import fcntl
    except ImportError:  # no flock on this platform: the journal still works, unlocked
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = ""
        try:
            for line in reversed(_lines(path.read_text(encoding="utf-8"))):
                if '"event": "run"' in line:
                    holder = f" (process {json.loads(line).get('pid')})"
                    break
        except (OSError, ValueError):
            pass
        raise BatchLockedError(
            f"another process{holder} is running this batch: its journal {str(path)!r} is "
            "locked. Nothing was sent; wait for that process to end, then resume."
        ) from None


def hold_lock(path: str | os.PathLike[str]) -> IO[str]:
    """Lock another batch's journal (one given as ``resume=``) while this batch runs: the file,
    opened for reading, is to be closed at the end. `BatchLockedError` if another process has it.
    """
    where = Path(path)
    handle = where.open("r", encoding="utf-8")
    try:
        _lock(handle, where)
    except BaseException:
        handle.close()
        raise
    return handle


class Journal:
    """An open, locked journal that appends records durably (see the module docstring).

    `previous` holds the rows it recorded before it was opened: a batch started with it does
    not send those jobs again (done, unknown or in flight) unless asked to.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        created = not self.path.exists()
        self._handle: IO[str] | None = self.path.open("a+", encoding="utf-8", newline="")
        try:
            _lock(self._handle, self.path)
            if created:
                _sync_folder(self.path.parent)
            self._handle.seek(0)
            text = self._handle.read()
            self.previous = _replay(_lines(text), self.path)
            if text and not text.endswith("\n"):
                self._append_text("\n")  # end the torn line a kill left
            self._write({"event": "run", "format": _FORMAT, "version": 1, "pid": os.getpid()})
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"<Journal {str(self.path)!r}{'' if self._handle else ' closed'}>"

    def _append_text(self, text: str) -> None:
        if self._handle is None:
            raise ValueError(f"the journal {str(self.path)!r} is closed")
        self._handle.write(text)
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def _write(self, record: dict[str, Any]) -> None:
        record = {**record, "at": _now()}
        self._append_text(json.dumps(record, ensure_ascii=False) + "\n")

    def sending(self, name: str) -> None:
        """Record, durably, that the job `name` is about to send its request."""
        self._write({"event": "sending", "name": name})

    def outcome(self, row: BatchRow) -> None:
        """Record, durably, a job's row once its outcome is known."""
        self._write({"event": "outcome", **asdict(row)})

    def close(self) -> None:
        """Release the lock and close the file (idempotent)."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _sync_folder(folder: Path) -> None:
    """Make a new file's entry in `folder` durable (a power loss keeps the file)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
