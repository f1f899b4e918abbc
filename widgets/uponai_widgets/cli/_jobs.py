"""Batch jobs for `uponai-voices batch`: a folder of speaker folders, or a CSV with one row per voice.

CSV columns are named like `clone_voice`'s keywords: the clone request's fields as the spec has
them (``name``, ``provider``, ``workspace_id``, ``actor_type``, ...), ``samples`` (paths
separated by ``;``, relative to the CSV's folder) and ``timeout`` (seconds allowed for that
job's request). Empty cells are left out; the command's options (``--provider``,
``--workspace-id``, ...) fill a column that is missing or empty. Every problem of the file is
reported at once, each naming the file, the line and the column. A column that is not a field
is ignored with a warning naming the accepted columns, unless it looks like a misspelt one
(``Name``, ``tenant``, ``voiceName``): that is a problem, so a typo never drops a field.
"""

from __future__ import annotations

import csv
import difflib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import jobs_from_folder
from .._clone_request import CLONE
from ..batch._jobs import JOB_FIELDS
from ._errors import CliError
from ._output import add_secret, shown

__all__ = ["CSV_COLUMNS", "load_jobs"]

CSV_COLUMNS = ("name", "samples", *(c for c in JOB_FIELDS if c not in ("name", "samples")))
"""A jobs CSV names its columns like `clone_voice`'s keywords (`samples` joined with ";")."""
_INTEGERS = tuple(f.keyword for f in CLONE.fields if f.kind == "integer")
_REQUIRED = tuple(f for f in CLONE.fields if f.required and f.keyword != "name")
_SPELLINGS = {
    **{column: column for column in CSV_COLUMNS},
    **{f.wire.lower().replace("-", "_"): f.keyword for f in CLONE.fields},
    **{f.python: f.keyword for f in CLONE.fields},
}
_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "bars"}


def load_jobs(source: Path, defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The jobs a folder or a CSV file describes (see the module docstring).

    Raises:
        CliError: the source is missing, or the CSV has problems (all of them listed).
    """
    if source.is_dir():
        return _folder_jobs(source, defaults)
    if not source.exists():
        raise CliError(f"{shown(source)}: no such folder or file")
    if source.suffix.lower() != ".csv":
        raise CliError(f"{shown(source)}: give a folder of speaker folders or a .csv file of jobs")
    return _csv_jobs(source, defaults)


def _folder_jobs(folder: Path, defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
    missing = [item.option for item in _REQUIRED if defaults.get(item.keyword) is None]
    if missing:
        raise CliError(f"batch {shown(folder)}: a folder of speakers needs {' and '.join(missing)}")
    required = {item.keyword: defaults[item.keyword] for item in _REQUIRED}
    options = {k: v for k, v in defaults.items() if k not in required and k != "name"}
    try:
        jobs = jobs_from_folder(folder, **required, **options)
    except ValueError as exc:  # unreadable entries, listed one per line
        raise CliError(shown(exc, keep_newlines=True)) from None
    if not jobs:
        raise CliError(
            f"{shown(folder)}: no speaker folders in it (one sub-folder of audio per voice)"
        )
    return jobs


def _read_rows(path: Path) -> tuple[list[str], list[dict[str | None, Any]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows: list[dict[str | None, Any]] = list(reader)
            return list(reader.fieldnames or ()), rows
    except UnicodeDecodeError as exc:
        raise CliError(f"{shown(path)}: not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise CliError(f"{shown(path)}: not a readable CSV file ({shown(exc)})") from None


def _accepted() -> str:
    return ", ".join(CSV_COLUMNS)


def _delimiter_hint(columns: list[str]) -> str | None:
    """Why a one-column header is probably another delimiter's CSV, or None."""
    if len(columns) != 1:
        return None
    for delimiter, name in _DELIMITERS.items():
        if delimiter in columns[0]:
            return (
                f"the header {shown(columns[0])!r} is a single column: the file seems separated "
                f"by {name} ({delimiter!r}). A jobs CSV separates its columns with commas "
                "(';' separates the samples inside the samples cell): save it as comma-separated "
                "CSV (in a spreadsheet: CSV, field delimiter ',')"
            )
    return None


def _meant(column: str) -> str | None:
    """The accepted column `column` looks like a misspelling of, or None."""
    plain = column.strip().lower().replace("-", "_").replace(" ", "_")
    if plain in _SPELLINGS and plain != column:
        return _SPELLINGS[plain]
    close = difflib.get_close_matches(plain, list(_SPELLINGS), n=1, cutoff=0.8)
    return _SPELLINGS[close[0]] if close else None


def _check_header(
    columns: list[str], defaults: Mapping[str, Any], problems: list[str]
) -> list[str]:
    """Header problems appended to `problems`; returns the columns that are ignored."""
    hint = _delimiter_hint(columns)
    if hint is not None:
        problems.append(hint)
        return []
    ignored = []
    for column in columns:
        if column in CSV_COLUMNS:
            continue
        meant = _meant(column)
        if meant is not None and meant not in columns:
            problems.append(f"column {shown(column)!r}: did you mean {meant!r}?")
        else:
            ignored.append(column)
    seen = set(columns)
    for column, what in (("name", "the voice's name"), ("samples", "audio files separated by ';'")):
        if column not in seen:
            problems.append(f"missing column: {column} ({what})")
    for item in _REQUIRED:
        if item.keyword not in seen and defaults.get(item.keyword) is None:
            problems.append(
                f"missing column: {item.keyword} (add it, or give {item.option} for every job)"
            )
    return ignored


def _csv_jobs(path: Path, defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw_columns, rows = _read_rows(path)
    for row in rows:  # redacted before any row's problem is reported
        for key, value in row.items():
            if key is not None and key.strip() == "impersonation_reason":
                add_secret(value.strip() if isinstance(value, str) else None)
    columns = [column.strip() for column in raw_columns]
    problems: list[str] = []
    ignored = _check_header(columns, defaults, problems)
    if not problems and not rows:
        problems.append("no jobs (only a header)")
    jobs = []
    if not any(p.startswith("the header ") for p in problems):
        for line, row in enumerate(rows, start=2):
            job = _csv_job(line, row, defaults, path, problems, set(columns))
            if job is not None:
                jobs.append(job)
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise CliError(
            f"{shown(path)}: {count}, nothing was sent:\n  " + "\n  ".join(problems),
        )
    if ignored:
        print(
            f"warning: {shown(path)}: ignored column(s) "
            f"{', '.join(repr(shown(c)) for c in ignored)}: not fields of the request "
            f"(the columns are {_accepted()})",
            file=sys.stderr,
        )
    return jobs


def _cell_value(column: str, value: str, path: Path) -> Any:
    """A cell's value as the job takes it; ValueError says why it cannot be."""
    if column in _INTEGERS:
        try:
            return int(value)
        except ValueError:
            # the cell is not echoed: a row with a missing cell may hold a secret there
            raise ValueError("not an integer") from None
    if column == "timeout":
        try:
            return float(value)
        except ValueError:
            raise ValueError("not a number of seconds") from None
    if column == "samples":
        return [path.parent / item.strip() for item in value.split(";") if item.strip()]
    return value


def _csv_job(
    line: int,
    row: Mapping[str | None, Any],
    defaults: Mapping[str, Any],
    path: Path,
    problems: list[str],
    columns: set[str],
) -> dict[str, Any] | None:
    """One row's job; its problems appended to `problems` (None when it has any)."""
    where = f"line {line}"
    found = len(problems)
    cells: dict[str, str] = {}
    for key, cell in row.items():
        if key is None:
            extra = len(cell) if isinstance(cell, list) else 1
            problems.append(f"{where}: {extra} cell(s) more than the header's columns")
        elif isinstance(cell, str) and cell.strip():
            cells[key.strip()] = cell.strip()
    job: dict[str, Any] = {}
    for column in CSV_COLUMNS:
        value: Any = cells.get(column)
        if value is None:
            value = defaults.get(column)
            if value is None:
                continue
        else:
            try:
                value = _cell_value(column, value, path)
            except ValueError as exc:
                problems.append(f"{where}, column {column}: {exc}")
                value = cells[column]  # reported: not reported again as empty
        job[column] = value
    if "name" not in job and "name" in columns:
        problems.append(f"{where}, column name: empty")
    for item in _REQUIRED:
        if item.keyword not in job and item.keyword in columns:
            problems.append(
                f"{where}, column {item.keyword}: empty (fill it, or give {item.option})"
            )
    job.setdefault("samples", [])
    return job if len(problems) == found else None
