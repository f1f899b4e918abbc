"""Batch jobs: dicts of `clone_voice` keyword arguments, from a list, a DataFrame or a folder."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._clone_request import CLONE
from .._field_rules import SECRET_FIELDS
from .._secret import wrap_secrets

__all__ = ["AUDIO_EXTENSIONS", "JOB_FIELDS", "Job", "jobs_from_folder", "prepare_jobs"]

JOB_FIELDS = (*CLONE.keywords, "samples", "timeout")
"""The keyword arguments of `clone_voice` a job may set: the request's fields (from the spec),
the samples and a timeout (`on_progress` belongs to the batch)."""

_REQUIRED = tuple(f.keyword for f in CLONE.fields if f.required and f.keyword != "name")
_INTEGER_FIELDS = tuple(f.keyword for f in CLONE.fields if f.kind == "integer")

#: File extensions `jobs_from_folder` treats as audio (compared case-insensitively).
AUDIO_EXTENSIONS = (".wav", ".mp3", ".flac", ".ogg", ".oga", ".m4a", ".mp4", ".webm")


@dataclass(repr=False)
class Job:
    """One job, ready to run: its row name, its `clone_voice` arguments, or why it cannot run.

    Its repr names the job only: the arguments hold the impersonation reason and sample data.
    """

    index: int
    name: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None

    def request_fields(self) -> dict[str, Any]:
        """The clone request's fields of this job (its arguments but the samples and timeout)."""
        return {k: v for k, v in self.kwargs.items() if k not in ("samples", "timeout")}

    def __repr__(self) -> str:
        samples = self.kwargs.get("samples")
        count = len(samples) if isinstance(samples, list | tuple) else "?"
        state = f" problem={self.problem!r}" if self.problem else ""
        return f"<Job {self.index} {self.name!r}, {count} samples{state}>"


def jobs_from_folder(
    path: str | os.PathLike[str],
    *,
    extensions: Iterable[str] = AUDIO_EXTENSIONS,
    **options: Any,
) -> list[dict[str, Any]]:
    """One job per speaker sub-folder of `path`, named after the folder.

    Each sub-folder's audio files (by extension, directly inside it, sorted by name) are its
    samples; hidden folders and files (names starting with ``.``) and loose files at the top
    level are ignored. A speaker folder without audio still gives a job, which the batch
    reports as ``failed`` (no samples) without sending anything. `options` (the clone
    request's fields, for example ``provider``, ``workspace_id``, ``actor_type``) are added to
    every job.

    Raises:
        FileNotFoundError / NotADirectoryError: `path` is missing or not a folder.
        ValueError: entries with an audio extension that cannot be read (broken links,
            FIFOs, folders named like audio, unreadable files), all listed.
    """
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"no such folder: {str(root)!r}")
    if not root.is_dir():
        raise NotADirectoryError(f"not a folder: {str(root)!r}")
    unknown = sorted(set(options) - set(JOB_FIELDS) | ({"name", "samples"} & set(options)))
    if unknown:
        raise TypeError(f"unknown job option(s) {unknown}; a job takes {', '.join(JOB_FIELDS)}")
    wanted = {ext.lower() if ext.startswith(".") else f".{ext.lower()}" for ext in extensions}
    jobs = []
    unreadable: list[str] = []
    for folder in sorted(root.iterdir(), key=lambda p: p.name):
        if folder.name.startswith("."):
            continue
        if folder.is_symlink() and not folder.exists():
            unreadable.append(f"{folder!s}: a broken link")
            continue
        if not folder.is_dir():
            continue
        try:
            entries = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            unreadable.append(f"{folder!s}: cannot list it ({exc.strerror})")
            continue
        samples = []
        for item in entries:
            if item.name.startswith(".") or item.suffix.lower() not in wanted:
                continue
            problem = _unreadable(item)
            if problem is None:
                samples.append(item)
            else:
                unreadable.append(f"{item!s}: {problem}")
        jobs.append({"name": folder.name, **options, "samples": samples})
    if unreadable:
        listed = "\n  ".join(repr(entry)[1:-1] for entry in unreadable)
        raise ValueError(
            f"{len(unreadable)} entr{'y' if len(unreadable) == 1 else 'ies'} of the speaker "
            f"folders cannot be read (nothing was sent):\n  {listed}"
        )
    return jobs


def _unreadable(item: Path) -> str | None:
    """Why an audio-named entry of a speaker folder cannot be a sample, or None."""
    if item.is_symlink() and not item.exists():
        return "a broken link"
    if item.is_dir():
        return "a folder, not an audio file"
    if not item.is_file():
        return "not a regular file (a FIFO, socket or device)"
    if not os.access(item, os.R_OK):
        return "not readable (permission denied)"
    return None


def _plain(value: Any) -> Any:
    """A DataFrame cell as a plain Python value: NaN / NA / NaT -> None, numpy scalars -> int."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    kind = type(value)
    if kind.__name__ in {"NAType", "NaTType"}:
        return None
    if kind.__module__ == "numpy" and hasattr(value, "item"):
        item = value.item()
        return None if isinstance(item, float) and item != item else item
    return value


def _records(jobs: object) -> list[object]:
    """The jobs as a list of records: a list/iterable of dicts, or a DataFrame's rows."""
    if type(jobs).__module__.startswith("pandas") and hasattr(jobs, "to_dict"):
        records: list[object] = list(jobs.to_dict(orient="records"))
        return [{k: _plain(v) for k, v in r.items()} for r in records if isinstance(r, dict)]
    if isinstance(jobs, Mapping | str | bytes):
        raise TypeError(
            "jobs must be a list of dicts of clone_voice arguments, a pandas DataFrame with "
            "those columns, or jobs_from_folder(...)"
        )
    if not isinstance(jobs, Iterable):
        raise TypeError(f"jobs must be a list of dicts or a DataFrame, not {type(jobs).__name__}")
    return list(jobs)


def _job(index: int, record: object) -> Job:
    placeholder = f"job {index}"
    if not isinstance(record, Mapping):
        return Job(index, placeholder, problem=f"a job is a dict, got {type(record).__name__}")
    kwargs = {str(key): value for key, value in record.items()}
    name = kwargs.get("name")
    if not isinstance(name, str) or not name.strip():
        return Job(index, placeholder, problem="the job has no name (a non-blank string)")
    unknown = sorted(set(kwargs) - set(JOB_FIELDS))
    if unknown:
        return Job(
            index,
            name.strip(),
            problem=f"unknown job field(s) {unknown}; a job takes {', '.join(JOB_FIELDS)}",
        )
    missing = [key for key in (*_REQUIRED, "samples") if key not in kwargs]
    if missing:
        return Job(index, name.strip(), problem=f"the job has no {', '.join(missing)}")
    # Optional columns of a DataFrame hold None where a row leaves them empty, and a column
    # of ids with empty cells is a float column (55.0): give the API its integers back.
    kwargs = {k: v for k, v in kwargs.items() if v is not None or k in ("samples", "name")}
    for key in _INTEGER_FIELDS:
        value = kwargs.get(key)
        if isinstance(value, float) and value.is_integer():
            kwargs[key] = int(value)
    wrap_secrets(kwargs, SECRET_FIELDS)
    return Job(index, name.strip(), kwargs)


def prepare_jobs(jobs: object) -> list[Job]:
    """Check every job and the names' uniqueness before anything is sent.

    Raises:
        TypeError: `jobs` is not a list of dicts or a DataFrame.
        ValueError: two jobs have the same name (names identify jobs when resuming).
    """
    try:
        prepared = [_job(index, record) for index, record in enumerate(_records(jobs))]
    finally:
        del jobs  # the caller's records hold secrets in clear: no frame here keeps them
    counts = Counter(job.name for job in prepared)
    duplicates = sorted(name for name, count in counts.items() if count > 1)
    if duplicates:
        shown = ", ".join(repr(name) for name in duplicates[:10])
        raise ValueError(
            f"job names must be unique within a batch (they identify jobs when resuming); "
            f"repeated: {shown}. Nothing was sent."
        )
    return prepared
