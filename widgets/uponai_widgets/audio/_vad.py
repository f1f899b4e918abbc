"""Seconds of speech, streamed: webrtcvad's frame decisions behind two gates that reject steady
sound and music.

`SpeechDetector.feed` takes 16 kHz mono float32 blocks (`_analysis` downmixes, resamples and
high-passes the decoded audio), cuts 30 ms frames and asks webrtcvad (mode 3, the strictest)
about each one. webrtcvad alone calls much that is not speech speech: white, pink or brown
noise, hum, an organ chord, a chord with a tremolo, plucked strings, a music bed. Two gates
therefore judge 0.48 s windows (16 frames), and a window that fails either holds no speech,
whatever webrtcvad said:

- Steadiness. In each of 16 bands from 100 Hz to 7 kHz, the coefficient of variation of the
  band's energy over the window. Speech moves from sound to sound and from syllable to pause,
  so its bands vary (median CV 1.4-3 on espeak-ng speech, 0.9-2 with white noise at 10 dB
  SNR); a steady tone stays near 0 and white noise at 0.4-0.61 (minutes of it measured). A window whose median band CV is under `STEADY_CV` is
  steady.
- Spectral change. Music holds its notes: from one frame to the next the shape of its spectrum
  (the log power of each 31 Hz bin from 100 Hz to 4 kHz, less the frame's mean) barely moves,
  however its loudness moves (a tremolo, a pluck's decay). Speech changes shape all the time
  (formants glide, voicing comes and goes, the pitch moves). The frame-to-frame RMS change of
  that shape, in dB, has a median over the window's sounding frames of 8-13 dB on speech (7.6
  with noise at 10 dB SNR) and 2-4 dB on chords, tremolo tones and plucked notes; under
  `MUSIC_FLUX_DB` the window is music. Speech over music changes shape where the voice is, so
  it passes there and the music-only stretches do not. A window only the music gate rejected,
  next to a window with speech, is given back (a held vowel in or at the end of a phrase).

webrtcvad keeps calling a few frames speech after a sound ends (its hangover), and hears a
breath or a faint tail at the noise floor as speech: each run of speech frames therefore loses
the frames at its ends that are less than `EDGE_MARGIN_DB` over the background (the 10th
percentile of the frames judged not speech). Only where the background is clearly apart: at
least `MIN_BACKGROUND_FRAMES` of it, `EDGE_CLEARANCE_DB` under the speech's median level. Where
it is closer (noise at 10 dB SNR, speech at -40 dBFS over 16-bit quantisation, a music bed) the
ends of the runs are soft speech as much as background, and the runs stay whole. On KLettres'
recorded letters (noise at -61 dBFS) this takes the speech from 7 % over the annotated spans to
1 % under them.

webrtcvad also misses quiet speech (below about -35 dBFS it hears nothing), so its input gets a
gain that follows the loudest frame heard so far (at most +30 dB, never a cut); both gates ignore
level. Memory: a carry shorter than one window, plus two bytes per 30 ms frame (240 KB per
hour): the timeline that trimming and splitting use, and each frame's level for its ends.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import numpy as np
import numpy.typing as npt

from ._decode import AUDIO_HINT
from ._timeline import FRAME, FRAME_S, VAD_RATE, SpeechTimeline

__all__ = [
    "FRAME_S",
    "VAD_RATE",
    "SpeechDetector",
    "SpeechTimeline",
    "import_webrtcvad",
    "without_quiet_edges",
]

Floats = npt.NDArray[np.float32]

WINDOW_FRAMES = 16  # the gates judge 0.48 s at a time
STEADY_CV = 0.75  # median band-energy coefficient of variation under this: steady, not speech
MUSIC_FLUX_DB = 4.5  # median spectral-shape change under this: held notes, not speech
SHAPE_RANGE_DB = 45.0  # the spectral shape is compared within this range under its peak
SOUNDING_SHARE = 0.1  # frames over this share of the window's loudest RMS count for the flux
VAD_MODE = 3
AGC_TARGET_RMS = 0.3  # the loudest frame heard is brought to about -10 dBFS RMS for webrtcvad
AGC_MAX_GAIN = 31.6  # +30 dB
SILENT_RMS = 10 ** (-90 / 20)  # frames quieter than -90 dBFS are never speech
EDGE_MARGIN_DB = 6.0  # a run's end frames this close to the background are not speech
MIN_BACKGROUND_FRAMES = 33  # about a second of non-speech before a background is trusted
EDGE_CLEARANCE_DB = 25.0  # ... and only when the speech's median is this far above it
_LEVEL_OFFSET_DB = 140  # frame levels are kept as one byte: dBFS + this, clipped to 0-255
_FFT = 512
_BAND_EDGES_HZ = (100.0, 7000.0)
_BANDS = 16
_SHAPE_HZ = (100.0, 4000.0)
_POWER_FLOOR = np.float32(1e-10)


def import_webrtcvad() -> ModuleType:
    """webrtcvad (from webrtcvad-wheels), or an ImportError naming the extra to install."""
    try:
        return importlib.import_module("webrtcvad")
    except ImportError as exc:
        raise ImportError(
            f"finding speech needs webrtcvad: {AUDIO_HINT} ({exc})", name="webrtcvad"
        ) from exc


def _median_where(values: Floats, kept: npt.NDArray[np.bool_]) -> Floats:
    """The median of each row's `kept` values (NaN for a row with none): `np.nanmedian` of the
    others set to NaN, without its small-array path through numpy.ma (ten times slower)."""
    ordered = np.sort(np.where(kept, values, np.float32(np.nan)), axis=1)  # NaN sorts last
    count = np.count_nonzero(kept, axis=1)
    rows = np.arange(len(values))
    low = ordered[rows, np.maximum(count - 1, 0) // 2]
    high = ordered[rows, count // 2 - (count == 0)]  # a row with none: its first value, NaN
    return np.asarray((low + high) / 2, dtype=np.float32)


class SpeechDetector:
    """Speech decisions over consecutive 16 kHz mono float32 blocks."""

    def __init__(self) -> None:
        self._vad = import_webrtcvad().Vad(VAD_MODE)
        self._carry: Floats = np.zeros(0, np.float32)
        self._loudest = 0.0
        # Per frame of the open window: webrtcvad's vote, band energies, shape change, RMS.
        self._pending_votes: list[npt.NDArray[np.uint8]] = []
        self._pending_bands: list[Floats] = []
        self._pending_flux: list[Floats] = []
        self._pending_rms: list[Floats] = []
        self._pending = 0
        self._last_shape: Floats | None = None  # the previous frame's spectral shape
        self._flags = bytearray()
        self._levels = bytearray()  # per frame: its RMS level, dBFS + _LEVEL_OFFSET_DB
        self._music = bytearray()  # per window: 1 when only the music gate silenced its votes
        self._unmusic = bytearray()  # per frame: the votes the music gate alone would silence
        self._window: Floats = np.hanning(FRAME).astype(np.float32)
        bins = np.fft.rfftfreq(_FFT, 1 / VAD_RATE)
        edges = np.geomspace(*_BAND_EDGES_HZ, _BANDS + 1)
        band_of_bin = np.digitize(bins, edges) - 1  # -1 or _BANDS: outside the bands
        self._band_matrix: Floats = (band_of_bin[:, None] == np.arange(_BANDS)[None, :]).astype(
            np.float32
        )
        self._shape_bins = np.flatnonzero((bins >= _SHAPE_HZ[0]) & (bins <= _SHAPE_HZ[1]))

    def feed(self, samples: Floats) -> None:
        """Add the next 16 kHz mono float32 samples (1-D; nothing keeps a reference to them)."""
        data = np.concatenate([self._carry, samples]) if len(self._carry) else samples
        count = len(data) // FRAME
        self._carry = data[count * FRAME :].copy()
        if count:
            self._frames(data[: count * FRAME].reshape(count, FRAME))

    def _votes(self, frames: Floats, rms: Floats) -> npt.NDArray[np.uint8]:
        """webrtcvad's answer per frame, on frames levelled by the following gain."""
        heard = rms >= SILENT_RMS
        loudest = np.maximum.accumulate(np.where(heard, rms, 0.0))
        loudest = np.maximum(loudest, self._loudest)
        self._loudest = float(loudest[-1])
        gain = np.clip(AGC_TARGET_RMS / np.maximum(loudest, SILENT_RMS), 1.0, AGC_MAX_GAIN)
        scaled = frames * (gain[:, None] * 32768.0).astype(np.float32)
        data = np.clip(np.rint(scaled), -32768, 32767).astype(np.int16).tobytes()
        speech = self._vad.is_speech
        size = 2 * FRAME
        votes = np.zeros(len(frames), np.uint8)
        for index in np.flatnonzero(heard).tolist():
            votes[index] = speech(data[index * size : (index + 1) * size], VAD_RATE)
        return votes

    def _shape_change(self, power: Floats) -> Floats:
        """The RMS change in dB of each frame's spectral shape from the frame before."""
        band = power[:, self._shape_bins]
        # Bins far under the frame's strongest hold only noise (or quantisation): their random
        # level would count as change, so they are raised to a floor `SHAPE_RANGE_DB` down.
        floor = band.max(axis=1, keepdims=True) * np.float32(10 ** (-SHAPE_RANGE_DB / 10))
        level = 10 * np.log10(np.maximum(band, floor) + _POWER_FLOOR)
        shape = level - level.mean(axis=1, keepdims=True)
        previous = shape[:1] if self._last_shape is None else self._last_shape[None, :]
        self._last_shape = shape[-1].copy()
        change = np.diff(np.concatenate([previous, shape]), axis=0)
        return np.asarray(np.sqrt(np.mean(np.square(change), axis=1)), dtype=np.float32)

    def _frames(self, frames: Floats) -> None:
        if not np.isfinite(frames).all():  # a corrupt float file: the report says so
            frames = np.nan_to_num(frames, nan=0.0, posinf=1.0, neginf=-1.0)
        rms = np.sqrt(np.einsum("ij,ij->i", frames, frames) / FRAME).astype(np.float32)
        level = 20 * np.log10(np.maximum(rms, np.float32(1e-9))) + _LEVEL_OFFSET_DB
        self._levels += np.clip(np.rint(level), 0, 255).astype(np.uint8).tobytes()
        spectrum = np.fft.rfft(frames * self._window, _FFT, axis=1)
        power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
        self._pending_votes.append(self._votes(frames, rms))
        self._pending_bands.append(power @ self._band_matrix)
        self._pending_flux.append(self._shape_change(power))
        self._pending_rms.append(rms)
        self._pending += len(frames)
        if self._pending >= WINDOW_FRAMES:
            self._judge(final=False)

    @staticmethod
    def _gates(
        bands: Floats, flux: Floats, rms: Floats
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """Per window (axis 0 of arrays shaped (windows, frames, ...)): (steady, music)."""
        bands = bands + np.float32(1e-12)
        cv = np.median(bands.std(axis=1) / bands.mean(axis=1), axis=1)
        sounding = rms >= SOUNDING_SHARE * rms.max(axis=1, keepdims=True)
        median_flux = _median_where(flux, sounding)
        music = np.nan_to_num(median_flux, nan=0.0) < MUSIC_FLUX_DB
        return np.asarray(cv < STEADY_CV, dtype=np.bool_), np.asarray(music, dtype=np.bool_)

    def _gate(self, votes: npt.NDArray[np.uint8], bands: Floats, flux: Floats, rms: Floats) -> None:
        """Append the gated votes of whole windows (arrays shaped (windows, frames, ...))."""
        steady, music = self._gates(bands, flux, rms)
        kept = np.where((steady | music)[:, None], 0, votes).astype(np.uint8)
        music_only = np.where((music & ~steady)[:, None], votes, 0).astype(np.uint8)
        self._flags += kept.tobytes()
        self._unmusic += music_only.tobytes()
        self._music += (music & ~steady & (votes.max(axis=1) > 0)).astype(np.uint8).tobytes()

    def _judge(self, *, final: bool) -> None:
        """Gate the pending frames window by window (a last short window only when `final`)."""
        votes = np.concatenate(self._pending_votes)
        bands = np.concatenate(self._pending_bands)
        flux = np.concatenate(self._pending_flux)
        rms = np.concatenate(self._pending_rms)
        whole = len(votes) // WINDOW_FRAMES * WINDOW_FRAMES
        done = len(votes) if final else whole
        if whole:
            shape = (-1, WINDOW_FRAMES)
            self._gate(
                votes[:whole].reshape(shape),
                bands[:whole].reshape(*shape, _BANDS),
                flux[:whole].reshape(shape),
                rms[:whole].reshape(shape),
            )
        if done > whole:  # the last, short window (too few frames: webrtcvad alone decides)
            tail = votes[whole:done]
            if done - whole >= 4:
                self._gate(
                    tail[None],
                    bands[None, whole:done],
                    flux[None, whole:done],
                    rms[None, whole:done],
                )
            else:
                self._flags += tail.tobytes()
                self._unmusic += bytes(len(tail))
                self._music += b"\0"
        self._pending_votes = [votes[done:]]
        self._pending_bands = [bands[done:]]
        self._pending_flux = [flux[done:]]
        self._pending_rms = [rms[done:]]
        self._pending = len(votes) - done

    def finish(self) -> SpeechTimeline:
        """The timeline for everything fed so far (call once, at the end)."""
        if len(self._carry):  # the last partial frame, padded with silence
            padded = np.zeros(FRAME, np.float32)
            padded[: len(self._carry)] = self._carry
            self._carry = np.zeros(0, np.float32)
            self._frames(padded[None, :])
        if self._pending:
            self._judge(final=True)
        return SpeechTimeline(without_quiet_edges(self._restored(), bytes(self._levels)))

    def _restored(self) -> bytes:
        """The flags, with the votes of each window the music gate alone silenced given back
        when speech is heard in a window next to it: a held vowel or a steady stretch of
        synthetic speech in or at the end of a phrase is speech (music comes in longer runs)."""
        flags = np.frombuffer(bytes(self._flags), np.uint8).copy()
        music = np.frombuffer(bytes(self._music), np.uint8).astype(bool)
        if not music.any():
            return flags.tobytes()
        count = len(music)
        starts = np.arange(count) * WINDOW_FRAMES
        heard = np.maximum.reduceat(flags, starts) > 0 if len(flags) else np.zeros(count, bool)
        before = np.concatenate([[False], heard[:-1]])
        after = np.concatenate([heard[1:], [False]])
        unmusic = np.frombuffer(bytes(self._unmusic), np.uint8)
        for window in np.flatnonzero(music & (before | after)).tolist():
            span = slice(window * WINDOW_FRAMES, (window + 1) * WINDOW_FRAMES)
            flags[span] |= unmusic[span]
        return flags.tobytes()


def without_quiet_edges(flags: bytes, levels: bytes) -> bytes:
    """`flags` with the frames at the ends of each run of speech that are less than
    `EDGE_MARGIN_DB` over the background taken out (a run at the background goes whole).

    `levels`: each frame's level, dBFS + `_LEVEL_OFFSET_DB`. The background is the 10th
    percentile of the audible frames not judged speech; with fewer than
    `MIN_BACKGROUND_FRAMES` of them, or less than `EDGE_CLEARANCE_DB` under the speech's
    median, `flags` is returned as it is.
    """
    speech = np.frombuffer(flags, np.uint8) > 0
    level = np.frombuffer(levels, np.uint8)[: len(speech)].astype(np.float32) - _LEVEL_OFFSET_DB
    background = ~speech & (level >= 20 * np.log10(SILENT_RMS))
    if np.count_nonzero(background) < MIN_BACKGROUND_FRAMES or not speech.any():
        return flags
    floor = float(np.percentile(level[background], 10))
    if float(np.median(level[speech])) - floor < EDGE_CLEARANCE_DB:
        return flags
    above = level >= floor + EDGE_MARGIN_DB
    kept = speech.copy()
    edges = np.flatnonzero(np.diff(np.concatenate([[0], speech.view(np.int8), [0]])))
    for start, end in zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True):
        loud = np.flatnonzero(above[start:end])
        if not len(loud):
            kept[start:end] = False
            continue
        kept[start : start + int(loud[0])] = False
        kept[start + int(loud[-1]) + 1 : end] = False
    return kept.astype(np.uint8).tobytes()
