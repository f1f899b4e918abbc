"""DC offset, quiet speech, true peaks: measured against ffmpeg's `ebur128=peak=true` and
`silencedetect` and sox's `stats`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import uponai_widgets as uw
from uponai_devtools.audio_oracles import ebur128, silences, sox_stats


def _padded(voice: np.ndarray, rate: int, seconds: float = 2.0) -> np.ndarray:
    pad = np.zeros((round(seconds * rate), voice.shape[1]))
    return np.concatenate([pad, voice, pad])


@pytest.fixture(scope="module")
def reading_only(reading_44k: tuple[np.ndarray, int]) -> tuple[np.ndarray, int]:
    """20 s of the reading, peaks at 0.6, with 2 s of digital silence at each end."""
    data, rate = reading_44k
    voice = data[: 20 * rate]
    return _padded(0.6 * voice / np.abs(voice).max(), rate), rate


@pytest.mark.parametrize("offset", [0.01, 0.25])
def test_a_dc_offset_hides_no_silence_and_is_not_in_the_prepared_file(
    offset: float, reading_only: tuple[np.ndarray, int], tmp_path: Path
) -> None:
    signal, rate = reading_only
    clean = tmp_path / "clean.wav"
    sf.write(str(clean), signal, rate, subtype="PCM_24")
    # ffmpeg's silence detector on the recording without the offset: where the pauses are.
    spans = silences(clean, -50, 0.5)
    assert spans[0][0] == pytest.approx(0.0, abs=0.01)
    leading = spans[0][1]
    trailing = len(signal) / rate - spans[-1][0]
    path = tmp_path / f"dc-{offset}.wav"
    sf.write(str(path), signal + offset, rate, subtype="PCM_24")
    assert sox_stats(path)["DC offset"] == pytest.approx(offset, abs=0.002)

    report = uw.inspect_sample(path)
    assert report.leading_silence_s == pytest.approx(leading, abs=0.3)
    assert report.trailing_silence_s == pytest.approx(trailing, abs=0.3)
    assert report.silence_ratio is not None
    assert report.silence_ratio > 4.0 / 24.0

    prepared = uw.prepare_sample(path, out_dir=tmp_path / "out")
    assert abs(sox_stats(prepared.path)["DC offset"]) < 0.001
    loudness, true_peak = ebur128(prepared.path)
    assert loudness == pytest.approx(-20.0, abs=0.3)
    assert true_peak <= -1.0
    head = [line for line in prepared.changes if "at the start" in line]
    assert head, prepared.changes  # the leading silence was found and trimmed


def test_quiet_speech_at_minus_50_lufs_is_not_silence(
    reading_only: tuple[np.ndarray, int], tmp_path: Path
) -> None:
    signal, rate = reading_only
    loud = tmp_path / "loud.wav"
    sf.write(str(loud), signal, rate, subtype="PCM_24")
    level, _ = ebur128(loud)
    quiet = tmp_path / "quiet.wav"
    sf.write(str(quiet), signal * 10 ** ((-50.0 - level) / 20), rate, subtype="PCM_24")
    assert ebur128(quiet)[0] == pytest.approx(-50.0, abs=0.2)
    loud_report, report = uw.inspect_sample(loud), uw.inspect_sample(quiet)
    assert report.silence_ratio is not None
    assert loud_report.silence_ratio is not None
    assert report.silence_ratio == pytest.approx(loud_report.silence_ratio, abs=0.05)
    assert not any("silence:" in reason for reason in report.reasons), report.reasons
    assert report.speech_s is not None
    assert loud_report.speech_s is not None
    assert report.speech_s >= 0.9 * loud_report.speech_s
    prepared = uw.prepare_sample(quiet, out_dir=tmp_path / "out")
    assert ebur128(prepared.path)[0] == pytest.approx(-20.0, abs=0.3)


def test_true_peaks_between_samples_stay_under_the_ceiling(
    reading_only: tuple[np.ndarray, int], tmp_path: Path
) -> None:
    """Speech with bursts of a quarter-rate tone sampled off its crests: the samples sit
    3 dB under the waveform's peaks, which ffmpeg's oversampling meter sees."""
    signal, rate = reading_only
    t = np.arange(len(signal))
    bursts = (np.sin(np.pi / 2 * t + np.pi / 4) * ((t // (rate // 2)) % 4 == 0))[:, None]
    path = tmp_path / "bursts.wav"
    sf.write(str(path), 0.5 * signal + 0.1 * bursts, rate, subtype="PCM_24")
    prepared = uw.prepare_sample(path, out_dir=tmp_path / "out", target_lufs=-14.0)
    _, true_peak = ebur128(prepared.path)
    assert true_peak <= -1.0
    written, _ = sf.read(str(prepared.path))
    assert 20 * np.log10(np.abs(written).max()) <= -1.0
