"""Every format the cloning layer accepts decodes: libsndfile for WAV/FLAC/OGG/MP3, PyAV else."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from support.signals import silence, tone, write, write_av

from uponai_widgets.audio._inspect import inspect_sample

RATE = 48000
FADE = np.minimum(1.0, np.minimum(np.arange(3 * RATE), np.arange(3 * RATE)[::-1]) / 2400)[:, None]
# 1 s of silence, then 3 s of tone with 50 ms fades (no clicks for lossy codecs to ring on).
SIGNAL = np.concatenate([silence(1.0, RATE, 2), tone(3.0, RATE, amplitude=0.5, channels=2) * FADE])
PEAK_DB = 20 * math.log10(0.5)

# (suffix, writer kwargs or PyAV (container, codec), lossy)
SOUNDFILE_CASES = {
    "wav": ({"subtype": "PCM_16"}, False),
    "wav-float": ({"format": "WAV", "subtype": "FLOAT"}, False),
    "flac": ({"subtype": "PCM_24"}, False),
    "ogg": ({"format": "OGG", "subtype": "VORBIS"}, True),
    "opus.ogg": ({"format": "OGG", "subtype": "OPUS"}, True),
    "mp3": ({"format": "MP3", "subtype": "MPEG_LAYER_III"}, True),
}
AV_CASES = {"m4a": ("mp4", "aac"), "webm": ("webm", "libopus")}


def _check(path: Path, expected_format: str, lossy: bool) -> None:
    report = inspect_sample(path)
    assert report.format == expected_format
    assert (report.sample_rate, report.channels) == (RATE, 2)
    # Lossy encoders add a few ms of priming/padding; lossless files are exact.
    assert report.duration_s == pytest.approx(4.0, abs=0.06 if lossy else 1e-9)
    assert report.peak_dbfs == pytest.approx(PEAK_DB, abs=0.5 if lossy else 0.01)
    assert report.leading_silence_s == pytest.approx(1.0, abs=0.1 if lossy else 1e-9)
    assert report.clipped_ratio == 0.0
    # A tone is not a voice, in any container: its only finding is the missing speech.
    assert report.speech_s is not None
    assert report.speech_s < 1.0
    assert report.verdict == "bad"
    assert len(report.reasons) == 1  # no clipping, silence or level finding
    assert report.reasons[0].startswith("no speech found: ")


@pytest.mark.parametrize("case", list(SOUNDFILE_CASES))
def test_libsndfile_formats(tmp_path: Path, case: str) -> None:
    kwargs, lossy = SOUNDFILE_CASES[case]
    name = case.replace("-float", "")
    suffix = name.rsplit(".", 1)[-1]
    path = write(tmp_path / f"sample.{name}", SIGNAL, RATE, **kwargs)
    _check(path, suffix, lossy)


@pytest.mark.parametrize("suffix", list(AV_CASES))
def test_browser_formats_through_pyav(tmp_path: Path, suffix: str) -> None:
    av = pytest.importorskip("av")
    container, codec = AV_CASES[suffix]
    try:
        av.codec.Codec(codec, "w")
    except Exception:  # an FFmpeg build without this encoder
        pytest.skip(f"this FFmpeg cannot encode {codec}")
    path = write_av(tmp_path / f"sample.{suffix}", SIGNAL, RATE, container, codec)
    _check(path, suffix, lossy=True)
    # The bytes a browser recording arrives as (a FileUpload entry / anywidget buffer).
    entry = {"name": f"recording.{suffix}", "content": memoryview(path.read_bytes())}
    assert inspect_sample(entry).duration_s == inspect_sample(path).duration_s


def test_a_webm_cut_short_still_reports_or_fails_cleanly(tmp_path: Path) -> None:
    pytest.importorskip("av")
    path = write_av(tmp_path / "cut.webm", SIGNAL, RATE, "webm", "libopus")
    data = path.read_bytes()
    report = inspect_sample(data[: len(data) // 2])
    if report.duration_s is None:
        assert report.verdict == "bad"
    else:  # FFmpeg decodes what arrived: about half of the recording
        assert 1.0 < report.duration_s < 3.0


def test_mp3_figures_match_a_whole_file_decode(tmp_path: Path) -> None:
    """libsndfile 1.2.2 misdecodes MP3 read in blocks; the streamed figures must not show it."""
    import soundfile as sf

    path = write(tmp_path / "long.mp3", tone(10.0, RATE, amplitude=0.5, channels=2), RATE)
    whole, _ = sf.read(str(path), dtype="float32", always_2d=True)  # one read: decoded right
    report = inspect_sample(path)
    assert report.duration_s == pytest.approx(len(whole) / RATE, abs=0.03)
    assert report.peak_dbfs == pytest.approx(20 * math.log10(float(np.abs(whole).max())), abs=0.05)
    rms = float(np.sqrt(np.mean(whole.astype(np.float64) ** 2)))
    assert report.rms_dbfs == pytest.approx(20 * math.log10(rms), abs=0.05)


def test_a_webm_written_like_mediarecorder_without_duration(tmp_path: Path) -> None:
    av = pytest.importorskip("av")
    path = write_av(tmp_path / "rec.webm", SIGNAL, RATE, "webm", "libopus", live=True)
    with av.open(str(path)) as container:
        assert container.duration is None  # nothing to read the length from but the audio
    _check(path, "webm", lossy=True)


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"])
def test_pyav_and_libsndfile_agree_on_every_sample_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, subtype: str
) -> None:
    """FFmpeg hands over u8, s16, s32, float or double frames: each is scaled like libsndfile."""
    pytest.importorskip("av")
    from uponai_widgets.audio import _decode as _inspect_decode

    signal = np.concatenate([silence(1.0, 16000, 2), tone(11.0, 16000, 0.7, channels=2)])
    path = write(tmp_path / "sample.wav", signal, 16000, subtype=subtype)
    by_libsndfile = inspect_sample(path).to_dict()
    monkeypatch.setitem(_inspect_decode.DECODERS, "wav", (_inspect_decode._open_av,))
    by_ffmpeg = inspect_sample(path).to_dict()
    assert by_ffmpeg["duration_s"] == by_libsndfile["duration_s"] == 12.0
    for key in ("peak_dbfs", "rms_dbfs"):
        assert by_ffmpeg[key] == pytest.approx(by_libsndfile[key], abs=0.02), key
    for key in ("silence_ratio", "leading_silence_s", "clipped_ratio", "speech_s", "verdict"):
        assert by_ffmpeg[key] == by_libsndfile[key], key
    assert by_ffmpeg["peak_dbfs"] == pytest.approx(20 * math.log10(0.7), abs=0.1)
