"""One sample's figures and speech, fed block by block: what `inspect_sample` reports.

Peaks, RMS, clipping and the waveform are measured on the decoded values as they are
(`_stats`). Silence and speech are judged on a conditioned copy: the channels mixed down by
their layout (`_layout`, the LFE left out), resampled to 16 kHz (soxr, state carried between
blocks) and high-passed (`_filters`), so a DC offset or rumble neither hides silence nor passes
for sound.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ._decode import import_soxr
from ._filters import HighPass
from ._layout import downmix_weights
from ._silence import SilenceTrack
from ._stats import Accumulator
from ._timeline import VAD_RATE, SpeechTimeline
from ._vad import SpeechDetector
from ._verdict import SampleReport, failed_report, findings, worst

__all__ = ["Analysis", "MonoConditioner"]

Block = npt.NDArray[np.float32]


class MonoConditioner:
    """Decoded blocks (frames, channels) -> 16 kHz mono, high-passed, as 1-D float32."""

    def __init__(self, sample_rate: int, channels: int, layout: str | None = None) -> None:
        self._mix: Block = np.asarray(downmix_weights(channels, layout), np.float32)[:, None]
        self._resampler = (
            import_soxr().ResampleStream(sample_rate, VAD_RATE, 1, dtype="float32", quality="QQ")
            if sample_rate != VAD_RATE
            else None
        )
        self._highpass = HighPass(VAD_RATE, 1)

    def process(self, block: Block, *, last: bool = False) -> Block:
        """The next conditioned samples (possibly none while the resampler fills)."""
        mono = block[:, 0] if block.shape[1] == 1 else (block @ self._mix)[:, 0]
        if not np.isfinite(mono).all():  # a corrupt float file: the report says so
            mono = np.nan_to_num(mono, nan=0.0, posinf=1.0, neginf=-1.0)
        mono = np.ascontiguousarray(mono, dtype=np.float32)
        if self._resampler is not None:
            mono = self._resampler.resample_chunk(mono, last=last)
        return self._highpass.process(mono[:, None])[:, 0]


class Analysis:
    """Figures and speech of one sample, fed block by block (what `measure` computes).

    With `speech`, the speech timeline is already known (the same audio was analysed before,
    e.g. a part of a prepared sample) and the detector is not run again.
    """

    def __init__(
        self,
        sample_rate: int,
        channels: int,
        speech: SpeechTimeline | None = None,
        layout: str | None = None,
    ) -> None:
        self._accumulator = Accumulator(sample_rate, channels)
        self._conditioner = MonoConditioner(sample_rate, channels, layout)
        self._silence = SilenceTrack(VAD_RATE)
        self._speech = speech
        self._detector = SpeechDetector() if speech is None else None

    def feed(self, block: Block) -> None:
        """Add the next float32 block (frames, channels)."""
        self._accumulator.feed(block)
        self._add(self._conditioner.process(block))

    def _add(self, mono: Block) -> None:
        if len(mono):
            self._silence.feed(mono)
            if self._detector is not None:
                self._detector.feed(mono)

    def report(self, name: str, fmt: str) -> tuple[SampleReport, SpeechTimeline | None]:
        """The report and speech timeline for everything fed (call once, at the end)."""
        self._add(self._conditioner.process(np.zeros((0, 1), np.float32), last=True))
        fig = self._accumulator.finish(self._silence.finish())
        timeline = self._detector.finish() if self._detector is not None else self._speech
        assert timeline is not None
        if fig.frames == 0:
            return failed_report(name, fmt, "no audio: the file decodes to zero frames"), None
        if not self._accumulator.finite:
            reason = "corrupt: the audio holds NaN or infinite sample values"
            return failed_report(name, fmt, reason), None
        speech = round(min(timeline.speech_s, fig.frames / fig.sample_rate), 2)
        found = findings(fig, speech, per_sample=True)
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
            verdict=worst(level for level, _ in found),
            reasons=tuple(reason for _, reason in found),
            envelope=fig.envelope,
        )
        return report, timeline
