"""`uponai-voices prepare`, and `--prepare` on `clone` and `batch`: clone-ready FLAC files.

`prepare SAMPLE... --out DIR` writes each sample's prepared files (trimmed, at the target
loudness, mono 16-bit FLAC, split with `--max-segment-s`) into DIR and prints what changed;
the inputs are never changed. With `--prepare`, `clone` and `batch` send prepared copies
made in a private temporary folder that is removed when the command ends. A sample that
cannot be prepared (no speech, under a second, undecodable) is bad input: status 2, and
nothing is sent.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from .._extras import install_hint
from ._connect import print_json
from ._errors import OK, CliError
from ._inspect import warn_bad_samples
from ._output import shown

__all__ = ["prepare_jobs", "prepare_paths", "run_prepare"]

_AUDIO = f"preparing samples needs the audio extra: {install_hint('audio')}"


def _api() -> Any:
    try:
        from ..audio import _prepare
    except ImportError as exc:  # pragma: no cover - the audio extra is missing
        raise CliError(f"{_AUDIO} ({exc})") from None
    return _prepare


_OPTIONS = {"out_dir": "--out", "trim_silence": "--no-trim"}
_PYTHON_ONLY = re.compile(r" \(or None [^)]*\)")  # "(or None to keep the level)": no CLI value


def _problem_text(problem: Any) -> str:
    """A preparation problem in the command's words: the option, not the keyword argument."""
    if problem.sample is not None:
        where = f"sample {problem.sample!r}"
    else:
        where = _OPTIONS.get(problem.field, "--" + problem.field.replace("_", "-"))
    return f"{where}: {_PYTHON_ONLY.sub('', problem.message)}"


def _problems(error: Any) -> CliError:
    lines = [_problem_text(problem) for problem in error.problems]
    return CliError("cannot prepare:\n  " + "\n  ".join(lines))


def _prepare(samples: list[Any], **options: Any) -> list[Any]:
    api = _api()
    try:
        prepared: list[Any] = api.prepare_samples(samples, **options)
    except api.PreparationError as exc:
        raise _problems(exc) from None
    except ImportError as exc:
        raise CliError(f"{_AUDIO} ({exc})") from None
    return prepared


def run_prepare(
    samples: list[Path],
    *,
    out: Path,
    target_lufs: float | None,
    trim: bool,
    max_segment_s: float | None,
    sample_rate: int | None,
    as_json: bool,
) -> int:
    """Prepare every sample into `out`; 0 when all were prepared (else nothing is kept)."""
    missing = [str(path) for path in samples if not path.is_file()]
    if missing:
        raise CliError(f"no such file: {', '.join(missing)}")
    prepared = _prepare(
        list(samples),
        out_dir=out,
        target_lufs=target_lufs,
        trim_silence=trim,
        max_segment_s=max_segment_s,
        sample_rate=sample_rate,
    )
    if as_json:
        print_json(
            [
                {
                    "sample": str(source),
                    "files": [str(path) for path in item.paths],
                    "changes": list(item.changes),
                    "before": item.before.to_dict(),
                    "after": [report.to_dict() for report in item.after],
                }
                for source, item in zip(samples, prepared, strict=True)
            ]
        )
        return OK
    for source, item in zip(samples, prepared, strict=True):
        print(f"{source} -> {', '.join(str(path) for path in item.paths)}")
        speech = item.before.speech_s or 0.0
        print(f"  {speech:.1f} s of speech in {item.before.duration_s or 0.0:.1f} s")
        for line in item.changes:
            print(f"  - {line}")
    return OK


def prepare_paths(samples: list[Path]) -> list[Path]:
    """`clone --prepare`: the prepared files of every sample (default options, temporary);
    what changed in each is printed on stderr (stdout stays the voice)."""
    missing = [str(path) for path in samples if not path.is_file()]
    if missing:
        raise CliError(f"no such file: {', '.join(missing)}")
    files: list[Path] = []
    for source, item in zip(samples, _prepare(list(samples)), strict=True):
        files.extend(item.paths)
        parts = f" (sent as {len(item.paths)} files)" if len(item.paths) > 1 else ""
        print(f"prepared {shown(source)}{parts}:", file=sys.stderr)
        for line in item.changes:
            print(f"  - {shown(line)}", file=sys.stderr)
        warn_bad_samples(list(item.after), sent="it is sent as prepared")
    return files


def prepare_jobs(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`batch --prepare`: every job with its samples prepared; every problem reported at once."""
    api = _api()
    problems: list[str] = []
    ready: list[dict[str, Any]] = []
    for job in jobs:
        try:
            prepared = api.prepare_samples(job.get("samples") or [])
        except api.PreparationError as exc:
            problems.extend(f"{job.get('name')}: {_problem_text(p)}" for p in exc.problems)
            continue
        ready.append({**job, "samples": prepared})
    if problems:
        raise CliError("cannot prepare:\n  " + "\n  ".join(problems))
    return ready
