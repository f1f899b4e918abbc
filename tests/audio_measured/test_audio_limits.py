"""Prepared files always fit the API: split at pauses under the per-file limit, and a set over
the request's limits is refused with the files to keep and to drop named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from support.generated_audio import espeak_speech

import uponai_widgets as uw
from uponai_devtools.audio_oracles import ffmpeg, ffprobe_stream, silences
from uponai_widgets._validation import Limits
from uponai_widgets.audio import _prepare as prepare_module
from uponai_widgets.audio._options import PreparationError

MiB = 1024 * 1024


def test_a_part_over_the_per_file_limit_is_split_at_pauses(
    reading_wav: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits = Limits(max_file_bytes=MiB)  # about 12 s of 44.1 kHz 16-bit mono
    monkeypatch.setattr(prepare_module, "Limits", lambda: limits)
    prepared = uw.prepare_sample(reading_wav, out_dir=tmp_path)
    assert len(prepared.paths) >= 4
    for path in prepared.paths:
        assert path.suffix == ".flac"
        assert path.stat().st_size <= limits.max_file_bytes
        assert sf.info(str(path)).format == "FLAC"
    split = [line for line in prepared.changes if line.startswith("split at pauses")]
    assert split, prepared.changes
    assert "per-file limit" in split[0]
    assert "quietest" not in split[0]  # every cut fell in a pause
    # Each part begins and ends in a pause by ffmpeg's own silence detector.
    for path in prepared.paths:
        spans = silences(path, -45, 0.05)
        duration = sf.info(str(path)).duration
        assert spans, path.name
        assert spans[0][0] < 0.01, (path.name, spans)
        assert spans[-1][1] > duration - 0.01, (path.name, spans)


def test_a_set_over_the_request_limit_names_what_to_keep_and_drop(
    reading_wav: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits = Limits(max_file_bytes=MiB, max_total_bytes=2 * MiB)
    monkeypatch.setattr(prepare_module, "Limits", lambda: limits)
    with pytest.raises(PreparationError) as caught:
        uw.prepare_samples([reading_wav, reading_wav], out_dir=tmp_path)
    message = str(caught.value)
    assert "do not fit one clone request" in message
    assert "keep reading.prepared-01.flac" in message
    assert "and drop " in message
    assert not list(tmp_path.glob("*.flac"))  # nothing half-usable is left behind


@pytest.mark.slow
@pytest.mark.isolated
def test_a_22_minute_mp3_becomes_files_under_the_real_limits(tmp_path: Path) -> None:
    """The real limits: 22 minutes of 44.1 kHz stereo speech as a VBR MP3."""
    data, rate = espeak_speech(tmp_path, 44100)
    pause = np.zeros((rate // 2, 1))
    one = np.concatenate([0.6 * data, pause])
    repeats = int(22 * 60 * rate / len(one)) + 1
    long = np.tile(one, (repeats, 1))[: 22 * 60 * rate]
    wav = tmp_path / "long.wav"
    sf.write(str(wav), np.hstack([long, 0.8 * long]), rate, subtype="PCM_16")
    mp3 = tmp_path / "long.mp3"
    ffmpeg("-i", wav, "-c:a", "libmp3lame", "-q:a", "4", mp3)
    wav.unlink()
    prepared = uw.prepare_sample(mp3, out_dir=tmp_path / "out")
    limits = Limits()
    sizes = [path.stat().st_size for path in prepared.paths]
    assert len(sizes) <= limits.most_files()
    assert max(sizes) <= limits.max_file_bytes
    assert sum(sizes) <= limits.max_total_bytes
    for path in prepared.paths:
        assert ffprobe_stream(path)["codec_name"] == "flac"
    uw.validate_clone(name="Long", provider="elevenlabs", workspace_id=1, samples=[prepared])
