"""`uponai-voices inspect`: each sample's report and the overall verdict (text or JSON).

Exit status 1 when a sample, or the set as a whole, is ``bad`` (so `inspect` can gate a script
before `clone`); 0 when everything is ``good`` or ``warn``. `warn_bad_samples` gives `clone` the
same judgement as warnings before it sends anything.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .._extras import install_hint
from ._connect import print_json
from ._errors import FAILED, OK, CliError
from ._output import shown

__all__ = ["run_inspect", "warn_bad_samples", "warn_before_clone"]


def _figure(value: float | None, unit: str, digits: int = 1) -> str:
    return "?" if value is None else f"{value:.{digits}f}{unit}"


def _text(report: Any) -> list[str]:
    lines = [f"{report.name}: {report.verdict}"]
    if report.duration_s is not None:
        lines.append(
            f"  {report.format or '?'}, {_figure(report.duration_s, ' s')}, "
            f"{report.sample_rate} Hz, {report.channels} channel(s), "
            f"{_figure(report.speech_s, ' s')} of speech; peak "
            f"{_figure(report.peak_dbfs, ' dBFS')}, RMS {_figure(report.rms_dbfs, ' dBFS')}, "
            f"silence {_figure(100 * (report.silence_ratio or 0.0), ' %', 0)}, clipped "
            f"{_figure(100 * (report.clipped_ratio or 0.0), ' %', 3)}"
        )
    lines.extend(f"  - {reason}" for reason in report.reasons)
    return lines


def run_inspect(samples: list[Path], *, as_json: bool) -> int:
    """Inspect every sample; 1 when a sample or the whole set is bad, else 0 (a missing file is a
    usage error)."""
    missing = [str(path) for path in samples if not path.is_file()]
    if missing:
        raise CliError(f"no such file: {', '.join(missing)}")
    try:
        from .. import inspect_samples, overall_verdict

        reports = inspect_samples(samples)
    except ImportError as exc:
        raise CliError(f"inspect needs the audio extra: {install_hint('audio')} ({exc})") from None
    overall = overall_verdict(reports)
    status = FAILED if _any_bad(reports, overall.verdict) else OK
    if as_json:
        print_json({"samples": [r.to_dict() for r in reports], "overall": overall.to_dict()})
        return status
    for report in reports:
        print("\n".join(_text(report)))
    print(
        f"overall: {overall.verdict} ({overall.count} sample(s), "
        f"{_figure(overall.total_duration_s, ' s')} in all, "
        f"{_figure(overall.speech_s, ' s')} of speech)"
    )
    for reason in overall.reasons:
        print(f"  - {reason}")
    return status


def _any_bad(reports: list[Any], overall: str) -> bool:
    return overall == "bad" or any(report.verdict == "bad" for report in reports)


def warn_bad_samples(reports: list[Any], *, sent: str = "it is sent anyway") -> None:
    """A warning on stderr for each decoded sample judged bad (no speech, clipped, silence),
    with its reasons; undecodable samples are left to the request's own checks."""
    for report in reports:
        if report.verdict != "bad" or report.duration_s is None:
            continue
        reasons = "; ".join(report.reasons)
        print(
            f"warning: {shown(report.name)}: {shown(reasons)}; {sent} "
            "(`uponai-voices inspect` says more)",
            file=sys.stderr,
        )


def warn_before_clone(samples: list[Path]) -> None:
    """`clone`: warn about the samples judged bad (a tone, noise or silence has no speech)
    before they are sent; nothing when the audio extra is missing."""
    try:
        from .. import inspect_samples

        reports = inspect_samples([path for path in samples if path.is_file()])
    except ImportError:
        return
    warn_bad_samples(reports)
