"""HTML for the clone widget's sample insight: one report card per sample and the overall verdict.

Pure functions over `SampleReport` / `OverallVerdict` (from `_inspect`); everything from a
sample (its name, the reasons) is escaped. The waveform SVG comes from `_waveform`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any, get_args

from ..audio._verdict import Verdict
from ._samples_html import count_text

__all__ = [
    "OVERALL_NOTES",
    "VERDICTS",
    "badge_html",
    "overall_html",
    "report_html",
    "speech_text",
]

#: The verdicts, named as `Verdict` names them (a badge shows the name the API returns).
VERDICTS: tuple[str, ...] = get_args(Verdict)
# White text on these reaches at least 4.5:1 (WCAG AA) in the light and the dark theme.
_COLORS = {"good": "#1b6e34", "warn": "#8a4b00", "bad": "#b00020", "pending": "#555"}
_LABELS = {verdict: verdict for verdict in VERDICTS} | {"pending": "analysing"}
#: What the overall line says after its badge, by verdict.
OVERALL_NOTES = {
    "good": "Ready to clone.",
    "warn": "Warnings do not block cloning; you decide.",
    "bad": "Samples marked bad make a poor clone or cannot be sent: fix or remove them.",
}


def badge_html(verdict: str) -> str:
    """A verdict badge (``good``, ``warn``, ``bad`` or ``pending``)."""
    color = _COLORS.get(verdict, "#555")
    label = html.escape(_LABELS.get(verdict, verdict))
    return (
        f'<span class="uponai-badge uponai-badge-{html.escape(verdict)}" '
        f'style="color:#fff;background:{color};border-radius:3px;padding:0 0.4em">{label}</span>'
    )


def _num(value: float | None, fmt: str, unit: str = "") -> str:
    return "\u2014" if value is None else f"{value:{fmt}}{unit}"


def _figures_line(report: Any) -> str:
    if report.duration_s is None:
        return "not decodable"
    parts = [
        f"duration {_num(report.duration_s, '.1f', ' s')}",
        f"speech {_num(report.speech_s, '.1f', ' s')}",
        f"{report.sample_rate} Hz, {report.channels} ch",
        f"level: peak {_num(report.peak_dbfs, '.1f', ' dBFS')}, "
        f"RMS {_num(report.rms_dbfs, '.1f', ' dBFS')}",
        f"clipping {_num(None if report.clipped_ratio is None else report.clipped_ratio * 100, '.2f', ' %')}",
        f"silence {_num(None if report.silence_ratio is None else report.silence_ratio * 100, '.0f', ' %')} "
        f"(leading {_num(report.leading_silence_s, '.1f', ' s')}, "
        f"trailing {_num(report.trailing_silence_s, '.1f', ' s')})",
    ]
    return " \u00b7 ".join(html.escape(part) for part in parts)


def _reasons(reasons: Iterable[str]) -> str:
    items = "".join(f"<li>{html.escape(reason)}</li>" for reason in reasons)
    return f'<ul class="uponai-report-reasons" style="margin:0.2em 0">{items}</ul>' if items else ""


def report_html(report: Any, waveform_svg: str, *, note: str = "") -> str:
    """One sample's card: name, verdict badge, waveform picture, figures and reasons."""
    extra = f'<div class="uponai-report-note">{html.escape(note)}</div>' if note else ""
    return (
        f'<div class="uponai-report uponai-report-{html.escape(report.verdict)}" '
        'style="margin:0.3em 0;padding:0.3em;border:1px solid var(--jp-border-color2, #ddd);border-radius:4px">'
        f"<div><strong>{html.escape(report.name)}</strong> {badge_html(report.verdict)}</div>"
        f"{waveform_svg}"
        f'<div class="uponai-report-figures">{_figures_line(report)}</div>'
        f"{_reasons(report.reasons)}{extra}</div>"
    )


def overall_html(overall: Any | None, *, pending: int = 0, verb: str = "Analysing") -> str:
    """The overall verdict for what Clone sends (shown before **Clone voice**)."""
    if pending:
        return (
            '<div class="uponai-verdict uponai-verdict-pending">'
            f"<em>{html.escape(verb)} {html.escape(count_text(pending, 'sample'))}\u2026</em></div>"
        )
    if overall is None:
        return ""
    note = OVERALL_NOTES[overall.verdict]
    return (
        f'<div class="uponai-verdict uponai-verdict-{html.escape(overall.verdict)}">'
        f"<strong>Overall:</strong> {badge_html(overall.verdict)} "
        f"{html.escape(count_text(overall.count, 'sample'))}, "
        f"{html.escape(speech_text(overall.speech_s))}. {html.escape(note)}"
        f"{_reasons(overall.reasons)}</div>"
    )


def speech_text(speech_s: float) -> str:
    """The one measure of how much audio there is: ``34.5 s of speech``."""
    return f"{speech_s:.1f} s of speech"
