"""Check voice samples before cloning: duration, level, clipping and silence, streamed.

`inspect_sample` accepts every kind of sample `clone_voice` accepts (a path, a binary file object,
bytes, a memoryview, a `(filename, data, mime)` tuple, an ipywidgets FileUpload value entry) in
every format it accepts: WAV, FLAC and OGG are decoded with libsndfile; MP3, M4A and WebM (what
browsers record) with PyAV's FFmpeg (libsndfile 1.2.2 misdecodes MP3 read in blocks). The audio is decoded block by block and every figure is computed
incrementally, so a long file is analysed in bounded memory. A caller's file object is left at
the position it had; a stream that cannot seek is not read at all (reading it would leave nothing
to upload). Undecodable audio gives verdict ``"bad"`` with the reason, never an exception.

`speech_s` is the number of seconds a voice-activity detector (webrtcvad behind a steadiness
gate, see `_vad`) judged to be speech, measured in the same pass; a tone, noise or a hum is not
speech. "Enough audio" means enough speech.

Guidance (each finding adds a readable reason; the verdict is the worst finding):

- Length. One sample under 1 s is **bad** (too short to carry a voice); under 1 s of speech is
  **bad** (no speech found); under 10 s of speech is **warn**. Several samples add up, so for a
  set `overall_verdict` judges the total speech instead: under 10 s is **bad**, under 1 minute
  **warn**, 1-5 minutes of clean speech is **good** and more is fine.
- Clipping. A sample value at or above 0.999 of full scale counts as clipped: over 0.01 % of all
  values is **warn**, over 0.1 % is **bad** (audible distortion the clone would learn).
- Silence. A 50 ms window whose RMS is below -45 dBFS is silence. Over 50 % silence is **warn**,
  over 80 % (mostly silence) is **bad**. Leading or trailing silence over 3 s is **warn** (trim it).
- Level. A peak below -20 dBFS is **warn** (very quiet: noise gets amplified with the voice).
- Sample rate. Under 16 kHz is **warn** (telephone quality limits the clone).

Levels are in dBFS (0 dBFS = full scale); digital silence is reported as -120 dBFS.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .._errors import Problem
from .._samples import open_sample, sniff_audio, unwrap_sample
from ._decode import DecodeError, decode, import_numpy
from ._stats import SILENCE_DBFS, Accumulator, Figures
from ._vad import SpeechDetector, SpeechTimeline

__all__ = ["OverallVerdict", "SampleReport", "inspect_sample", "inspect_samples", "overall_verdict"]

Verdict = Literal["good", "warn", "bad"]
_RANK: dict[str, int] = {"good": 0, "warn": 1, "bad": 2}

MIN_SAMPLE_S = 1.0
MIN_SPEECH_S = 1.0
SHORT_S = 10.0
GOOD_TOTAL_S = 60.0
CLIPPED_WARN = 0.0001
CLIPPED_BAD = 0.001
SILENCE_WARN = 0.5
SILENCE_BAD = 0.8
EDGE_SILENCE_S = 3.0
QUIET_PEAK_DBFS = -20.0
LOW_RATE_HZ = 16000
_FORMATS = "WAV, MP3, FLAC, OGG, M4A or WebM"


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


def _checks(fig: Figures, speech: float, *, per_sample: bool) -> list[tuple[Verdict, str]]:
    """(severity, reason) findings for decoded figures; length only `per_sample`."""
    found: list[tuple[Verdict, str]] = []
    duration = fig.frames / fig.sample_rate
    if per_sample and duration < MIN_SAMPLE_S:
        found.append(("bad", f"too short: {_seconds(duration)} (under {MIN_SAMPLE_S:.0f} s)"))
    elif speech < MIN_SPEECH_S:
        found.append(
            (
                "bad",
                f"no speech found: {_seconds(speech)} of speech in {_seconds(duration)} "
                "(a tone, noise, music or silence carries no voice)",
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
        found.append((level, f"{what}: {fig.silence_ratio:.0%} is below {SILENCE_DBFS:.0f} dBFS"))
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


def _worst(levels: Iterable[Verdict]) -> Verdict:
    worst: Verdict = "good"
    for level in levels:
        if _RANK[level] > _RANK[worst]:
            worst = level
    return worst


def _failed(name: str, fmt: str | None, reason: str, verdict: Verdict = "bad") -> SampleReport:
    return SampleReport(name, fmt, *(None,) * 10, verdict=verdict, reasons=(reason,))


def _caller_stream(item: object) -> Any:
    """The caller's file object inside `item`, if any (the cloning layer's sample shapes)."""
    unwrapped = unwrap_sample(item)
    data = None if isinstance(unwrapped, str) else unwrapped.data
    return data if hasattr(data, "read") else None


def caller_stream_position(sample: object, index: int) -> tuple[Any, int | None, str | None]:
    """The caller's open stream (None for paths and bytes), its position to restore, and the
    sample's name when that stream cannot seek (reading it would use it up), else None."""
    stream = _caller_stream(sample)
    if stream is None or getattr(stream, "closed", False):
        return stream, None, None
    try:
        position = int(stream.tell()) if stream.seekable() else None
    except (AttributeError, OSError, ValueError):
        position = None
    if position is not None:
        return stream, position, None
    label = getattr(stream, "name", None)
    return (
        stream,
        None,
        os.path.basename(label) if isinstance(label, str) else f"sample {index + 1}",
    )


def _inspect(sample: object, index: int) -> SampleReport:
    stream, position, unseekable = caller_stream_position(sample, index)
    if unseekable is not None:
        reason = "not inspected: the stream cannot seek, so reading it would use it up"
        return _failed(unseekable, None, reason, "warn")
    reader = open_sample(sample, index)
    if isinstance(reader, Problem):
        return _failed(reader.sample or f"sample {index + 1}", None, reader.message)
    try:
        return _decode_report(reader)
    finally:
        reader.close()
        if position is not None:
            stream.seek(position)


def _decode_report(reader: Any) -> SampleReport:
    return measure(reader)[0]


Tap = Callable[[int, int], Callable[[Any], None]]


class Analysis:
    """Figures and speech of one sample, fed block by block (what `measure` computes).

    With `speech`, the speech timeline is already known (the same audio was analysed before,
    e.g. a part of a prepared sample) and the detector is not run again.
    """

    def __init__(
        self, np: Any, sample_rate: int, channels: int, speech: SpeechTimeline | None = None
    ) -> None:
        self._accumulator = Accumulator(np, sample_rate, channels)
        self._speech = speech
        self._detector = SpeechDetector(np, sample_rate, channels) if speech is None else None

    def feed(self, block: Any) -> None:
        """Add the next float32 block (frames, channels)."""
        self._accumulator.feed(block)
        if self._detector is not None:
            self._detector.feed(block)

    def report(self, name: str, fmt: str) -> tuple[SampleReport, SpeechTimeline | None]:
        """The report and speech timeline for everything fed (call once, at the end)."""
        fig = self._accumulator.finish()
        timeline = self._detector.finish() if self._detector is not None else self._speech
        assert timeline is not None
        if fig.frames == 0:
            return _failed(name, fmt, "no audio: the file decodes to zero frames"), None
        if not self._accumulator.finite:
            reason = "corrupt: the audio holds NaN or infinite sample values"
            return _failed(name, fmt, reason), None
        speech = round(min(timeline.speech_s, fig.frames / fig.sample_rate), 2)
        found = _checks(fig, speech, per_sample=True)
        report = SampleReport(
            name=name,
            format=fmt,
            duration_s=fig.frames / fig.sample_rate,
            sample_rate=fig.sample_rate,
            channels=fig.channels,
            peak_dbfs=fig.peak_dbfs,
            rms_dbfs=fig.rms_dbfs,
            clipped_ratio=fig.clipped_ratio,
            silence_ratio=fig.silence_ratio,
            leading_silence_s=fig.leading_silence_s,
            trailing_silence_s=fig.trailing_silence_s,
            speech_s=speech,
            verdict=_worst(level for level, _ in found),
            reasons=tuple(reason for _, reason in found),
            envelope=fig.envelope,
        )
        return report, timeline


def measure(reader: Any, tap: Tap | None = None) -> tuple[SampleReport, SpeechTimeline | None]:
    """The report for an opened sample and its speech timeline (None when undecodable).

    `tap(sample_rate, channels)`, when given, returns a function that is fed every decoded
    block too (the preparation's first pass measures loudness this way, in the same pass);
    what it raises propagates (a cancellation is not a decoding error).
    """
    name = reader.label
    sniffed = sniff_audio(reader.head())
    if reader.size == 0:
        return _failed(name, None, "empty: 0 bytes"), None
    if sniffed is None:
        return _failed(name, None, f"not audio: the first bytes match none of {_FORMATS}"), None
    fmt = sniffed[0]
    np = import_numpy()
    in_tap = False
    try:
        rate, channels, blocks = decode(reader, fmt)
        with contextlib.closing(blocks):
            analysis = Analysis(np, rate, channels)
            extra = tap(rate, channels) if tap is not None else None
            for block in blocks:
                analysis.feed(block)
                if extra is not None:
                    in_tap = True
                    extra(block)
                    in_tap = False
            return analysis.report(name, fmt)
    except ImportError:
        raise
    except DecodeError as exc:
        return _failed(name, fmt, f"cannot decode as {fmt.upper()}: {exc}"), None
    except Exception as exc:
        if in_tap:
            raise
        detail = str(exc).strip() or type(exc).__name__
        return _failed(name, fmt, f"cannot decode as {fmt.upper()}: {detail}"), None


def inspect_sample(sample: object) -> SampleReport:
    """Decode one sample in blocks and judge it (see the module's guidance); never raises for
    bad audio, only ImportError when the ``audio`` extra (numpy, soundfile, av) is missing."""
    return _inspect(sample, 0)


def inspect_samples(samples: Iterable[object]) -> list[SampleReport]:
    """`inspect_sample` for each item of `samples` (unnamed items are called "sample N")."""
    if isinstance(samples, (str, bytes, os.PathLike, memoryview)):
        samples = [samples]
    return [_inspect(sample, index) for index, sample in enumerate(samples)]


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
            for level, reason in _checks(fig, report.speech_s or 0.0, per_sample=False)
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
        verdict=_worst(level for level, _ in found),
        reasons=tuple(reason for _, reason in found),
        count=len(reports),
        total_duration_s=total,
        sound_duration_s=sound,
        speech_s=round(speech, 2),
    )
