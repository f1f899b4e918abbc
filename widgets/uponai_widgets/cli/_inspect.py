"""`uponai-voices inspect`: each sample's report and the overall verdict (text or JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._connect import print_json
from ._errors import OK, CliError

__all__ = ["run_inspect"]


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
    """Inspect every sample; 0 whatever the verdicts (a missing file is a usage error)."""
    missing = [str(path) for path in samples if not path.is_file()]
    if missing:
        raise CliError(f"no such file: {', '.join(missing)}")
    try:
        from .. import inspect_samples, overall_verdict

        reports = inspect_samples(samples)
    except ImportError as exc:
        raise CliError(
            f"inspect needs the audio extra: pip install 'uponai-voices[audio]' ({exc})"
        ) from None
    overall = overall_verdict(reports)
    if as_json:
        print_json({"samples": [r.to_dict() for r in reports], "overall": overall.to_dict()})
        return OK
    for report in reports:
        print("\n".join(_text(report)))
    print(
        f"overall: {overall.verdict} ({overall.count} sample(s), "
        f"{_figure(overall.total_duration_s, ' s')} in all, "
        f"{_figure(overall.speech_s, ' s')} of speech)"
    )
    for reason in overall.reasons:
        print(f"  - {reason}")
    return OK
