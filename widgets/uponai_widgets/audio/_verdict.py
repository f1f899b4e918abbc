"""What a sample report holds and how it is judged: the verdicts and their reasons.

Guidance (each finding adds a readable reason; the verdict is the worst finding):

- Length. One sample under 1 s is **bad** (too short to carry a voice); under 1 s of speech is
  **bad** (no speech found); under 10 s of speech is **warn**. Several samples add up, so for a
  set `overall_verdict` judges the total speech instead: under 10 s is **bad**, under 1 minute
  **warn**, 1-5 minutes of clean speech is **good** and more is fine.
- Clipping. A sample value at or above 0.999 of full scale counts as clipped: over 0.01 % of all
  values is **warn**, over 0.1 % is **bad** (audible distortion the clone would learn).
- Silence. A 50 ms window is silent when it is far under the recording's own speech level and
  near its noise floor (see `_silence`: quiet speech is not silence). Over 50 % silence is **warn**,
  over 80 % (mostly silence) is **bad**. Leading or trailing silence over 3 s is **warn** (trim it).
- Level. A peak below -20 dBFS is **warn** (very quiet: noise gets amplified with the voice).
- Sample rate. Under 16 kHz is **warn** (telephone quality limits the clone).

Levels are in dBFS (0 dBFS = full scale); digital silence is reported as -120 dBFS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from ._figures import Figures

__all__ = [
    "MIN_WORD_S",
    "OverallVerdict",
    "SampleReport",
    "Verdict",
    "failed_report",
    "findings",
    "overall_verdict",
    "with_source_clipping",
    "worst",
]

Verdict = Literal["good", "warn", "bad"]
_RANK: dict[str, int] = {"good": 0, "warn": 1, "bad": 2}

MIN_SAMPLE_S = 1.0
MIN_SPEECH_S = 1.0
MIN_WORD_S = 0.2  # less speech than this is no word (a short word such as "hi" holds 0.4 s)
SHORT_S = 10.0
GOOD_TOTAL_S = 60.0
CLIPPED_WARN = 0.0001
CLIPPED_BAD = 0.001
SILENCE_WARN = 0.5
SILENCE_BAD = 0.8
EDGE_SILENCE_S = 3.0
QUIET_PEAK_DBFS = -20.0
LOW_RATE_HZ = 16000


@dataclass(frozen=True, slots=True)
class SampleReport:
    """What `inspect_sample` found in one sample, and its verdict against the module's guidance.

    The figures are None when the sample could not be decoded (the verdict is then ``"bad"``, or
    ``"warn"`` for a stream that cannot seek and so was not read). `speech_s` is the seconds of
    speech the voice-activity detector found. `envelope` holds at most 1024 (min, max) columns
    over the whole sample, for `waveform_svg` / `waveform_png`.
    """

    name: str
    format: str | None
    duration_s: float | None
    sample_rate: int | None
    channels: int | None
    peak_dbfs: float | None
    rms_dbfs: float | None
    clipped_ratio: float | None
    silence_ratio: float | None
    leading_silence_s: float | None
    trailing_silence_s: float | None
    speech_s: float | None
    verdict: Verdict
    reasons: tuple[str, ...]
    envelope: tuple[tuple[float, float], ...] = field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (a DataFrame row): every field but the envelope; reasons as a list."""
        row = asdict(self)
        del row["envelope"]
        row["reasons"] = list(self.reasons)
        return row


@dataclass(frozen=True, slots=True)
class OverallVerdict:
    """The verdict for a set of samples: total speech counts, each sample's problems too.

    `sound_duration_s` is the duration minus silence; `speech_s` the seconds of speech.
    """

    verdict: Verdict
    reasons: tuple[str, ...]
    count: int
    total_duration_s: float
    sound_duration_s: float
    speech_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A plain dict; reasons as a list."""
        row = asdict(self)
        row["reasons"] = list(self.reasons)
        return row


def _seconds(value: float) -> str:
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds:02d} s"


def findings(fig: Figures, speech: float, *, per_sample: bool) -> list[tuple[Verdict, str]]:
    """(severity, reason) findings for decoded figures; length only `per_sample`."""
    found: list[tuple[Verdict, str]] = []
    duration = fig.frames / fig.sample_rate
    if per_sample and duration < MIN_SAMPLE_S:
        found.append(("bad", f"too short: {_seconds(duration)} (under {MIN_SAMPLE_S:.0f} s)"))
    elif speech < MIN_WORD_S:
        found.append(
            (
                "bad",
                f"no speech found: no word in {_seconds(duration)} "
                "(a tone, noise, music or silence carries no voice)",
            )
        )
    elif speech < MIN_SPEECH_S:
        found.append(
            (
                "bad",
                f"too little speech: {_seconds(speech)} of speech in {_seconds(duration)} "
                f"(under {MIN_SPEECH_S:.0f} s)",
            )
        )
    elif per_sample and speech < SHORT_S:
        found.append(
            (
                "warn",
                f"short: {_seconds(speech)} of speech; under {SHORT_S:.0f} s in total is too "
                "short, 1-5 minutes of clean speech is best (several samples add up)",
            )
        )
    if fig.clipped_ratio > CLIPPED_WARN:
        level: Verdict = "bad" if fig.clipped_ratio > CLIPPED_BAD else "warn"
        found.append(
            (level, f"clipped: {fig.clipped_ratio:.2%} of values at full scale; lower the gain")
        )
    if fig.silence_ratio > SILENCE_WARN:
        level = "bad" if fig.silence_ratio > SILENCE_BAD else "warn"
        what = "mostly silence" if level == "bad" else "much silence"
        found.append(
            (
                level,
                f"{what}: {fig.silence_ratio:.0%} is pauses or background, well under this "
                "recording's speech level",
            )
        )
    for edge, value in (("leading", fig.leading_silence_s), ("trailing", fig.trailing_silence_s)):
        if value > EDGE_SILENCE_S and fig.silence_ratio < 1.0:
            found.append(("warn", f"{edge} silence of {_seconds(value)}; trim it"))
    if fig.peak_dbfs < QUIET_PEAK_DBFS and fig.silence_ratio < 1.0:
        found.append(
            (
                "warn",
                f"very quiet: peak {fig.peak_dbfs:.1f} dBFS (under {QUIET_PEAK_DBFS:.0f} dBFS); "
                "record closer to the microphone or normalise",
            )
        )
    if fig.sample_rate < LOW_RATE_HZ:
        found.append(("warn", f"low sample rate: {fig.sample_rate} Hz (under 16 kHz)"))
    return found


def with_source_clipping(after: SampleReport, before: SampleReport) -> SampleReport:
    """`after` (a prepared file's report) with the source's clipping, which preparation cannot
    undo: the flat tops are in the prepared audio too, only lower."""
    ratio = before.clipped_ratio or 0.0
    if ratio <= CLIPPED_WARN or after.duration_s is None:
        return after
    level: Verdict = "bad" if ratio > CLIPPED_BAD else "warn"
    reason = (
        f"clipped in the source: {ratio:.2%} of its values were at full scale; the flat tops "
        "remain after preparation (record again at a lower gain)"
    )
    return replace(after, verdict=worst([after.verdict, level]), reasons=(*after.reasons, reason))


def worst(levels: Iterable[Verdict]) -> Verdict:
    """The worst of `levels` ("good" for none)."""
    worst: Verdict = "good"
    for level in levels:
        if _RANK[level] > _RANK[worst]:
            worst = level
    return worst


def failed_report(
    name: str, fmt: str | None, reason: str, verdict: Verdict = "bad"
) -> SampleReport:
    """A report without figures: the sample could not be decoded (or read), with why."""
    return SampleReport(name, fmt, *(None,) * 10, verdict=verdict, reasons=(reason,))


def _figures_from_report(report: SampleReport) -> Figures | None:
    if report.duration_s is None or report.sample_rate is None or report.channels is None:
        return None
    return Figures(
        frames=round(report.duration_s * report.sample_rate),
        sample_rate=report.sample_rate,
        channels=report.channels,
        peak_dbfs=report.peak_dbfs if report.peak_dbfs is not None else 0.0,
        rms_dbfs=report.rms_dbfs if report.rms_dbfs is not None else 0.0,
        clipped_ratio=report.clipped_ratio or 0.0,
        silence_ratio=report.silence_ratio or 0.0,
        leading_silence_s=report.leading_silence_s or 0.0,
        trailing_silence_s=report.trailing_silence_s or 0.0,
        envelope=(),
    )


def overall_verdict(reports: Iterable[SampleReport]) -> OverallVerdict:
    """The verdict for cloning from all `reports` together (what the widget shows).

    Length is judged on the total speech of the decodable samples (short samples add up);
    every other finding of each sample counts, named after the sample.
    """
    reports = list(reports)
    found: list[tuple[Verdict, str]] = []
    total = sound = speech = 0.0
    for report in reports:
        fig = _figures_from_report(report)
        if fig is None:
            found.extend((report.verdict, f"{report.name}: {reason}") for reason in report.reasons)
            continue
        duration = fig.frames / fig.sample_rate
        total += duration
        sound += duration * (1.0 - fig.silence_ratio)
        speech += report.speech_s or 0.0
        found.extend(
            (level, f"{report.name}: {reason}")
            for level, reason in findings(fig, report.speech_s or 0.0, per_sample=False)
        )
    if not reports:
        found.insert(0, ("bad", "no samples"))
    elif speech < SHORT_S:
        found.insert(
            0, ("bad", f"too little speech: {_seconds(speech)} in total (under {SHORT_S:.0f} s)")
        )
    elif speech < GOOD_TOTAL_S:
        found.insert(
            0,
            (
                "warn",
                f"short: {_seconds(speech)} of speech in total; 1-5 minutes of clean speech "
                "is best",
            ),
        )
    return OverallVerdict(
        verdict=worst(level for level, _ in found),
        reasons=tuple(reason for _, reason in found),
        count=len(reports),
        total_duration_s=total,
        sound_duration_s=sound,
        speech_s=round(speech, 2),
    )
