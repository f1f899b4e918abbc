"""Preparing real speech: trimmed, at -20 LUFS under a -1 dBFS ceiling, split in pauses.

Loudness is measured independently of the code under test, with pyloudnorm on the whole file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyloudnorm as pyln
import pytest
import soundfile as sf
from support.speech import RUN_ON, SILENCE_AFTER_S, SILENCE_BEFORE_S, speech

import uponai_widgets as uw

CEILING = 10 ** (-1 / 20)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lufs(path: Path) -> float:
    data, rate = sf.read(str(path))
    return float(pyln.Meter(rate).integrated_loudness(data))


def peak(path: Path) -> float:
    data, _ = sf.read(str(path), dtype="int16", always_2d=True)
    return float(np.abs(data.astype(np.int32)).max()) / 32768


def test_a_quiet_padded_sentence_comes_back_trimmed_at_minus_20_lufs(
    quiet_padded_wav: Path, sentence_wav: Path, tmp_path: Path
) -> None:
    spoken = sf.info(str(sentence_wav)).duration
    digest = sha(quiet_padded_wav)
    prepared = uw.prepare_sample(quiet_padded_wav, out_dir=tmp_path)
    assert sha(quiet_padded_wav) == digest  # the input is never changed
    assert prepared.paths == (prepared.path,)
    assert prepared.path.parent == tmp_path
    assert prepared.path.name == "quiet-padded.prepared.flac"
    info = sf.info(str(prepared.path))
    assert (info.subtype, info.format, info.channels) == ("PCM_16", "FLAC", 1)
    assert abs(info.duration - spoken) <= 0.5
    assert lufs(prepared.path) == pytest.approx(-20.0, abs=1.0)
    assert peak(prepared.path) < CEILING
    (after,) = prepared.after
    # Measured while writing, it is what inspecting the written file reports; its speech is the
    # first pass's timeline for the kept part, which the detector finds again in the output.
    reread = uw.inspect_sample(prepared.path)
    for key, value in after.to_dict().items():
        expected = reread.to_dict()[key]
        if key == "speech_s":
            assert value == pytest.approx(expected, rel=0.05)
        elif key != "reasons":  # they quote the speech seconds
            assert value == (pytest.approx(expected) if isinstance(expected, float) else expected)
    assert len(after.envelope) == len(reread.envelope)
    assert after.duration_s == pytest.approx(info.duration)
    assert after.peak_dbfs is not None
    assert after.peak_dbfs <= -1.0  # rounded to 0.01 dB; the exact peak is checked above
    assert after.speech_s is not None
    assert prepared.before.speech_s is not None
    assert abs(prepared.before.speech_s - spoken) <= 0.25 * spoken
    assert abs(after.speech_s - spoken) <= 0.25 * spoken
    assert prepared.before.duration_s == pytest.approx(
        spoken + SILENCE_BEFORE_S + SILENCE_AFTER_S, abs=0.01
    )
    head, tail, gain = prepared.changes[:3]
    assert head.startswith("trimmed ")
    assert head.endswith(" s of silence at the start")
    assert SILENCE_BEFORE_S - 0.5 <= float(head.split()[1]) <= SILENCE_BEFORE_S
    assert tail.endswith(" s of silence at the end")
    assert gain.startswith("raised loudness by ")
    assert " dB to -20.0 LUFS" in gain
    assert prepared.changes[-1] == "written as 16-bit FLAC (lossless, about half the size of WAV)"


def test_speech_seconds_are_within_a_quarter_of_the_spoken_length(sentence_wav: Path) -> None:
    spoken = sf.info(str(sentence_wav)).duration
    report = uw.inspect_sample(sentence_wav)
    assert report.speech_s is not None
    assert abs(report.speech_s - spoken) <= 0.25 * spoken


def test_a_three_minute_reading_splits_into_parts_of_at_most_60_s_cut_in_pauses(
    reading_wav: Path, tmp_path: Path
) -> None:
    digest = sha(reading_wav)
    total = sf.info(str(reading_wav)).duration
    assert 170 < total < 240
    prepared = uw.prepare_sample(reading_wav, out_dir=tmp_path, max_segment_s=60)
    assert sha(reading_wav) == digest
    lengths = [sf.info(str(path)).duration for path in prepared.paths]
    assert len(lengths) >= 3
    assert max(lengths) <= 60.0
    assert min(lengths) >= 20.0  # cut where the limit comes, not into crumbs
    assert sum(lengths) >= total - 2.0  # pauses, not words, are left out
    assert [p.name for p in prepared.paths] == [
        f"reading.prepared-{i:02d}.flac" for i in range(1, len(lengths) + 1)
    ]
    for index, path in enumerate(prepared.paths):
        data, rate = sf.read(str(path))
        edge = round(0.05 * rate)
        cut_edges = ([data[:edge]] if index else []) + (
            [data[-edge:]] if index < len(lengths) - 1 else []
        )
        for part in cut_edges:  # each cut falls in a pause: the 50 ms on either side are quiet
            assert 20 * np.log10(np.sqrt(np.mean(part**2)) + 1e-12) < -45
        assert lufs(path) == pytest.approx(-20.0, abs=1.0)
        assert peak(path) < CEILING
    spoken = sum(report.speech_s or 0.0 for report in prepared.after)
    assert prepared.before.speech_s is not None
    assert spoken == pytest.approx(prepared.before.speech_s, rel=0.05)
    assert any(
        line.startswith(f"split at pauses into {len(lengths)} parts") for line in prepared.changes
    )


def test_without_a_pause_a_part_is_cut_at_its_quietest_10_ms(
    speech_dir: Path, tmp_path: Path
) -> None:
    path = speech(speech_dir / "run-on.wav", RUN_ON)
    voice, rate = sf.read(str(path))
    total = len(voice) / rate
    limit = 10.0
    prepared = uw.prepare_sample(path, out_dir=tmp_path, max_segment_s=limit, trim_silence=False)
    lengths = [sf.info(str(p)).duration for p in prepared.paths]
    assert sum(lengths) == pytest.approx(total, abs=0.01)  # untrimmed: the parts tile the input
    assert len(lengths) >= 4
    assert all(length <= limit for length in lengths)
    assert any("at the quietest 10 ms: no pause within the limit" in c for c in prepared.changes)

    def energy(at: float) -> float:  # of the 10 ms centred on `at`
        lo = max(0, round((at - 0.005) * rate))
        return float(np.sum(voice[lo : lo + round(0.01 * rate)] ** 2))

    start = 0.0
    for length in lengths[:-1]:
        cut = start + length
        window = np.arange(max(start + 1.0, start + limit - 10.0), start + limit, 0.001)
        quietest = min(energy(at) for at in window)
        assert energy(cut) <= 2.0 * quietest + 1e-6, (start, cut)
        assert energy(cut) < 0.01 * np.mean([energy(at) for at in window])
        start = cut
