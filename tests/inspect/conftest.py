"""Generated audio files shared by the inspection tests (written once per session)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.signals import silence, tone, write
from support.speech import speech

RATE = 16000


def spoken_body(seconds: float, folder: Path) -> np.ndarray:
    """espeak-ng's sentence at 16 kHz, its own quiet ends cut, repeated to `seconds`, peak 0.5."""
    import soundfile as sf
    import soxr

    voice, rate = sf.read(str(speech(folder / "body.wav")), always_2d=True)
    voice = soxr.resample(voice, rate, RATE)
    sounding = np.flatnonzero(np.abs(voice[:, 0]) > 0.01)
    voice = voice[sounding[0] : sounding[-1] + 1]
    body = np.tile(voice, (int(seconds * RATE / len(voice)) + 1, 1))[: round(seconds * RATE)]
    return 0.5 * body / np.abs(body).max()


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of generated samples: clean, clipped, mostly silent, 3-second."""
    folder = tmp_path_factory.mktemp("inspect-audio")
    clean = np.concatenate([silence(1.0), spoken_body(70.0, folder), silence(2.0)])
    write(folder / "clean.wav", clean)
    write(folder / "clipped.wav", np.clip(tone(20.0, amplitude=1.5), -1.0, 1.0))
    rng = np.random.default_rng(7)
    hiss = rng.normal(0.0, 10 ** (-70 / 20), size=(round(55.0 * RATE), 1))
    write(folder / "mostly_silent.wav", np.concatenate([tone(5.0, amplitude=0.5), hiss]))
    write(folder / "three_seconds.wav", tone(3.0, amplitude=0.5))
    return folder


@pytest.fixture(scope="session")
def clean_wav(audio_dir: Path) -> Path:
    """73 s: 1 s of silence, 70 s of espeak-ng speech (peak 0.5), 2 s of silence."""
    return audio_dir / "clean.wav"


@pytest.fixture(scope="session")
def short_wav(audio_dir: Path) -> Path:
    """A 3-second 0.5-amplitude tone."""
    return audio_dir / "three_seconds.wav"


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 7 s of a sentence spoken by espeak-ng (22.05 kHz mono); skips without espeak-ng."""
    return speech(tmp_path_factory.mktemp("speech") / "sentence.wav")
