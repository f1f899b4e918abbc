"""Generated audio files shared by the inspection tests (written once per session)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.signals import silence, speech_like, tone, write
from support.speech import speech

RATE = 16000


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of generated samples: clean, clipped, mostly silent, 3-second."""
    folder = tmp_path_factory.mktemp("inspect-audio")
    clean = np.concatenate([silence(1.0), speech_like(70.0), silence(2.0)])
    write(folder / "clean.wav", clean)
    write(folder / "clipped.wav", np.clip(tone(20.0, amplitude=1.5), -1.0, 1.0))
    rng = np.random.default_rng(7)
    hiss = rng.normal(0.0, 10 ** (-70 / 20), size=(round(55.0 * RATE), 1))
    write(folder / "mostly_silent.wav", np.concatenate([tone(5.0, amplitude=0.5), hiss]))
    write(folder / "three_seconds.wav", tone(3.0, amplitude=0.5))
    return folder


@pytest.fixture(scope="session")
def clean_wav(audio_dir: Path) -> Path:
    """73 s: 1 s of silence, 70 s of a speech-like modulated tone (peak 0.5), 2 s of silence."""
    return audio_dir / "clean.wav"


@pytest.fixture(scope="session")
def short_wav(audio_dir: Path) -> Path:
    """A 3-second 0.5-amplitude tone."""
    return audio_dir / "three_seconds.wav"


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 7 s of a sentence spoken by espeak-ng (22.05 kHz mono); skips without espeak-ng."""
    return speech(tmp_path_factory.mktemp("speech") / "sentence.wav")
