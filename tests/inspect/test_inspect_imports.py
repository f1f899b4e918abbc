"""numpy, soundfile and av load only when a sample is inspected; a missing one names the extra."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from uponai_widgets.audio._inspect import inspect_sample

HINT = "pip install '.[audio]' in a checkout"


def test_importing_the_inspection_modules_loads_no_audio_library() -> None:
    code = (
        "import sys, uponai_widgets, uponai_widgets.audio._inspect, uponai_widgets.audio._waveform\n"
        "import uponai_widgets.audio._run, uponai_widgets.audio._options\n"
        "print(','.join(m for m in ('numpy', 'soundfile', 'av') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("missing", ["numpy", "soundfile"])
def test_a_missing_library_raises_import_error_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch, short_wav: Path, missing: str
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(ImportError, match=HINT.replace("[", r"\[").replace("]", r"\]")):
        inspect_sample(short_wav)


def test_missing_pyav_is_named_for_browser_recordings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "av", None)
    webm = b"\x1a\x45\xdf\xa3" + bytes(200)
    with pytest.raises(ImportError, match=r"needs av: pip install '\.\[audio\]' in a checkout"):
        inspect_sample(webm)


def test_without_pyav_a_corrupt_wav_is_still_a_bad_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "av", None)  # the fallback decoder is missing
    report = inspect_sample(b"RIFF\0\0\0\0WAVE" + bytes(100))
    assert report.verdict == "bad"
    assert report.reasons[0].startswith("cannot decode as WAV")
