"""Verdicts and figures for generated samples: clean, clipped, silent, short, quiet, corrupt."""

from __future__ import annotations

import dataclasses
import io
import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from support.signals import silence, tone, write

from uponai_widgets.audio._inspect import (
    SampleReport,
    inspect_sample,
    inspect_samples,
    overall_verdict,
)

FIELDS = [
    "name",
    "format",
    "duration_s",
    "sample_rate",
    "channels",
    "peak_dbfs",
    "rms_dbfs",
    "clipped_ratio",
    "silence_ratio",
    "leading_silence_s",
    "trailing_silence_s",
    "speech_s",
    "verdict",
    "reasons",
]


def db(value: float) -> float:
    return 20 * math.log10(value)


def wav_bytes(signal: np.ndarray, rate: int = 16000) -> bytes:
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, signal, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def test_clean_speech_is_good_with_its_figures(clean_wav: Path) -> None:
    report = inspect_sample(clean_wav)
    assert report.verdict == "good", report.reasons
    assert report.reasons == ()
    assert report.format == "wav"
    assert report.duration_s == pytest.approx(73.0, abs=1e-6)
    assert (report.sample_rate, report.channels) == (16000, 1)
    assert report.peak_dbfs == pytest.approx(db(0.5), abs=0.05)
    body, _ = sf.read(str(clean_wav))
    expected_rms = db(float(np.sqrt(np.mean(body**2))))
    assert report.rms_dbfs == pytest.approx(expected_rms, abs=0.05)
    assert report.clipped_ratio == 0.0
    # The silence at the ends, and the speech's own pauses (about a tenth of it).
    assert 3.0 / 73.0 < report.silence_ratio < 0.3
    assert report.leading_silence_s == pytest.approx(1.0, abs=0.1)
    assert report.trailing_silence_s == pytest.approx(2.0, abs=0.1)
    assert report.speech_s is not None
    assert report.speech_s > 50.0


def test_stereo_tone_levels_at_44k(tmp_path: Path) -> None:
    path = write(tmp_path / "stereo.wav", tone(12.0, 44100, amplitude=0.25, channels=2), 44100)
    report = inspect_sample(path)
    assert (report.sample_rate, report.channels) == (44100, 2)
    assert report.duration_s == pytest.approx(12.0)
    assert report.peak_dbfs == pytest.approx(db(0.25), abs=0.05)
    assert report.rms_dbfs == pytest.approx(db(0.25 / math.sqrt(2)), abs=0.05)
    assert report.silence_ratio == 0.0
    assert report.speech_s is not None
    assert report.speech_s < 1.0
    assert report.verdict == "bad"
    assert report.reasons == (
        "no speech found: no word in 12.0 s (a tone, noise, music or silence carries no voice)",
    )


def test_clipped_file_is_bad(audio_dir: Path) -> None:
    report = inspect_sample(audio_dir / "clipped.wav")
    # A sine of amplitude 1.5 clipped at full scale spends this share of its time at +-1.
    expected = 1 - (2 / math.pi) * math.asin(1 / 1.5)
    assert report.clipped_ratio == pytest.approx(expected, abs=0.005)
    assert report.peak_dbfs == pytest.approx(0.0, abs=0.01)
    assert report.verdict == "bad"
    assert any(reason.startswith("clipped") for reason in report.reasons)


def test_a_few_clipped_values_only_warn(clean_wav: Path, tmp_path: Path) -> None:
    signal, rate = sf.read(str(clean_wav), always_2d=True)
    signal[::2000] = 1.0  # 584 of 1,168,000 values: 0.05 %
    report = inspect_sample(write(tmp_path / "clicks.wav", signal, rate))
    assert report.clipped_ratio == pytest.approx(584 / 1_168_000)
    assert report.verdict == "warn"
    assert [reason.split(":")[0] for reason in report.reasons] == ["clipped"]


def test_mostly_silent_file_is_bad(audio_dir: Path) -> None:
    report = inspect_sample(audio_dir / "mostly_silent.wav")
    assert report.duration_s == pytest.approx(60.0)
    assert report.silence_ratio == pytest.approx(55.0 / 60.0, abs=0.002)
    assert report.leading_silence_s == 0.0
    assert report.trailing_silence_s == pytest.approx(55.0, abs=0.05)
    assert report.verdict == "bad"
    assert any(reason.startswith("mostly silence") for reason in report.reasons)


def test_a_spoken_sentence_warns_alone_and_is_too_little_as_a_set(speech_wav: Path) -> None:
    report = inspect_sample(speech_wav)
    spoken = sf.info(str(speech_wav)).duration
    assert report.speech_s is not None
    assert 0.75 * spoken <= report.speech_s <= spoken
    assert report.verdict == "warn"
    assert report.reasons == (
        f"short: {report.speech_s:.1f} s of speech; under 10 s in total is too short, "
        "1-5 minutes of clean speech is best (several samples add up)",
    )
    overall = overall_verdict([report])
    assert overall.verdict == "bad"
    assert overall.speech_s == pytest.approx(report.speech_s)
    assert overall.reasons[0] == f"too little speech: {report.speech_s:.1f} s in total (under 10 s)"


def test_a_tone_and_white_noise_hold_no_speech(short_wav: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    noise = write(tmp_path / "noise.wav", rng.normal(0.0, 0.1, size=(20 * 16000, 1)))
    for path in (short_wav, noise, write(tmp_path / "tone.wav", tone(20.0, freq=1000.0))):
        report = inspect_sample(path)
        assert report.speech_s is not None
        assert report.speech_s < 1.0, path.name
        assert report.verdict == "bad"
        assert report.reasons[0].startswith("no speech found"), report.reasons


def test_under_one_second_is_bad() -> None:
    report = inspect_sample(wav_bytes(tone(0.5)))
    assert report.verdict == "bad"
    assert report.reasons[0].startswith("too short")


def test_quiet_long_silence_and_low_rate_warn(speech_wav: Path, tmp_path: Path) -> None:
    voice, rate = sf.read(str(speech_wav), always_2d=True)
    voice = np.tile(voice, (2, 1))  # about 15 s: long enough not to be "short"
    gain = 10 ** (-21 / 20) / float(np.abs(voice).max())  # peaks at -21 dBFS
    quiet = inspect_sample(write(tmp_path / "quiet.wav", voice * gain, rate))
    assert quiet.peak_dbfs is not None
    assert quiet.peak_dbfs < -20
    assert quiet.speech_s is not None
    assert quiet.speech_s > 10  # quiet speech is still speech
    assert quiet.verdict == "warn"
    assert "very quiet" in [r.split(":")[0] for r in quiet.reasons]

    padded = np.concatenate([silence(4.0, rate), voice, silence(4.0, rate)])
    edges = inspect_sample(write(tmp_path / "padded.wav", padded, rate))
    assert edges.verdict == "warn"
    assert any(r.startswith("leading silence of 4.") for r in edges.reasons)
    assert any(r.startswith("trailing silence of 4.") for r in edges.reasons)

    import soxr

    phone = inspect_sample(write(tmp_path / "phone.wav", soxr.resample(voice, rate, 8000), 8000))
    assert phone.sample_rate == 8000
    assert phone.verdict == "warn"
    assert [r.split(":")[0] for r in phone.reasons] == ["low sample rate"]


def _float_wav_with(value: float) -> bytes:
    import soundfile as sf

    signal = tone(12.0)
    signal[50_000] = value
    buffer = io.BytesIO()
    sf.write(buffer, signal, 16000, format="WAV", subtype="FLOAT")
    return buffer.getvalue()


def _corrupt_cases(tmp_path: Path) -> dict[str, object]:
    good = wav_bytes(tone(2.0))
    flac = io.BytesIO()
    import soundfile as sf

    sf.write(flac, tone(2.0), 16000, format="FLAC")
    return {
        "wav header, garbage body": good[:12] + bytes(range(256)) * 8,
        "truncated flac": flac.getvalue()[:60],
        "not audio": b"PK\x03\x04" + bytes(500),
        "empty": b"",
        "wav of zero frames": wav_bytes(np.zeros((0, 1))),
        "missing path": tmp_path / "missing.wav",
        "directory": tmp_path,
        "text handle": io.StringIO("RIFF...."),
        "unsupported type": 42,
        "float wav with NaN": _float_wav_with(math.nan),
        "float wav with infinity": _float_wav_with(math.inf),
    }


def test_corrupt_or_unusable_input_is_bad_and_never_raises(tmp_path: Path) -> None:
    for label, sample in _corrupt_cases(tmp_path).items():
        report = inspect_sample(sample)
        assert report.verdict == "bad", label
        assert report.reasons, label
        assert all(isinstance(r, str) and r for r in report.reasons), label
        assert report.duration_s is None, label
        assert report.peak_dbfs is None, label
        assert report.to_dict()["verdict"] == "bad"


def test_short_samples_add_up_in_the_overall_verdict(speech_wav: Path) -> None:
    spoken = inspect_sample(speech_wav)
    assert spoken.verdict == "warn"
    assert spoken.speech_s is not None

    def sample_with(seconds: float) -> SampleReport:
        return dataclasses.replace(spoken, speech_s=seconds)

    eight = [sample_with(7.5)] * 8  # 60 s of speech in total
    overall = overall_verdict(eight)
    assert overall.speech_s == pytest.approx(60.0)
    assert overall.verdict == "good", overall.reasons
    three = overall_verdict(eight[:3])
    assert three.verdict == "warn"
    assert (
        three.reasons[0] == "short: 22.5 s of speech in total; 1-5 minutes of clean speech is best"
    )
    assert overall_verdict([sample_with(9.9)]).verdict == "bad"
    # Duration does not count, speech does: a long sample of little speech is too little.
    assert overall_verdict([sample_with(2.0)] * 4).reasons[0].startswith("too little speech: 8.0 s")


def test_reports_of_several_real_samples_add_their_speech(
    speech_wav: Path, short_wav: Path
) -> None:
    reports = inspect_samples([speech_wav, speech_wav.read_bytes(), short_wav])
    assert [r.name for r in reports] == ["sentence.wav", "sample 2", "three_seconds.wav"]
    overall = overall_verdict(reports)
    assert reports[0].speech_s == reports[1].speech_s
    assert overall.speech_s == pytest.approx(sum(r.speech_s or 0.0 for r in reports))
    assert overall.total_duration_s == pytest.approx(sum(r.duration_s or 0.0 for r in reports))
    assert any(r.startswith("three_seconds.wav: no speech found") for r in overall.reasons)


def test_overall_verdict_names_bad_samples_and_needs_samples(clean_wav: Path) -> None:
    reports = inspect_samples([clean_wav, ("broken.wav", b"RIFF\0\0\0\0WAVEjunk" * 4, None)])
    overall = overall_verdict(reports)
    assert overall.verdict == "bad"
    assert any(reason.startswith("broken.wav: cannot decode") for reason in overall.reasons)
    assert overall.count == 2
    silence = reports[0].silence_ratio
    assert silence is not None
    assert overall.sound_duration_s == pytest.approx(73.0 * (1 - silence), abs=0.01)
    empty = overall_verdict([])
    assert (empty.verdict, empty.reasons) == ("bad", ("no samples",))


def test_to_dict_is_a_plain_row(clean_wav: Path, short_wav: Path) -> None:
    reports = inspect_samples([clean_wav, short_wav])
    row = reports[1].to_dict()
    assert list(row) == FIELDS
    assert isinstance(row["reasons"], list)
    assert "envelope" not in row
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([r.to_dict() for r in reports])
    assert list(frame["verdict"]) == ["good", "bad"]
    assert frame.loc[1, "duration_s"] == pytest.approx(3.0)
    assert isinstance(reports[0], SampleReport)
    assert "envelope" not in repr(reports[0])


def test_digital_silence_is_bad_with_floored_levels() -> None:
    report = inspect_sample(wav_bytes(silence(15.0)))
    assert report.duration_s == pytest.approx(15.0)
    assert (report.peak_dbfs, report.rms_dbfs) == (-120.0, -120.0)
    assert report.silence_ratio == 1.0
    assert report.leading_silence_s == report.trailing_silence_s == pytest.approx(15.0)
    assert report.verdict == "bad"
    assert report.speech_s == 0.0
    assert report.reasons == (
        "no speech found: no word in 15.0 s (a tone, noise, music or silence carries no voice)",
        "mostly silence: 100% is pauses or background, well under this recording's speech level",
    )
