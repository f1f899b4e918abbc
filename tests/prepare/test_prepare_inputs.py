"""What preparation accepts and refuses: every sample kind, bad options, no speech, too short.

Also: the input is never changed (a caller's stream keeps its position), `out_dir=None` goes
to a private folder removed at exit, progress and cancellation.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pyloudnorm as pyln
import pytest
import soundfile as sf
from support.speech import speech

import uponai_widgets as uw


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_every_sample_kind_clone_voice_accepts_can_be_prepared(
    sentence_wav: Path, tmp_path: Path
) -> None:
    data = sentence_wav.read_bytes()
    stream = io.BytesIO(b"xx" + data)
    stream.seek(2)
    kinds: dict[str, object] = {
        "path": sentence_wav,
        "str": str(sentence_wav),
        "bytes": data,
        "memoryview": memoryview(data),
        "tuple": ("take.wav", data, "audio/wav"),
        "upload entry": {"name": "upload.wav", "content": memoryview(data)},
        "stream": stream,
    }
    reference = uw.prepare_sample(sentence_wav, out_dir=tmp_path / "reference")
    expected = sf.read(str(reference.path), dtype="int16")[0]
    for label, sample in kinds.items():
        prepared = uw.prepare_sample(sample, out_dir=tmp_path / label.replace(" ", "-"))
        written = sf.read(str(prepared.path), dtype="int16")[0]
        assert np.array_equal(written, expected), label
    assert stream.tell() == 2  # the caller's stream is left where it was
    assert sha(sentence_wav.read_bytes()) == sha(data)
    names = [
        uw.prepare_sample(kinds[k], out_dir=tmp_path / f"n{i}").path.name
        for i, k in enumerate(("bytes", "tuple", "upload entry"))
    ]
    assert names == ["sample-1.prepared.flac", "take.prepared.flac", "upload.prepared.flac"]


def test_stereo_at_44k_is_downmixed_and_resampled_when_asked(
    sentence_wav: Path, tmp_path: Path
) -> None:
    voice, rate = sf.read(str(sentence_wav))
    import soxr

    wide = soxr.resample(np.stack([voice, 0.5 * voice], axis=1), rate, 44100)
    path = tmp_path / "stereo.wav"
    sf.write(str(path), wide, 44100, subtype="PCM_24")
    mono = uw.prepare_sample(path, out_dir=tmp_path / "mono", sample_rate=16000)
    info = sf.info(str(mono.path))
    assert (info.channels, info.samplerate, info.subtype) == (1, 16000, "PCM_16")
    assert "mixed 2 channels down to mono" in mono.changes
    assert "resampled from 44100 Hz to 16000 Hz" in mono.changes
    kept = uw.prepare_sample(path, out_dir=tmp_path / "kept", mono=False, target_lufs=None)
    info = sf.info(str(kept.path))
    assert (info.channels, info.samplerate) == (2, 44100)
    assert not any("loudness" in line for line in kept.changes)
    assert kept.before.peak_dbfs is not None
    assert kept.before.peak_dbfs > -0.5  # espeak-ng peaks near full scale ...
    peak = kept.after[0].peak_dbfs  # ... the ceiling (on true peaks) still holds without a target
    assert peak is not None
    assert -1.5 < peak <= -1.0
    assert any(line.startswith("peaks limited by up to ") for line in kept.changes)
    assert kept.after[0].rms_dbfs == pytest.approx(kept.before.rms_dbfs, abs=0.3)


BAD_OPTIONS: dict[str, tuple[dict[str, Any], str]] = {
    "target too loud": ({"target_lufs": 3.0}, "target_lufs"),
    "target not a number": ({"target_lufs": "-20"}, "target_lufs"),
    "target NaN": ({"target_lufs": float("nan")}, "target_lufs"),
    "ceiling over full scale": ({"peak_dbfs": 0.5}, "peak_dbfs"),
    "rate not whole": ({"sample_rate": 16000.5}, "sample_rate"),
    "rate too low": ({"sample_rate": 4000}, "sample_rate"),
    "segments too short": ({"max_segment_s": 2}, "max_segment_s"),
    "segments a bool": ({"max_segment_s": True}, "max_segment_s"),
    "trim not a bool": ({"trim_silence": "yes"}, "trim_silence"),
    "mono not a bool": ({"mono": 1}, "mono"),
    "out_dir a number": ({"out_dir": 5}, "out_dir"),
}


@pytest.mark.parametrize("case", sorted(BAD_OPTIONS))
def test_unsupported_options_are_a_validation_error_before_reading(
    case: str, tmp_path: Path
) -> None:
    options, field = BAD_OPTIONS[case]
    with pytest.raises(uw.ValidationError) as raised:
        uw.prepare_sample(tmp_path / "never-read.wav", **options)
    assert [problem.field for problem in raised.value.problems] == [field]
    assert str(raised.value).startswith("Nothing was prepared: 1 problem:")
    assert field in str(raised.value)


def test_out_dir_that_is_a_file_is_refused(sentence_wav: Path) -> None:
    with pytest.raises(uw.ValidationError, match="is not a folder"):
        uw.prepare_sample(sentence_wav, out_dir=sentence_wav)


def test_a_tone_and_white_noise_hold_no_speech_and_are_not_prepared(tmp_path: Path) -> None:
    rate = 16000
    t = np.arange(15 * rate) / rate
    noise = np.random.default_rng(4).normal(0, 0.1, len(t))
    out = tmp_path / "out"
    for name, signal in (("tone", 0.5 * np.sin(2 * np.pi * 440 * t)), ("noise", noise)):
        path = tmp_path / f"{name}.wav"
        sf.write(str(path), signal, rate, subtype="PCM_16")
        report = uw.inspect_sample(path)
        assert report.speech_s is not None
        assert report.speech_s < 1.0, name
        with pytest.raises(uw.ValidationError, match="no speech found") as raised:
            uw.prepare_sample(path, out_dir=out)
        assert raised.value.problems[0].sample == f"{name}.wav"
    assert not out.exists()  # no empty file, not even the folder


def test_a_word_too_short_to_keep_says_so(tmp_path: Path) -> None:
    word = speech(tmp_path / "word.wav", "Hi.")
    voice, rate = sf.read(str(word))
    padded = tmp_path / "padded-word.wav"
    sf.write(str(padded), np.concatenate([np.zeros(2 * rate), voice, np.zeros(2 * rate)]), rate)
    with pytest.raises(uw.ValidationError, match="would be cut to under a second"):
        uw.prepare_sample(padded, out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_undecodable_or_missing_input_is_a_validation_error(tmp_path: Path) -> None:
    for sample, message in (
        (tmp_path / "missing.wav", "no such file"),
        (b"RIFF\0\0\0\0WAVEjunk" * 10, "cannot decode as WAV"),
        (b"just text", "not audio"),
    ):
        with pytest.raises(uw.ValidationError, match=message):
            uw.prepare_sample(sample, out_dir=tmp_path / "out")


def test_prepare_samples_lists_every_problem_and_keeps_nothing(
    sentence_wav: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with pytest.raises(uw.ValidationError) as raised:
        uw.prepare_samples(
            [sentence_wav, ("silent.wav", _silent_wav()), tmp_path / "gone.wav"], out_dir=out
        )
    assert [p.sample for p in raised.value.problems] == ["silent.wav", "gone.wav"]
    assert list(out.iterdir()) == []


def test_prepare_samples_names_same_stem_samples_apart(sentence_wav: Path, tmp_path: Path) -> None:
    data = sentence_wav.read_bytes()
    prepared = uw.prepare_samples(
        [("take.wav", data), ("take.wav", data[:-2000])], out_dir=tmp_path
    )
    assert [p.path.name for p in prepared] == ["take.prepared.flac", "take-2.prepared.flac"]


def test_an_input_named_like_an_output_is_never_overwritten(
    sentence_wav: Path, tmp_path: Path
) -> None:
    first = tmp_path / "take.wav"
    second = tmp_path / "take.prepared.flac"  # the name the first one's output would get
    first.write_bytes(sentence_wav.read_bytes())
    second.write_bytes(sentence_wav.read_bytes()[:-4000])
    digests = [sha(first.read_bytes()), sha(second.read_bytes())]
    prepared = uw.prepare_samples([first, second], out_dir=tmp_path)
    assert [sha(first.read_bytes()), sha(second.read_bytes())] == digests
    assert [p.path.name for p in prepared] == [
        "take-2.prepared.flac",
        "take.prepared.prepared.flac",
    ]


def _silent_wav() -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(16000 * 3), 16000, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


@pytest.mark.slow
def test_without_out_dir_files_go_to_a_private_folder_removed_at_exit(sentence_wav: Path) -> None:
    code = (
        "import sys, uponai_widgets as uw\n"
        f"p = uw.prepare_sample({str(sentence_wav)!r})\n"
        "import os, stat\n"
        "print(p.path)\n"
        "print(p.path.exists(), oct(stat.S_IMODE(os.stat(p.path.parent.parent).st_mode)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    path_line, state = done.stdout.splitlines()
    assert state == "True 0o700"  # private to the user
    path = Path(path_line)
    assert path.name == "sentence.prepared.flac"
    assert not path.exists()
    assert not path.parent.parent.exists()


def test_remove_deletes_the_prepared_files_now(sentence_wav: Path, tmp_path: Path) -> None:
    private = uw.prepare_sample(sentence_wav)
    folder = private.path.parent
    assert private.path.exists()
    private.remove()
    assert not private.path.exists()
    assert not folder.exists()  # its own folder inside the private one
    kept = uw.prepare_sample(sentence_wav, out_dir=tmp_path)
    kept.remove()
    assert not kept.path.exists()
    assert tmp_path.is_dir()  # a folder the caller chose stays
    assert sentence_wav.exists()


def test_progress_rises_to_one_and_cancel_leaves_no_file(
    sentence_wav: Path, tmp_path: Path
) -> None:
    seen: list[float] = []
    uw.prepare_sample(sentence_wav, out_dir=tmp_path / "done", on_progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert len(seen) >= 3

    cancel = threading.Event()

    def stop_in_the_second_pass(fraction: float) -> None:
        if fraction > 0.5:
            cancel.set()

    out = tmp_path / "cancelled"
    with pytest.raises(uw.PreparationCancelled):
        uw.prepare_sample(
            sentence_wav, out_dir=out, on_progress=stop_in_the_second_pass, cancel=cancel
        )
    assert list(out.iterdir()) == []
    cancel.set()
    with pytest.raises(uw.PreparationCancelled):
        uw.prepare_sample(sentence_wav, out_dir=tmp_path / "never", cancel=cancel)


WRITE_FAILS = """
import os, resource, signal, sys
import uponai_widgets as uw
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
try:
    uw.prepare_sample(sys.argv[1], out_dir=sys.argv[2])
except Exception as exc:
    print("failed:", type(exc).__name__, exc)
print(sorted(os.listdir(sys.argv[2])))
"""


def test_an_output_that_cannot_be_written_fails_and_leaves_no_file(
    sentence_wav: Path, tmp_path: Path
) -> None:
    # The FLAC is encoded on a thread of its own: its failure still reaches the caller, and the
    # half-written file is removed (files over 100 kB cannot be written in that process).
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", WRITE_FAILS, str(sentence_wav), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    failure, left = done.stdout.splitlines()
    assert failure.startswith("failed: OSError could not write "), done.stderr
    assert "the system refused the write (a full disk or a file size limit?)" in failure
    assert left == "[]"


def test_a_stream_that_cannot_seek_is_refused_unread(sentence_wav: Path) -> None:
    from support.streams import OneWay

    stream = OneWay(sentence_wav.read_bytes())
    with pytest.raises(uw.ValidationError, match="cannot seek"):
        uw.prepare_sample(stream)


@pytest.mark.parametrize("fmt", ["flac", "ogg", "mp3", "m4a", "webm"])
def test_every_container_is_prepared(sentence_wav: Path, tmp_path: Path, fmt: str) -> None:
    from support.signals import write_av

    voice, rate = sf.read(str(sentence_wav), always_2d=True)
    padded = np.concatenate([np.zeros((rate, 1)), 0.3 * voice, np.zeros((rate, 1))])
    path = tmp_path / f"take.{fmt}"
    if fmt in ("m4a", "webm"):
        import av

        codec = "aac" if fmt == "m4a" else "libopus"
        try:
            av.codec.Codec(codec, "w")
        except Exception:  # an FFmpeg build without this encoder
            pytest.skip(f"this FFmpeg cannot encode {codec}")
        if fmt == "webm":  # Opus runs at 48 kHz
            import soxr

            padded, rate = soxr.resample(padded, rate, 48000), 48000
        write_av(path, padded, rate, "mp4" if fmt == "m4a" else "webm", codec)
    else:
        subtype = {"flac": "PCM_16", "ogg": "VORBIS", "mp3": "MPEG_LAYER_III"}[fmt]
        sf.write(str(path), padded, rate, subtype=subtype)
    prepared = uw.prepare_sample(path, out_dir=tmp_path / "out")
    assert prepared.before.format == fmt
    (after,) = prepared.after
    assert after.format == "flac"
    assert after.duration_s is not None
    spoken = sf.info(str(sentence_wav)).duration
    assert abs(after.duration_s - spoken) <= 0.6
    data, out_rate = sf.read(str(prepared.path))
    assert pyln.Meter(out_rate).integrated_loudness(data) == pytest.approx(-20.0, abs=1.0)
