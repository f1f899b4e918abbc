"""Real speech for the preparation tests, synthesised once per session with espeak-ng."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from support.speech import READING, SILENCE_AFTER_S, SILENCE_BEFORE_S, speech

QUIET_GAIN = 0.05  # about -26 dBFS peaks


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prepare-speech")


@pytest.fixture(scope="session")
def sentence_wav(speech_dir: Path) -> Path:
    """One sentence as espeak-ng says it (about 9 s, 22.05 kHz mono, peaks near 0 dBFS)."""
    return speech(speech_dir / "sentence.wav")


@pytest.fixture(scope="session")
def quiet_padded_wav(sentence_wav: Path, speech_dir: Path) -> Path:
    """The sentence made quiet and padded with 3 s of silence before and 2 s after (faint hiss)."""
    voice, rate = sf.read(str(sentence_wav), always_2d=True)
    signal = np.concatenate(
        [
            np.zeros((round(SILENCE_BEFORE_S * rate), 1)),
            voice * QUIET_GAIN,
            np.zeros((round(SILENCE_AFTER_S * rate), 1)),
        ]
    )
    hiss = np.random.default_rng(3).normal(0.0, 10 ** (-80 / 20), size=signal.shape)
    path = speech_dir / "quiet padded.wav"
    sf.write(str(path), signal + hiss, rate, subtype="PCM_16")
    return path


@pytest.fixture(scope="session")
def reading_wav(speech_dir: Path) -> Path:
    """About three minutes of reading: eight sentences, five times over."""
    return speech(speech_dir / "reading.wav", " ".join(READING * 5))
