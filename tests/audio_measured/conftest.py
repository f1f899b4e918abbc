"""Shared inputs of the measured-audio tests, written once per session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from support.generated_audio import espeak_speech, require_tools


@pytest.fixture(scope="session")
def measured_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tools()
    return tmp_path_factory.mktemp("audio-measured")


@pytest.fixture(scope="session")
def reading_44k(measured_dir: Path) -> tuple[np.ndarray, int]:
    """espeak-ng's reading (about 50 s) at 44.1 kHz mono, peaks near -1 dBFS."""
    return espeak_speech(measured_dir, 44100)


@pytest.fixture(scope="session")
def reading_wav(measured_dir: Path, reading_44k: tuple[np.ndarray, int]) -> Path:
    """The reading with 2 s of silence at each end, 44.1 kHz mono 16-bit WAV."""
    data, rate = reading_44k
    pad = np.zeros((2 * rate, 1))
    path = measured_dir / "reading.wav"
    sf.write(str(path), np.concatenate([pad, 0.7 * data, pad]), rate, subtype="PCM_16")
    return path
