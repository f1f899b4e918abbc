"""Every kind of sample the cloning layer accepts gives the same report as its path."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from support.streams import OneWay

from uponai_widgets.audio._inspect import inspect_sample, inspect_samples


def figures(report: Any) -> dict[str, Any]:
    row = report.to_dict()
    del row["name"]
    return row


def test_every_input_kind_gives_the_same_figures(short_wav: Path) -> None:
    data = short_wav.read_bytes()
    expected = figures(inspect_sample(str(short_wav)))
    assert expected["verdict"] == "bad"  # a tone: no speech found
    upload_entry = {
        "name": "upload.wav",
        "type": "audio/wav",
        "size": len(data),
        "content": memoryview(bytearray(data)),
        "last_modified": 0,
    }
    kinds: dict[str, object] = {
        "path str": str(short_wav),
        "PathLike": short_wav,
        "bytes": data,
        "bytearray": bytearray(data),
        "memoryview": memoryview(data),
        "tuple": ("tuple.wav", data, "audio/wav"),
        "tuple of two": ("pair.wav", memoryview(data)),
        "tuple with a path": ("named.wav", short_wav, None),
        "FileUpload dict": upload_entry,
        "FileUpload object": SimpleNamespace(name="obj.wav", content=memoryview(data)),
        "BytesIO": io.BytesIO(data),
    }
    with short_wav.open("rb") as handle:
        kinds["file object"] = handle
        for label, sample in kinds.items():
            assert figures(inspect_sample(sample)) == expected, label
        assert not handle.closed


def test_names_come_from_the_sample(short_wav: Path) -> None:
    data = short_wav.read_bytes()
    reports = inspect_samples(
        [
            str(short_wav),
            data,
            ("tuple.wav", data, "audio/wav"),
            {"name": "upload.wav", "content": memoryview(data)},
            io.BytesIO(data),
        ]
    )
    assert [r.name for r in reports] == [
        "three_seconds.wav",
        "sample 2",
        "tuple.wav",
        "upload.wav",
        "sample 5",
    ]
    assert inspect_samples(str(short_wav))[0].name == "three_seconds.wav"


def test_caller_buffers_and_streams_are_left_usable(short_wav: Path) -> None:
    data = short_wav.read_bytes()
    view = memoryview(bytearray(data))
    inspect_sample({"name": "a.wav", "content": view})
    assert bytes(view[:4]) == b"RIFF"  # not released

    stream = io.BytesIO(b"0123456789" + data)
    stream.seek(10)  # the cloning layer sends a file object from where it stands
    report = inspect_sample(stream)
    assert report.duration_s == pytest.approx(3.0)
    assert stream.tell() == 10
    assert stream.read() == data

    with short_wav.open("rb") as handle:
        handle.seek(0)
        inspect_sample(("h.wav", handle, None))
        assert handle.tell() == 0


def test_a_stream_that_cannot_seek_is_not_consumed(short_wav: Path) -> None:
    data = short_wav.read_bytes()
    stream = io.BufferedReader(OneWay(data))
    report = inspect_sample(stream)
    assert report.verdict == "warn"
    assert report.reasons[0].startswith("not inspected")
    assert report.duration_s is None
    assert stream.read() == data  # every byte is still there for the upload
