"""Signals for the audio tests and the detector benchmark: music, tones, noise and recorded
human voices, as float64 arrays shaped (frames, channels). Nothing third-party is committed:
KLettres' recordings come from Debian's klettres-data (the Makefile installs it).

- `tremolo_chord`, `plucked_chords`, `music_bed`, `white_noise`: generated here.
- `human_speech(folder)`: KLettres' spoken English letters joined with pauses (48 kHz mono),
  and its seconds of speech by ffmpeg's `silencedetect`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf  # type: ignore[import-untyped]

from .audio_oracles import ffmpeg, silences

__all__ = [
    "HUMAN_SPEECH_DIR",
    "human_speech",
    "music_bed",
    "plucked_chords",
    "tremolo_chord",
    "white_noise",
]

HUMAN_SPEECH_DIR = Path("/usr/share/klettres/en/alpha")
Signal = np.ndarray


def human_speech(folder: Path, letters: str = "ABCDEFGHIJKL") -> tuple[Path, float]:
    """(a 48 kHz mono WAV of KLettres' recorded letters joined by 0.8 s pauses, the seconds of
    speech in it by ffmpeg's silencedetect at -40 dBFS)."""
    if not HUMAN_SPEECH_DIR.is_dir():
        raise FileNotFoundError(f"{HUMAN_SPEECH_DIR}: apt-get install klettres-data")
    parts = []
    for letter in letters:
        clip = folder / f"{letter}.wav"
        ffmpeg("-i", HUMAN_SPEECH_DIR / f"{letter}.ogg", "-ac", "1", "-ar", "48000", clip)
        data, _ = sf.read(str(clip))
        parts.extend([data, np.zeros(round(0.8 * 48000))])
    joined = np.concatenate([np.zeros(48000), *parts, np.zeros(48000)])
    path = folder / "letters.wav"
    sf.write(str(path), joined, 48000, subtype="PCM_16")
    duration = len(joined) / 48000
    quiet = sum(end - start for start, end in silences(path, -40, 0.1))
    return path, duration - quiet


def _harmonic(freq: float, seconds: float, rate: int, decay_s: float | None = None) -> Signal:
    t = np.arange(round(seconds * rate)) / rate
    note = sum(np.sin(2 * np.pi * freq * k * t) / k for k in range(1, 7))
    if decay_s is not None:
        note = note * np.exp(-t / decay_s)
    return np.asarray(note)


def tremolo_chord(rate: int = 16000, seconds: float = 20.0) -> Signal:
    """Two harmonic notes (A3 and C#4) with a 3 Hz tremolo, peaks near -6 dBFS."""
    t = np.arange(round(seconds * rate)) / rate
    chord = _harmonic(220.0, seconds, rate) + _harmonic(277.18, seconds, rate)
    chord = chord * (0.55 + 0.45 * np.sin(2 * np.pi * 3.0 * t))
    return np.asarray(0.5 * chord / np.abs(chord).max())[:, None]


def plucked_chords(rate: int = 16000, seconds: float = 20.0, seed: int = 5) -> Signal:
    """Plucked three-note chords, a new one every 0.4-0.9 s, each decaying over 0.5 s."""
    rng = np.random.default_rng(seed)
    out = np.zeros(round(seconds * rate))
    roots = [196.0, 220.0, 246.9, 261.6, 293.7, 329.6]
    at = 0.0
    while at < seconds:
        root = float(rng.choice(roots))
        chord = np.sum([_harmonic(root * r, 1.5, rate, 0.5) for r in (1.0, 1.26, 1.5)], axis=0)
        start = round(at * rate)
        end = min(len(out), start + len(chord))
        out[start:end] += chord[: end - start]
        at += float(rng.uniform(0.4, 0.9))
    return np.asarray(0.5 * out / np.abs(out).max())[:, None]


def music_bed(rate: int, seconds: float) -> Signal:
    """Sustained chords changing every 2 s, with a soft 3 Hz tremolo (peaks near -6 dBFS)."""
    chords = [(220.0, 277.18, 329.63), (196.0, 246.94, 293.66), (174.61, 220.0, 261.63)]
    out = np.zeros(round(seconds * rate))
    step = round(2.0 * rate)
    for index, start in enumerate(range(0, len(out), step)):
        length = min(step, len(out) - start)
        notes = chords[index % len(chords)]
        out[start : start + length] = sum(_harmonic(f, length / rate, rate) for f in notes)
    t = np.arange(len(out)) / rate
    out *= 0.8 + 0.2 * np.sin(2 * np.pi * 3.0 * t)
    return np.asarray(0.5 * out / np.abs(out).max())[:, None]


def white_noise(rate: int = 16000, seconds: float = 20.0, level_db: float = -20.0) -> Signal:
    """Gaussian white noise at `level_db` dBFS RMS."""
    rng = np.random.default_rng(11)
    return np.asarray(rng.normal(0.0, 10 ** (level_db / 20), size=(round(seconds * rate), 1)))
