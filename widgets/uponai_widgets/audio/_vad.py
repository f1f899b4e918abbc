"""Seconds of speech, streamed: webrtcvad's frame decisions behind a steadiness gate.

`SpeechDetector.feed` takes decoded float32 blocks shaped (frames, channels) at any rate. It
downmixes them, resamples to 16 kHz mono with a soxr stream (filter state carried from block to
block), cuts 30 ms frames and asks webrtcvad (mode 3, the strictest) about each one.

webrtcvad alone calls steady sounds speech: white, pink or brown noise, hum, an organ chord. A
second test therefore looks at 0.48 s windows (16 frames): in each of 16 bands from 100 Hz to
7 kHz it takes the coefficient of variation of the band's energy over the window. Speech moves
from sound to sound and from syllable to pause, so its bands vary (median CV above 1 measured on
espeak-ng speech, 0.75 with noise at 10 dB SNR); a steady tone or noise stays under 0.5. A window
whose median band CV is under `STEADY_CV` holds no speech, whatever webrtcvad said.

webrtcvad also misses quiet speech (below about -35 dBFS it hears nothing), so its input gets a
gain that follows the loudest frame heard so far (at most +30 dB, never a cut); the steadiness
gate ignores level. Memory: a carry shorter than one window, plus one byte per 30 ms frame
(120 KB per hour) for the timeline that trimming and splitting use.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from ._decode import AUDIO_HINT

__all__ = ["FRAME_S", "SpeechDetector", "SpeechTimeline", "import_webrtcvad"]

VAD_RATE = 16000
FRAME = 480  # 30 ms at 16 kHz, a frame length webrtcvad accepts
FRAME_S = FRAME / VAD_RATE
WINDOW_FRAMES = 16  # the steadiness gate judges 0.48 s at a time
STEADY_CV = 0.6  # median band-energy coefficient of variation under this: steady, not speech
VAD_MODE = 3
AGC_TARGET_RMS = 0.3  # the loudest frame heard is brought to about -10 dBFS RMS for webrtcvad
AGC_MAX_GAIN = 31.6  # +30 dB
SILENT_RMS = 10 ** (-90 / 20)  # frames quieter than -90 dBFS are never speech
_FFT = 512
_BAND_EDGES_HZ = (100.0, 7000.0)
_BANDS = 16


def import_webrtcvad() -> Any:
    """webrtcvad (from webrtcvad-wheels), or an ImportError naming the extra to install."""
    try:
        return importlib.import_module("webrtcvad")
    except ImportError as exc:
        raise ImportError(
            f"finding speech needs webrtcvad: {AUDIO_HINT} ({exc})", name="webrtcvad"
        ) from exc


def _import_soxr() -> Any:
    try:
        return importlib.import_module("soxr")
    except ImportError as exc:
        raise ImportError(f"resampling needs soxr: {AUDIO_HINT} ({exc})", name="soxr") from exc


@dataclass(frozen=True, slots=True)
class SpeechTimeline:
    """One flag per 30 ms frame (1 = speech) from the start of the audio; `frame_s` long each."""

    flags: bytes
    frame_s: float = FRAME_S

    @property
    def speech_s(self) -> float:
        """Seconds judged to be speech."""
        return self.flags.count(1) * self.frame_s

    def part(self, start_s: float, end_s: float) -> SpeechTimeline:
        """The timeline of [start_s, end_s) (frames cut at the nearest frame edges)."""
        first, last = round(start_s / self.frame_s), round(end_s / self.frame_s)
        return SpeechTimeline(self.flags[first:last], self.frame_s)

    def span(self) -> tuple[float, float] | None:
        """(start, end) in seconds of the first and last speech frames, None without speech."""
        first = self.flags.find(1)
        if first < 0:
            return None
        last = self.flags.rfind(1)
        return first * self.frame_s, (last + 1) * self.frame_s

    def pauses(self, min_s: float) -> list[tuple[float, float]]:
        """(start, end) of each run of non-speech of at least `min_s` between speech frames."""
        found: list[tuple[float, float]] = []
        span = self.span()
        if span is None:
            return found
        need = max(1, round(min_s / self.frame_s))
        index, end = self.flags.find(1), self.flags.rfind(1)
        while index < end:
            gap = self.flags.find(0, index, end)
            if gap < 0:
                break
            resume = self.flags.find(1, gap, end + 1)
            if resume - gap >= need:
                found.append((gap * self.frame_s, resume * self.frame_s))
            index = resume
        return found


class SpeechDetector:
    """Speech decisions over consecutive float32 blocks shaped (frames, channels)."""

    def __init__(self, np: Any, sample_rate: int, channels: int) -> None:
        self._np = np
        self._channels = channels
        self._vad = import_webrtcvad().Vad(VAD_MODE)
        # numpy's FFT keeps float32 (numpy 2); scipy.fft is a little faster but would add about
        # 25 MiB to every kernel that only inspects samples.
        self._fft = np.fft
        self._resampler = (
            _import_soxr().ResampleStream(sample_rate, VAD_RATE, 1, dtype="float32", quality="QQ")
            if sample_rate != VAD_RATE
            else None
        )
        self._mix = np.full(channels, 1.0 / channels, np.float32)
        self._carry = np.zeros(0, np.float32)
        self._loudest = 0.0
        self._pending_votes: list[Any] = []  # webrtcvad's answers for frames of an open window
        self._pending_bands: list[Any] = []
        self._pending = 0
        self._flags = bytearray()
        window = np.hanning(FRAME).astype(np.float32)
        self._window = window
        bins = np.fft.rfftfreq(_FFT, 1 / VAD_RATE)
        edges = np.geomspace(*_BAND_EDGES_HZ, _BANDS + 1)
        band_of_bin = np.digitize(bins, edges) - 1  # -1 or _BANDS: outside the bands
        self._band_matrix = (band_of_bin[:, None] == np.arange(_BANDS)[None, :]).astype(np.float32)

    def feed(self, block: Any) -> None:
        """Add the next block (it may be a reused buffer: nothing keeps a reference to it)."""
        np = self._np
        mono = block[:, 0] if self._channels == 1 else block @ self._mix  # (BLAS; mean is slow)
        self._add(self._resample(np.ascontiguousarray(mono, dtype=np.float32), last=False))

    def _resample(self, mono: Any, *, last: bool) -> Any:
        if self._resampler is None:
            return mono
        return self._resampler.resample_chunk(mono, last=last)

    def _add(self, samples: Any) -> None:
        np = self._np
        data = np.concatenate([self._carry, samples]) if len(self._carry) else samples
        count = len(data) // FRAME
        self._carry = data[count * FRAME :].copy()
        if count:
            self._frames(data[: count * FRAME].reshape(count, FRAME))

    def _frames(self, frames: Any) -> None:
        np = self._np
        if not np.isfinite(frames).all():  # a corrupt float file: the report says so
            frames = np.nan_to_num(frames, nan=0.0, posinf=1.0, neginf=-1.0)
        rms = np.sqrt(np.einsum("ij,ij->i", frames, frames) / FRAME)
        heard = rms >= SILENT_RMS
        loudest = np.maximum.accumulate(np.where(heard, rms, 0.0))
        loudest = np.maximum(loudest, self._loudest)
        self._loudest = float(loudest[-1])
        gain = np.clip(AGC_TARGET_RMS / np.maximum(loudest, SILENT_RMS), 1.0, AGC_MAX_GAIN)
        scaled = frames * (gain[:, None] * 32768.0).astype(np.float32)
        pcm = np.clip(np.rint(scaled), -32768, 32767).astype(np.int16)
        speech = self._vad.is_speech
        data = pcm.tobytes()
        size = 2 * FRAME
        votes = np.zeros(len(frames), np.uint8)
        for index in np.flatnonzero(heard).tolist():
            votes[index] = speech(data[index * size : (index + 1) * size], VAD_RATE)
        spectrum = self._fft.rfft(frames * self._window, _FFT, axis=1)
        power = spectrum.real**2 + spectrum.imag**2
        self._pending_votes.append(votes)
        self._pending_bands.append(power @ self._band_matrix)
        self._pending += len(frames)
        if self._pending >= WINDOW_FRAMES:
            self._judge(final=False)

    def _judge(self, *, final: bool) -> None:
        """Gate the pending frames window by window (a last short window only when `final`)."""
        np = self._np
        votes = np.concatenate(self._pending_votes)
        bands = np.concatenate(self._pending_bands)
        whole = len(votes) // WINDOW_FRAMES * WINDOW_FRAMES
        done = len(votes) if final else whole
        if whole:
            part = bands[:whole].reshape(-1, WINDOW_FRAMES, _BANDS) + 1e-12
            cv = np.median(part.std(axis=1) / part.mean(axis=1), axis=1)
            steady = np.repeat(cv < STEADY_CV, WINDOW_FRAMES)
            self._flags += np.where(steady, 0, votes[:whole]).astype(np.uint8).tobytes()
        if done > whole:  # the last, short window
            part = bands[whole:done] + 1e-12
            cv = float(np.median(part.std(axis=0) / part.mean(axis=0)))
            short_steady = done - whole >= 4 and cv < STEADY_CV  # too few frames: trust webrtcvad
            tail = votes[whole:done]
            self._flags += bytes(len(tail)) if short_steady else tail.tobytes()
        self._pending_votes = [votes[done:]]
        self._pending_bands = [bands[done:]]
        self._pending = len(votes) - done

    def finish(self) -> SpeechTimeline:
        """The timeline for everything fed so far (call once, at the end)."""
        np = self._np
        self._add(self._resample(np.zeros(0, np.float32), last=True))
        if len(self._carry):  # the last partial frame, padded with silence
            padded = np.zeros(FRAME, np.float32)
            padded[: len(self._carry)] = self._carry
            self._carry = np.zeros(0, np.float32)
            self._frames(padded[None, :])
        if self._pending:
            self._judge(final=True)
        return SpeechTimeline(bytes(self._flags))
