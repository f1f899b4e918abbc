"""What a batch must not send again, and the files it holds while it runs.

A resumed batch skips every job an earlier record of it says may have created a voice: rows of
a `BatchResult`, of a saved table, of the journal beside that table, and of this batch's own
journal, merged so that the record saying the voice may exist wins.
"""

from __future__ import annotations

import os
from typing import IO

from ._journal import Journal, hold_lock, journal_beside, merge_previous, resume_rows
from ._result import BatchResult, BatchRow

__all__ = ["JournalPath", "Resume", "RunFiles", "previous_rows"]

Resume = BatchResult | str | os.PathLike[str] | None
JournalPath = str | os.PathLike[str] | None


def previous_rows(
    resume: Resume, resend_unknown: bool, journal: Journal | None = None
) -> dict[str, BatchRow]:
    """Rows of the resumed run not to send again, by name: voices that exist, and (unless
    `resend_unknown`) rows whose outcome is unknown, jobs in flight when an earlier run was
    stopped included."""
    sources: list[dict[str, BatchRow]] = []
    if isinstance(resume, BatchResult):
        sources.append({row.name: row for row in resume.rows})
    elif resume is not None:
        sources.append(resume_rows(resume))
    if journal is not None:
        sources.append(journal.previous)
    return {
        name: row
        for name, row in merge_previous(*sources).items()
        if row.done or (row.status == "unknown" and not resend_unknown)
    }


class RunFiles:
    """The journal a batch writes and the lock on a resumed batch's journal, held while the
    batch runs: `BatchLockedError` before anything is sent when another process holds one."""

    def __init__(self, journal: JournalPath, resume: Resume) -> None:
        self.journal: Journal | None = None
        self._held: list[IO[str]] = []
        try:
            if journal is not None:
                self.journal = Journal(journal)
            if resume is not None and not isinstance(resume, BatchResult):
                other = journal_beside(resume)
                mine = self.journal.path.resolve() if self.journal is not None else None
                if other.exists() and other.resolve() != mine:
                    self._held.append(hold_lock(other))
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"<RunFiles journal={self.journal!r}, {len(self._held)} resumed journal(s) held>"

    def close(self) -> None:
        """Release every lock (idempotent)."""
        if self.journal is not None:
            self.journal.close()
        for handle in self._held:
            handle.close()
        self._held.clear()
