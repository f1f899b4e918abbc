"""`BatchResult`: one row per batch job, saved as CSV or JSON and loaded back to resume.

The API has no idempotency key and no way to list voices, so this table is the record of what a
batch created: `clone_voices(..., resume=...)` reads it to skip the jobs already created.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from .._sizes import format_size
from ._hooks import notebook_hooks

__all__ = [
    "COLUMNS",
    "STATUSES",
    "STATUS_MEANINGS",
    "UNKNOWN_ADVICE",
    "BatchResult",
    "BatchRow",
    "Status",
    "row_from_mapping",
]

Status = Literal["created", "accepted", "unknown", "failed", "skipped", "cancelled"]
STATUSES: tuple[Status, ...] = ("created", "accepted", "unknown", "failed", "skipped", "cancelled")
COLUMNS = ("name", "status", "voice_id", "error", "bytes", "seconds")
_FORMAT = "uponai-batch-result"

UNKNOWN_ADVICE = (
    "check the workspace's voices for these names; resume= keeps them unknown, "
    "resend_unknown=True sends them again"
)
STATUS_MEANINGS: dict[str, str] = {
    "created": "the voice was created (voice_id)",
    "accepted": (
        "the API accepted the request and creates the voice later (a success answer the spec "
        "documents besides the voice, described in error); resume= does not send it again"
    ),
    "unknown": (
        "the whole request was sent but no readable answer came back: the voice may or may "
        f"not exist; {UNKNOWN_ADVICE}"
    ),
    "failed": "no voice was created (error says why); resume= sends it again",
    "skipped": "created by the run given as resume= (voice_id), not sent again",
    "cancelled": "interrupted before its request was complete: no voice; resume= sends it again",
}
"""What each status means, in summary order (also written into the JSON file)."""

_LEGACY_UNKNOWN = "during the upload"
"""Older tables wrote ``cancelled`` with this phrase for a job that may have been created."""


@dataclass(frozen=True, slots=True)
class BatchRow:
    """The outcome of one job.

    Attributes:
        name: the job's voice name (unique within a batch).
        status: ``created``; ``unknown`` (the whole request went out but no readable answer
            came back: the voice may exist, check before resending); ``failed``; ``skipped``
            (created by the run given as ``resume=``); or ``cancelled`` (interrupted before
            its request was complete: no voice). See `STATUS_MEANINGS`.
        voice_id: the voice's id for ``created`` and ``skipped`` rows, else None.
        error: a readable reason for ``unknown``, ``failed`` and ``cancelled`` rows, else ``""``.
        bytes: request body bytes sent for this job in this run (a retry resends the same
            body and is not counted twice; 0 when nothing was sent).
        seconds: how long the job took in this run, retries included.
    """

    name: str
    status: Status
    voice_id: str | None = None
    error: str = ""
    bytes: int = 0
    seconds: float = 0.0

    @property
    def done(self) -> bool:
        """True when the voice exists: created now or by the run this one resumed."""
        return self.status in ("created", "accepted") or (
            self.status == "skipped" and bool(self.voice_id)
        )


def _status(value: object) -> Status:
    text = str(value).strip()
    if text not in STATUSES:
        raise ValueError(f"unknown batch status {text!r}; expected one of {', '.join(STATUSES)}")
    return text


def _missing(value: object) -> bool:
    """None, an empty string, or a float NaN (pandas writes those for empty cells)."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    return isinstance(value, str) and not value.strip()


_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a CSV cell as a formula."""


def spreadsheet_safe(cell: str) -> str:
    """`cell` as a spreadsheet shows it as text: one more leading ``'`` when what follows the
    leading quotes starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR); see `from_cell`."""
    if cell.lstrip("'").startswith(_FORMULA_LEADS):
        return "'" + cell
    return cell


def from_cell(cell: str) -> str:
    """The text `spreadsheet_safe` neutralised, as it was (other cells are unchanged)."""
    if cell.startswith("'") and cell.lstrip("'").startswith(_FORMULA_LEADS):
        return cell[1:]
    return cell


def row_from_mapping(record: Mapping[str, object]) -> BatchRow:
    """A row from a CSV or JSON record (strings or numbers), checked."""
    name = record.get("name")
    if _missing(name):
        raise ValueError("a batch result row has no name")
    voice_id = record.get("voice_id")
    error = record.get("error")
    size = record.get("bytes")
    seconds = record.get("seconds")
    status = _status(record.get("status"))
    text = "" if _missing(error) else str(error)
    if status == "cancelled" and _LEGACY_UNKNOWN in text:
        status = "unknown"  # an older table could not tell these apart: the voice may exist
    return BatchRow(
        name=str(name),
        status=status,
        voice_id=None if _missing(voice_id) else str(voice_id),
        error=text,
        bytes=0 if _missing(size) else int(float(str(size))),
        seconds=0.0 if _missing(seconds) else float(str(seconds)),
    )


def _write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` next to `path` and rename it over: a crash never leaves half a record."""
    target = Path(path)
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


class BatchResult:
    """The result of `clone_voices`: one `BatchRow` per job, in job order.

    Iterate it for the rows, or use `to_dataframe()`, `to_csv(path)` and `to_json(path)`;
    `BatchResult.from_file(path)` loads a saved table back (for ``resume=``). ``interrupted`` is
    True when the batch was cancelled before every job finished.
    """

    __slots__ = ("interrupted", "rows")

    def __init__(self, rows: Iterable[BatchRow], *, interrupted: bool = False) -> None:
        self.rows: tuple[BatchRow, ...] = tuple(rows)
        self.interrupted = interrupted

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[BatchRow]:
        return iter(self.rows)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BatchResult):
            return NotImplemented
        return self.rows == other.rows and self.interrupted == other.interrupted

    __hash__ = None  # type: ignore[assignment]  # mutable-looking container: not hashable

    def counts(self) -> dict[str, int]:
        """How many rows have each status: every status listed, zeros included, but
        ``accepted`` only when a row has it (only specs with a second success answer give it)."""
        found = Counter(row.status for row in self.rows)
        return {
            status: found.get(status, 0)
            for status in STATUSES
            if status != "accepted" or found.get(status)
        }

    def by_status(self, status: Status) -> list[BatchRow]:
        """The rows with the given status."""
        return [row for row in self.rows if row.status == _status(status)]

    @property
    def voice_ids(self) -> dict[str, str]:
        """Job name -> voice id for every voice that exists (``created`` and ``skipped``)."""
        return {row.name: row.voice_id for row in self.rows if row.done and row.voice_id}

    def summary(self) -> str:
        """One line: ``10 jobs: 8 created, 0 unknown, 1 failed, 1 skipped, 0 cancelled; 1.2 MiB
        sent``, and what to do about ``unknown`` rows when there are any."""
        counts = ", ".join(f"{count} {status}" for status, count in self.counts().items())
        sent = format_size(sum(row.bytes for row in self.rows))
        tail = " (interrupted)" if self.interrupted else ""
        unknown = self.counts()["unknown"]
        advice = ""
        if unknown:
            advice = f". {unknown} unknown: the voice may or may not exist; {UNKNOWN_ADVICE}"
        return f"{len(self.rows)} jobs: {counts}; {sent} sent{tail}{advice}"

    def __repr__(self) -> str:
        return f"BatchResult({self.summary()})"

    def _repr_html_(self) -> str | None:
        # The notebook layer registers the table renderer; None makes IPython use the repr.
        renderer = notebook_hooks.html_renderer
        return renderer(self) if renderer is not None else None

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts with the `COLUMNS` keys."""
        return [asdict(row) for row in self.rows]

    def to_dataframe(self) -> Any:
        """The table as a `pandas.DataFrame` with the `COLUMNS` (pandas is imported now)."""
        try:
            pandas = importlib.import_module("pandas")
        except ImportError as exc:
            raise ImportError(
                "BatchResult.to_dataframe() needs pandas: pip install pandas", name="pandas"
            ) from exc
        frame = pandas.DataFrame(self.records(), columns=list(COLUMNS))
        return frame.astype({"bytes": "int64", "seconds": "float64"})

    def to_csv_text(self) -> str:
        """The table as CSV text (header row first; an empty cell for a missing voice id).

        A cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
        ``@``, a tab or a CR) gets a leading ``'``; `from_csv_text` removes it again."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        # Python 3.11 leaves a lone CR unquoted with a "\n" line end: quote such rows whole.
        quoted = csv.DictWriter(buffer, COLUMNS, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writeheader()
        for record in self.records():
            for column in ("name", "voice_id", "error"):
                record[column] = spreadsheet_safe(record[column] or "")
            record["seconds"] = f"{record['seconds']:.3f}"
            cr = any("\r" in record[column] for column in ("name", "voice_id", "error"))
            (quoted if cr else writer).writerow(record)
        return buffer.getvalue()

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """Save the table as CSV (written to a temporary file, then renamed over `path`)."""
        _write_atomically(path, self.to_csv_text())

    def to_json(self, path: str | os.PathLike[str]) -> None:
        """Save the table as JSON: ``{"format", "version", "interrupted", "statuses", "rows"}``
        (``statuses`` says what each status means)."""
        document = {
            "format": _FORMAT,
            "version": 1,
            "interrupted": self.interrupted,
            "statuses": STATUS_MEANINGS,
            "rows": self.records(),
        }
        _write_atomically(path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> BatchResult:
        """Load a table saved by `to_csv` or `to_json` (also a pandas CSV or records JSON).

        Raises:
            ValueError: the file holds no batch table (missing columns, unknown status).
        """
        text = Path(path).read_text(encoding="utf-8-sig")  # a spreadsheet may add a BOM
        if text.lstrip().startswith(("{", "[")):
            return cls.from_json_text(text)
        return cls.from_csv_text(text)

    @classmethod
    def from_json_text(cls, text: str) -> BatchResult:
        """Parse `to_json` output, or a JSON list of row objects."""
        document = json.loads(text)
        interrupted = False
        if isinstance(document, dict):
            interrupted = bool(document.get("interrupted", False))
            document = document.get("rows")
        if not isinstance(document, list) or not all(isinstance(r, dict) for r in document):
            raise ValueError("a batch result JSON file holds a list of rows under 'rows'")
        return cls((row_from_mapping(r) for r in document), interrupted=interrupted)

    @classmethod
    def from_csv_text(cls, text: str) -> BatchResult:
        """Parse `to_csv` output (or any CSV with at least ``name`` and ``status`` columns)."""
        reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
        reader.fieldnames = [name.strip() for name in reader.fieldnames or ()]
        missing = {"name", "status"} - set(reader.fieldnames)
        if missing:
            raise ValueError(f"a batch result CSV needs the columns {sorted(missing)}")
        return cls(
            row_from_mapping({k: from_cell(v) if isinstance(v, str) else v for k, v in r.items()})
            for r in reader
        )
