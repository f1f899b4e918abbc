"""In-process checks of the sandbox's pieces: settings, audio sniffing, faults."""

from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uponai_devtools.wav import make_large_wav, make_wav
from uponai_sandbox import receive
from uponai_sandbox.audio import sniff_audio
from uponai_sandbox.config import MIB, parse_settings
from uponai_sandbox.errors import ApiError
from uponai_sandbox.faults import FaultQueue, parse_fault


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (make_wav(0.01)[:16], "wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "mp3"),
        (b"\xff\xfb\x90\x64\x00", "mp3"),  # MPEG-1 layer III frame header
        (b"\xff\xf3\x40\xc4\x00", "mp3"),  # MPEG-2 layer III
        (b"fLaC\x00\x00\x00\x22", "flac"),
        (b"OggS\x00\x02\x00\x00", "ogg"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00", "m4a"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "webm"),
    ],
)
def test_audio_is_recognised_by_magic_bytes(head: bytes, expected: str) -> None:
    found = sniff_audio(head)
    assert found is not None
    assert found.name == expected


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"RIFF\x00\x00\x00\x00AVI ",
        b"\xff\xff\xff\xff",  # sync bits, but a reserved layer and bad bitrate
        b"\x89PNG\r\n\x1a\n",
        b"%PDF-1.7",
        b"hello world, not audio",
    ],
)
def test_other_content_is_not_audio(head: bytes) -> None:
    assert sniff_audio(head) is None


def test_settings_from_flags_and_environment(tmp_path: Path) -> None:
    env = {
        "UPONAI_SANDBOX_TOKEN": "env-token",
        "UPONAI_SANDBOX_DATA_DIR": str(tmp_path),
        "UPONAI_SANDBOX_PORT": "9001",
        "UPONAI_SANDBOX_TEST_MODE": "1",
        "UPONAI_SANDBOX_MAX_FILE_SIZE": "5MiB",
    }
    settings = parse_settings([], env)
    assert (settings.token, settings.port, settings.test_mode) == ("env-token", 9001, True)
    assert settings.max_file_size == 5 * MIB
    assert settings.max_files == 25
    assert settings.max_request_size == 500 * MIB
    flags = parse_settings(["--port", "9002", "--max-files", "3", "--token", "t"], env)
    assert (flags.port, flags.max_files, flags.token) == (9002, 3, "t")


@pytest.mark.parametrize(
    "argv",
    [
        ["--data-dir", "/tmp/x"],
        ["--token", "t"],
        ["--token", "t", "--data-dir", "d", "--max-files", "0"],
    ],
)
def test_missing_or_bad_settings_exit(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse_settings(argv, {})


def test_cli_refuses_to_start_without_a_token(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "uponai_sandbox", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin"}, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "UPONAI_SANDBOX_TOKEN" in result.stderr


def test_fault_queue_order_and_counts() -> None:
    queue = FaultQueue()
    queue.add([parse_fault({"status": 429, "count": 2}), parse_fault({"drop": "mid-body"})])
    queue.add([parse_fault({"latency_ms": 50})])
    taken = [queue.take() for _ in range(4)]
    assert [(delay, f.status if f else None) for delay, f in taken] == [
        (50, 429), (50, 429), (50, None), (50, None)
    ]  # fmt: skip
    assert taken[2][1] is not None
    assert taken[2][1].drop == "mid-body"
    assert queue.clear() == 1


def test_invalid_fault_names_the_key() -> None:
    with pytest.raises(ApiError) as caught:
        parse_fault({"status": 500, "count": -1})
    assert caught.value.field == "count"


def test_make_large_wav_is_exact_and_streamed(tmp_path: Path) -> None:
    path = make_large_wav(tmp_path / "large.wav", 3 * 1024 * 1024 + 44)
    assert path.stat().st_size == 3 * 1024 * 1024 + 44
    with path.open("rb") as handle:
        head = handle.read(44)
    found = sniff_audio(head)
    assert found is not None
    assert found.name == "wav"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    contents=st.lists(st.binary(min_size=1, max_size=6000), min_size=1, max_size=3),
    cuts=st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=40),
    settle_bytes=st.sampled_from([1, 512, 4096]),
)
def test_samples_are_stored_whole_however_the_body_arrives_and_settles(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    contents: list[bytes],
    cuts: list[int],
    settle_bytes: int,
) -> None:
    # Each sample is flushed and dropped from the page cache every SETTLE_BYTES as it is
    # written: made small here, a body cut anywhere crosses many of those points.
    monkeypatch.setattr(receive, "SETTLE_BYTES", settle_bytes)
    boundary = b"b0undary"
    audio = [make_wav(0.001)[:44] + content for content in contents]
    body = (
        b"".join(
            b"--" + boundary + b'\r\nContent-Disposition: form-data; name="files"; '
            b'filename="s%d.wav"\r\nContent-Type: audio/wav\r\n\r\n' % index + sample + b"\r\n"
            for index, sample in enumerate(audio)
        )
        + b"--"
        + boundary
        + b"--\r\n"
    )
    directory = tmp_path_factory.mktemp("received")
    limits = receive.Limits(
        max_files=5, max_file_size=MIB, max_request_size=MIB, max_field_size=1024
    )
    receiver = receive.FormReceiver(boundary, directory, limits)
    start = 0
    for cut in itertools.cycle(cuts):
        if start >= len(body):
            break
        receiver.feed(body[start : start + cut])
        start += cut
    receiver.finish()
    receiver.close()
    assert [f.path.read_bytes() for f in receiver.files] == audio
    assert [f.sha256 for f in receiver.files] == [hashlib.sha256(a).hexdigest() for a in audio]
