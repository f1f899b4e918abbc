"""Real speech for tests, synthesised at test time by espeak-ng (the Makefile installs it).

`speech(path, text)` writes espeak-ng's 22.05 kHz mono 16-bit WAV. Tests that need it call
`require_espeak()` first, which skips them with the reason when the binary is missing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SENTENCE = (
    "The quick brown fox jumps over the lazy dog. Voice cloning works best with clean speech, "
    "recorded close to the microphone in a quiet room."
)

# The quiet padded sentence of the preparation tests: silence before and after it.
SILENCE_BEFORE_S = 3.0
SILENCE_AFTER_S = 2.0

# A reading of about three minutes: sentences separated by espeak-ng's sentence pauses.
READING = [
    "Once upon a time, in a quiet village by the sea, there lived an old fisherman.",
    "Every evening he sat by the harbour and told stories to anyone who would listen.",
    "He spoke of storms that lasted for weeks, and of fish as large as boats.",
    "The children laughed, but they always came back the next evening for more.",
    "One winter the sea froze over, and the fisherman walked out across the ice.",
    "He found a small wooden box, sealed with wax, half buried in the snow.",
    "Inside the box there was a letter, written in a language nobody in the village knew.",
    "The teacher tried to read it, and so did the priest, but neither of them could.",
]

# One long sentence without punctuation: espeak-ng reads it without a pause (about 34 s).
RUN_ON = (
    "the wind carried the small boat over the grey water and the old man held the rope and "
    "watched the clouds gather over the hills and he thought of the village and the children "
    "and the long winter that was coming and of the nets he still had to mend before the snow "
    "and of his brother who had gone away to the city many years ago and never written and of "
    "the letter in the wooden box that nobody could read and the wind grew stronger and the "
    "boat rocked and creaked and the man sang an old song his mother used to sing when he was "
    "a boy and the gulls circled above him crying and the light faded slowly over the sea"
)


def require_espeak() -> str:
    """The espeak-ng executable, or skip the calling test saying why."""
    found = shutil.which("espeak-ng")
    if found is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng; the Makefile does)")
    return found


def speech(path: Path, text: str = SENTENCE, *, words_per_minute: int = 160) -> Path:
    """Synthesise `text` into the WAV file `path` (22.05 kHz mono 16-bit PCM)."""
    binary = require_espeak()
    subprocess.run(
        [binary, "-s", str(words_per_minute), "-w", str(path), text],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return path
