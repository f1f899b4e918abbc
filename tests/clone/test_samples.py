"""Every kind of sample is streamed as its own bytes: paths lazily, buffers without a copy."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tracemalloc
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from support.fake_api import ScriptedTransport, clone_args, scripted_connection
from support.streams import OneWay

import uponai_widgets as uw
from uponai_devtools.wav import noise_wav
from uponai_widgets import _samples
from uponai_widgets._coalesce import MIN_WRITE

CHUNK = 64 * 1024


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_every_kind_of_sample_is_sent_with_its_own_bytes(tmp_path: Path) -> None:
    contents = [noise_wav(3000 + 100 * i, seed=i) for i in range(10)]
    path = tmp_path / "as-str.wav"
    path.write_bytes(contents[0])
    pathlib_path = tmp_path / "as-path.wav"
    pathlib_path.write_bytes(contents[1])
    opened = (tmp_path / "opened.wav").open("wb+")
    opened.write(contents[2])
    opened.seek(0)
    samples: list[Any] = [
        str(path),
        pathlib_path,
        opened,
        contents[3],
        bytearray(contents[4]),
        memoryview(contents[5]),
        ("tuple.wav", contents[6], "audio/x-wav"),
        {
            "name": "upload.wav",
            "type": "audio/wav",
            "size": 3700,
            "content": memoryview(contents[7]),
        },
        SimpleNamespace(name="bunch.wav", content=memoryview(contents[8])),
        ("pipe.wav", OneWay(contents[9], max_read=1000)),
    ]
    transport = ScriptedTransport()
    try:
        uw.clone_voice(scripted_connection(transport), **clone_args(samples=samples))
    finally:
        opened.close()
    files = transport.seen[0].files
    assert [digest for _, _, digest in files] == [sha(c) for c in contents]
    names = [name for name, _, _ in files]
    assert names[:3] == ["as-str.wav", "as-path.wav", "opened.wav"]
    assert names[3:6] == ["sample-4.wav", "sample-5.wav", "sample-6.wav"]
    assert names[6:] == ["tuple.wav", "upload.wav", "bunch.wav", "pipe.wav"]
    mimes = [mime for _, mime, _ in files]
    assert mimes == ["audio/wav"] * 6 + ["audio/x-wav"] + ["audio/wav"] * 3


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x64" + b"\x00" * 8, "audio/mpeg"),
        (b"fLaC\x00\x00\x00\x22", "audio/flac"),
        (b"OggS\x00\x02" + b"\x00" * 8, "audio/ogg"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00", "audio/mp4"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "audio/webm"),
    ],
)
def test_mime_type_comes_from_the_content_not_the_name(head: bytes, mime: str) -> None:
    transport = ScriptedTransport()
    data = head + bytes(range(256)) * 4
    uw.clone_voice(scripted_connection(transport), **clone_args(samples=[("misnamed.txt", data)]))
    assert transport.seen[0].files == [("misnamed.txt", mime, sha(data))]


def test_a_str_path_is_sent_as_the_file_never_as_text(tmp_path: Path) -> None:
    path = tmp_path / "voice.wav"
    path.write_bytes(noise_wav(2000))
    transport = ScriptedTransport()
    uw.clone_voice(scripted_connection(transport), **clone_args(samples=[str(path)]))
    body = transport.seen[0].body
    assert str(path).encode() not in body
    assert transport.seen[0].files[0][2] == sha(path.read_bytes())


def test_paths_are_opened_lazily_in_binary_mode_read_in_chunks_and_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.wav"
    path.write_bytes(noise_wav(1_000_000))
    events: list[str] = []
    handles: list[Any] = []

    class Spy:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def read(self, size: int = -1) -> bytes:
            events.append(f"read {size}")
            data: bytes = self.handle.read(size)
            return data

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

        def __enter__(self) -> Spy:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

    def spy_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        events.append(f"open {mode}")
        handle = open(file, mode, *args, **kwargs)  # noqa: SIM115
        handles.append(handle)
        return Spy(handle)

    class Transport(ScriptedTransport):
        def handle_request(self, request: Any) -> Any:
            events.append("send")
            return super().handle_request(request)

    monkeypatch.setattr(_samples, "open", spy_open, raising=False)
    transport = Transport(keep_body=False)
    uw.clone_voice(scripted_connection(transport), **clone_args(samples=[path]))
    first_send = events.index("send")
    body_open = events.index("open rb", first_send)
    assert all(e == "open rb" for e in events if e.startswith("open"))
    reads = [int(e.split()[1]) for e in events[body_open:] if e.startswith("read")]
    assert reads
    assert all(0 < size <= CHUNK for size in reads)
    assert all(handle.closed for handle in handles)
    # Socket writes join reads up to MIN_WRITE (a quarter MiB), never the whole file.
    assert max(transport.seen[0].chunk_sizes) <= MIN_WRITE < path.stat().st_size


def test_caller_file_objects_are_read_from_their_position_and_left_open(tmp_path: Path) -> None:
    data = noise_wav(5000)
    handle = io.BytesIO(b"junk" + data)
    handle.seek(4)
    transport = ScriptedTransport()
    uw.clone_voice(scripted_connection(transport), **clone_args(samples=[handle]))
    assert transport.seen[0].files[0][2] == sha(data)
    assert not handle.closed


def _peak_while_cloning(samples: list[Any]) -> int:
    transport = ScriptedTransport(keep_body=False)
    connection = scripted_connection(transport)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        uw.clone_voice(connection, **clone_args(samples=samples))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(transport.seen[0].chunk_sizes) > 16 * 1024 * 1024
    return peak - base


def test_a_large_path_is_streamed_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "large.wav"
    path.write_bytes(noise_wav(16 * 1024 * 1024))
    assert _peak_while_cloning([path]) < 2 * 1024 * 1024


def test_a_memoryview_is_wrapped_without_a_copy() -> None:
    content = memoryview(bytearray(noise_wav(16 * 1024 * 1024)))
    entry = {"name": "upload.wav", "type": "audio/wav", "content": content}
    assert _peak_while_cloning([entry]) < 2 * 1024 * 1024
    assert content[:4] == b"RIFF"  # the caller's buffer is still usable afterwards


def test_a_sample_that_cannot_be_read_during_the_upload_is_a_typed_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "vanishing.wav"
    path.write_bytes(noise_wav(10_000))
    calls: list[str] = []

    def flaky_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        calls.append(mode)
        if len(calls) > 1:  # validation's peek works; the upload's open fails
            raise PermissionError(13, "Permission denied", str(file))
        return open(file, mode, *args, **kwargs)

    monkeypatch.setattr(_samples, "open", flaky_open, raising=False)
    transport = ScriptedTransport()
    with pytest.raises(uw.UponAIError, match="could not be read during the upload") as info:
        uw.clone_voice(scripted_connection(transport), **clone_args(samples=[path]))
    assert "Permission denied" in str(info.value)
    assert len(transport.seen) == 1
    assert not transport.seen[0].complete


def test_validation_leaves_no_file_open(tmp_path: Path) -> None:
    paths = []
    for i in range(3):
        path = tmp_path / f"s{i}.wav"
        path.write_bytes(noise_wav(200_000, seed=i % 2))  # s0 and s2 are identical
        paths.append(path)
    with pytest.raises(uw.ValidationError, match="same content"):
        uw.validate_clone(name="A", provider="p", workspace_id=1, samples=paths)
    uw.validate_clone(name="A", provider="p", workspace_id=1, samples=paths[:2])
    opened = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the listing's own descriptor is gone already
            opened.append(os.readlink(f"/proc/self/fd/{fd}"))
    assert not [target for target in opened if target.startswith(str(tmp_path))]
