"""Speech for the audio tests, and the shared signals (`uponai_devtools.audio_signals`) with a
skip when what they need is missing.

- `require_tools()`: skips the calling test, saying why, without ffmpeg, ffprobe or sox.
- `espeak_speech(folder, rate)`: the reading of `support.speech.READING`, resampled (sox).
- `human_speech(folder)`: KLettres' recorded letters; skips without klettres-data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from support.speech import READING, speech
from uponai_devtools import audio_signals
from uponai_devtools.audio_oracles import sox

__all__ = ["espeak_speech", "human_speech", "require_tools"]

Signal = np.ndarray


def require_tools() -> None:
    """Skip the calling test, saying why, when ffmpeg, ffprobe or sox is missing."""
    for tool in ("ffmpeg", "ffprobe", "sox"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install ffmpeg sox; the Makefile does)")


def espeak_speech(folder: Path, rate: int) -> tuple[Signal, int]:
    """espeak-ng's reading (about 50 s) as mono float at `rate` (sox's resampler)."""
    raw = folder / "espeak-reading.wav"
    if not raw.exists():
        speech(raw, " ".join(READING))
    resampled = folder / f"espeak-reading-{rate}.wav"
    if not resampled.exists():
        sox(raw, "-r", str(rate), resampled)
    data, got = sf.read(str(resampled), always_2d=True)
    return data, int(got)


def human_speech(folder: Path, letters: str = "ABCDEFGHIJKL") -> tuple[Path, float]:
    """`audio_signals.human_speech`, skipping the test without klettres-data or ffmpeg."""
    if not audio_signals.HUMAN_SPEECH_DIR.is_dir() or shutil.which("ffmpeg") is None:
        pytest.skip("klettres-data or ffmpeg is not installed (the Makefile installs both)")
    return audio_signals.human_speech(folder, letters)
