"""Awkward inputs, each written by ffmpeg or sox, inspected and prepared; ffmpeg and sox measure
the same files independently (the source decoded by ffmpeg to float WAV for sox's `stats`, the
prepared files by ffmpeg's `ebur128=peak=true`)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import uponai_widgets as uw
from uponai_devtools.audio_oracles import ebur128, ffmpeg, ffprobe_stream, sox, sox_stats

Maker = Callable[[Path, Path], Path]


def _ff(suffix: str, *args: str) -> Maker:
    def make(source: Path, folder: Path) -> Path:
        out = folder / f"input{suffix}"
        ffmpeg("-i", source, *args, out)
        return out

    return make


def _extra_chunks(source: Path, folder: Path) -> Path:
    """A WAV with LIST/INFO and bext chunks before the data chunk."""
    out = folder / "chunks.wav"
    ffmpeg("-i", source, "-c:a", "pcm_s16le", "-write_bext", "1", "-metadata", "title=T", out)
    return out


def _truncated(source: Path, folder: Path) -> Path:
    """A 16-bit WAV cut at 60 % of its bytes: the header promises more than there is."""
    whole = folder / "whole.wav"
    ffmpeg("-i", source, "-c:a", "pcm_s16le", whole)
    data = whole.read_bytes()
    out = folder / "truncated.wav"
    out.write_bytes(data[: int(len(data) * 0.6) // 4 * 4])
    return out


def _mp3_with_cover(source: Path, folder: Path) -> Path:
    cover = folder / "cover.png"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", cover)
    out = folder / "tagged.mp3"
    ffmpeg(
        "-i", source, "-i", cover, "-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame",
        "-q:a", "4", "-c:v", "png", "-disposition:v", "attached_pic", "-id3v2_version", "3",
        "-metadata", "title=Take one", out,
    )  # fmt: skip
    return out


def _webm_to_pipe(source: Path, folder: Path) -> Path:
    """WebM written to a pipe (as a live recorder does: no duration, no cues)."""
    encode = ["-c:a", "libopus", "-f", "webm", "pipe:1"]
    done = subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(source), *encode],
        check=True,
        capture_output=True,
        timeout=120,
    )
    out = folder / "piped.webm"
    out.write_bytes(done.stdout)
    return out


def _sox(suffix: str, *args: str) -> Maker:
    def make(source: Path, folder: Path) -> Path:
        out = folder / f"sox{suffix}"
        sox(source, *args, out)
        return out

    return make


LOSSLESS: dict[str, Maker] = {
    "mu-law 8 kHz": _ff(".wav", "-c:a", "pcm_mulaw", "-ar", "8000"),
    "24-bit extensible": _ff(".wav", "-c:a", "pcm_s24le"),
    "32-bit float": _ff(".wav", "-c:a", "pcm_f32le"),
    "extra chunks": _extra_chunks,
    "truncated": _truncated,
    "RF64": _ff(".wav", "-c:a", "pcm_s16le", "-rf64", "always"),
    "AIFF": _ff(".aiff", "-c:a", "pcm_s16be"),
    "AIFF-C float": _sox(".aifc", "-e", "floating-point"),
    "Wave64": _ff(".w64", "-c:a", "pcm_s24le"),
    "CAF": _ff(".caf", "-c:a", "pcm_s16le"),
    "FLAC 24/96": _ff(".flac", "-sample_fmt", "s32", "-ar", "96000"),
}
LOSSY: dict[str, Maker] = {
    "MP3 VBR, ID3, cover art": _mp3_with_cover,
    "Opus": _ff(".opus", "-c:a", "libopus", "-b:a", "64k"),
    "Vorbis": _ff(".ogg", "-c:a", "libvorbis", "-q:a", "5"),
    "AAC": _ff(".m4a", "-c:a", "aac", "-b:a", "128k"),
    "WebM to a pipe": _webm_to_pipe,
}


@pytest.fixture(scope="module")
def source(measured_dir: Path, reading_44k: tuple[np.ndarray, int]) -> Path:
    """12 s of the reading, stereo (right at 0.8), peaks near -3 dBFS, 1 s of silence each end."""
    data, rate = reading_44k
    voice = data[: 12 * rate] * (0.7 / np.abs(data).max())
    pad = np.zeros((rate, 1))
    mono = np.concatenate([pad, voice, pad])
    path = measured_dir / "container-source.wav"
    sf.write(str(path), np.hstack([mono, 0.8 * mono]), rate, subtype="FLOAT")
    return path


def _reference(path: Path, folder: Path) -> dict[str, float]:
    """sox's stats of ffmpeg's decoding of `path` to float WAV."""
    decoded = folder / f"{path.name}.decoded.wav"
    ffmpeg("-i", path, "-map", "0:a", "-c:a", "pcm_f32le", decoded)
    return sox_stats(decoded)


@pytest.mark.parametrize("kind", [*LOSSLESS, *LOSSY])
def test_every_container_is_inspected_and_prepared_as_the_references_measure_it(
    kind: str, source: Path, tmp_path: Path
) -> None:
    make = LOSSLESS.get(kind) or LOSSY[kind]
    path = make(source, tmp_path)
    reference = _reference(path, tmp_path)
    report = uw.inspect_sample(path)
    assert report.duration_s is not None, report.reasons
    assert report.verdict != "bad", report.reasons
    # Lossy codecs differ by their priming and padding (up to ~50 ms) between decoders.
    assert report.duration_s == pytest.approx(reference["Length s"], abs=0.06)
    lossless = kind in LOSSLESS
    assert report.peak_dbfs == pytest.approx(reference["Pk lev dB"], abs=0.05 if lossless else 0.3)
    assert report.rms_dbfs == pytest.approx(reference["RMS lev dB"], abs=0.05 if lossless else 0.2)
    assert report.speech_s is not None
    assert report.speech_s > 6.0

    prepared = uw.prepare_sample(path, out_dir=tmp_path / "out")
    assert ffprobe_stream(prepared.path)["codec_name"] == "flac"
    loudness, true_peak = ebur128(prepared.path)
    assert loudness == pytest.approx(-20.0, abs=0.3)
    assert true_peak <= -1.0


@pytest.mark.parametrize(
    ("kind", "name"),
    [("AIFF", "AIFF"), ("RF64", "RF64"), ("CAF", "CAF"), ("Wave64", "Wave64")],
)
def test_clone_refuses_a_container_the_api_does_not_take_and_says_prepare_converts_it(
    kind: str, name: str, source: Path, tmp_path: Path
) -> None:
    path = LOSSLESS[kind](source, tmp_path)
    with pytest.raises(uw.ValidationError) as caught:
        uw.validate_clone(name="Ada", provider="elevenlabs", workspace_id=1, samples=[path])
    message = str(caught.value)
    assert f"{name} audio, which the API does not take" in message
    assert "--prepare" in message
    report = uw.inspect_sample(path)
    assert any("the API does not take this format" in reason for reason in report.reasons)
    prepared = uw.prepare_sample(path, out_dir=tmp_path / "out")
    uw.validate_clone(name="Ada", provider="elevenlabs", workspace_id=1, samples=[prepared])
