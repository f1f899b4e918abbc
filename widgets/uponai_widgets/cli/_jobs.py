"""Batch jobs for `uponai-voices batch`: a folder of speaker folders, or a CSV with one row per voice.

CSV columns are named like `clone_voice`'s keywords: the clone request's fields as the spec has
them (``name``, ``provider``, ``workspace_id``, ``actor_type``, ...), ``samples`` (paths
separated by ``;``, relative to the CSV's folder) and ``timeout``. Empty cells are left out; the
command's options (``--provider``, ``--workspace-id``, ...) fill a column that is missing or
empty. Every problem names the file, the line and the column.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import jobs_from_folder
from .._clone_request import CLONE
from ..batch._jobs import JOB_FIELDS
from ._errors import CliError
from ._output import add_secret, shown

__all__ = ["CSV_COLUMNS", "load_jobs"]

CSV_COLUMNS = JOB_FIELDS
"""A jobs CSV names its columns like `clone_voice`'s keywords (`samples` joined with ";")."""
_INTEGERS = tuple(f.keyword for f in CLONE.fields if f.kind == "integer")
_REQUIRED = tuple(f for f in CLONE.fields if f.required and f.keyword != "name")


def load_jobs(source: Path, defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The jobs a folder or a CSV file describes (see the module docstring).

    Raises:
        CliError: the source is missing, or a CSV row is incomplete or malformed.
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


def _csv_jobs(path: Path, defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
    columns, rows = _read_rows(path)
    for row in rows:  # redacted before any row's problem is reported
        for key, value in row.items():
            if key is not None and key.strip() == "impersonation_reason":
                add_secret(value.strip() if isinstance(value, str) else None)
    columns = [column.strip() for column in columns]
    unknown = [column for column in columns if column not in CSV_COLUMNS]
    if unknown:
        raise CliError(
            f"{shown(path)}: unknown column(s) {', '.join(repr(c) for c in unknown)}; "
            f"the columns are {', '.join(CSV_COLUMNS)}"
        )
    for required in ("name", "samples"):
        if required not in columns:
            raise CliError(f"{shown(path)}: no {required!r} column")
    if not rows:
        raise CliError(f"{shown(path)}: no jobs (only a header)")
    return [_csv_job(path, line, row, defaults) for line, row in enumerate(rows, start=2)]


def _cells(row: Mapping[str | None, str | list[str] | None]) -> dict[str, str]:
    """The row's non-empty cells, stripped (extra cells beyond the header are an error)."""
    cells: dict[str, str] = {}
    for key, value in row.items():
        if key is None:
            raise ValueError("more cells than the header has columns")
        if isinstance(value, str) and value.strip():
            cells[key.strip()] = value.strip()
    return cells


def _csv_job(
    path: Path, line: int, row: Mapping[str | None, Any], defaults: Mapping[str, Any]
) -> dict[str, Any]:
    where = f"{shown(path)} line {line}"
    try:
        cells = _cells(row)
    except ValueError as exc:
        raise CliError(f"{where}: {exc}") from None
    job: dict[str, Any] = {}
    for column in CSV_COLUMNS:
        value: Any = cells.get(column)
        if value is None:
            value = defaults.get(column)
            if value is None:
                continue
        elif column in _INTEGERS:
            try:
                value = int(value)
            except ValueError:
                raise CliError(f"{where}, column {column}: not an integer") from None
        elif column == "timeout":
            try:
                value = float(value)
            except ValueError:
                raise CliError(f"{where}, column timeout: not a number of seconds") from None
        elif column == "samples":
            value = [path.parent / item.strip() for item in value.split(";") if item.strip()]
        job[column] = value
    if "name" not in job:
        raise CliError(f"{where}, column name: empty")
    for item in _REQUIRED:
        if item.keyword not in job:
            raise CliError(f"{where}, column {item.keyword}: empty (or give {item.option})")
    job.setdefault("samples", [])
    return job
