"""Reports that agree with themselves: clipping survives preparation in the after reports,
"no speech found" only without speech, seconds of speech on every per-sample report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
from support.speech import speech

import uponai_widgets as uw
from uponai_devtools.audio_oracles import sox_stats
from uponai_widgets.jupyter._report_html import report_html


def test_a_clipped_source_is_still_reported_clipped_after_preparation(
    reading_44k: tuple[np.ndarray, int], tmp_path: Path
) -> None:
    data, rate = reading_44k
    voice = data[: 20 * rate]
    clipped = np.clip(2.5 * voice / np.abs(voice).max(), -1.0, 1.0)
    path = tmp_path / "clipped.wav"
    sf.write(str(path), clipped, rate, subtype="PCM_16")
    assert sox_stats(path)["Flat factor"] > 0  # sox sees the flat tops too
    before = uw.inspect_sample(path)
    assert before.verdict == "bad"
    prepared = uw.prepare_sample(path, out_dir=tmp_path / "out")
    after = prepared.after[0]
    assert after.clipped_ratio == 0.0  # the prepared file's own values are under the ceiling
    assert after.verdict == "bad"
    assert any(reason.startswith("clipped in the source") for reason in after.reasons)


def test_no_speech_found_only_when_there_is_none(tmp_path: Path) -> None:
    word = speech(tmp_path / "word.wav", "Hello there.")
    voice, rate = sf.read(str(word), always_2d=True)
    padded = np.concatenate([np.zeros((9 * rate, 1)), voice, np.zeros((9 * rate, 1))])
    path = tmp_path / "one-phrase.wav"
    sf.write(str(path), padded, rate, subtype="PCM_16")
    report = uw.inspect_sample(path)
    assert report.speech_s is not None
    assert 0.2 <= report.speech_s < 1.0
    assert report.reasons[0].startswith("too little speech: ")
    assert not any(reason.startswith("no speech found") for reason in report.reasons)
    silent = tmp_path / "silent.wav"
    sf.write(str(silent), np.zeros((5 * rate, 1)), rate, subtype="PCM_16")
    assert uw.inspect_sample(silent).reasons[0].startswith("no speech found: no word in 5.0 s")


def test_every_per_sample_report_shows_the_seconds_of_speech(reading_wav: Path) -> None:
    report = uw.inspect_sample(reading_wav)
    assert report.speech_s is not None
    card = report_html(report, "<svg></svg>")
    assert f"speech {report.speech_s:.1f} s" in card
