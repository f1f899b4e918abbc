"""One test per defect found by the reliability review, each over a real loopback socket.

Every test here failed on the code before the fix (run and seen failing first).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import pytest
from support.raw_http import Answer, RawServer, response
from support.reliability import (
    TOKEN,
    assert_no_secret,
    clone_args,
    created_reply,
    quick_connection,
    wav_bytes,
    wav_path,
)
from support.streams import OneWay

import uponai_widgets as uw

# -- unknown outcomes -------------------------------------------------------------------------


def test_connection_closed_after_the_whole_body_is_an_unknown_outcome() -> None:
    with RawServer([Answer(reply=b"")]) as server:
        connection = quick_connection(server.url)
        with pytest.raises(uw.OutcomeUnknownError) as caught:
            uw.clone_voice(connection, **clone_args([("a.wav", wav_bytes())]))
        assert isinstance(caught.value, uw.APIConnectionError)
        assert len(server.received) == 1, "an unknown outcome must never be resent"
        assert server.received[0].complete
    assert "may have been created" in str(caught.value)
    assert_no_secret(str(caught.value) + repr(caught.value))


def test_connection_closed_mid_body_is_a_plain_connection_error() -> None:
    with RawServer([Answer(reply=b"", read_body=2000)]) as server:
        connection = quick_connection(server.url, max_retries=0)
        big = wav_bytes(seconds=0.1) + os.urandom(16 * 1024 * 1024)  # more than socket buffers
        with pytest.raises(uw.APIConnectionError) as caught:
            uw.clone_voice(connection, **clone_args([("a.wav", big)]))
    assert not isinstance(caught.value, uw.OutcomeUnknownError)


def test_201_with_broken_gzip_is_an_unknown_outcome() -> None:
    reply = response(201, b"this is not gzip", {"Content-Encoding": "gzip"}, reason="Created")
    with RawServer([Answer(reply=reply)]) as server:
        connection = quick_connection(server.url)
        with pytest.raises(uw.OutcomeUnknownError) as caught:
            uw.clone_voice(connection, **clone_args([("a.wav", wav_bytes())]))
        assert len(server.received) == 1
    assert "201" in str(caught.value)
    assert "probably created" in str(caught.value)


def test_201_with_deeply_nested_json_is_an_unknown_outcome() -> None:
    body = b"[" * 200_000 + b"]" * 200_000
    reply = response(201, gzip.compress(body), {"Content-Encoding": "gzip"}, reason="Created")
    with RawServer([Answer(reply=reply)]) as server:
        connection = quick_connection(server.url)
        with pytest.raises(uw.OutcomeUnknownError) as caught:
            uw.clone_voice(connection, **clone_args([("a.wav", wav_bytes())]))
    assert "probably created" in str(caught.value)


# -- samples that change during the upload ----------------------------------------------------


def test_file_that_shrinks_during_the_upload_is_a_typed_error_naming_it(tmp_path: Path) -> None:
    path = wav_path(tmp_path, "shrinks.wav", seconds=2.0)

    def shrink(sent: int, _total: int) -> None:
        if sent == 0:
            with path.open("r+b") as handle:
                handle.truncate(path.stat().st_size // 2)

    with RawServer([Answer(reply=created_reply())]) as server:
        connection = quick_connection(server.url)
        with pytest.raises(uw.UponAIError) as caught:
            uw.clone_voice(connection, **clone_args([path]), on_progress=shrink)
        assert not any(r.complete for r in server.received)
    assert "shrinks.wav" in str(caught.value)
    assert "changed" in str(caught.value)


def test_file_that_grows_during_the_upload_is_an_error_not_a_cut_sample(tmp_path: Path) -> None:
    path = wav_path(tmp_path, "grows.wav", seconds=0.5)

    def grow(sent: int, _total: int) -> None:
        if sent == 0:
            with path.open("ab") as handle:
                handle.write(b"\0" * 4096)

    with RawServer([Answer(reply=created_reply())]) as server:
        connection = quick_connection(server.url)
        with pytest.raises(uw.UponAIError) as caught:
            uw.clone_voice(connection, **clone_args([path]), on_progress=grow)
        assert not any(r.complete for r in server.received), "a cut sample reached the server"
    assert "grows.wav" in str(caught.value)


class _CountingOneWay(OneWay):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0

    def readinto(self, buffer: Any) -> int:
        count = super().readinto(buffer)
        self.read_bytes += count
        return count


def test_non_seekable_stream_stops_at_the_size_limit() -> None:
    limit = 256 * 1024
    data = wav_bytes(seconds=0.01) + os.urandom(4 * 1024 * 1024)
    stream = _CountingOneWay(data)
    with RawServer([Answer(reply=created_reply())]) as server:
        connection = uw.connect(server.url, TOKEN, limits=uw.Limits(max_file_bytes=limit))
        with pytest.raises(uw.UponAIError) as caught:
            uw.clone_voice(connection, **clone_args([("pipe.wav", stream, "audio/wav")]))
        assert not any(r.complete for r in server.received)
    assert stream.read_bytes <= limit + 128 * 1024, stream.read_bytes
    assert "pipe.wav" in str(caught.value)
    assert "limit" in str(caught.value)


# -- validation that came too late -------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "x" * 300},
        {"provider": "p" * 300},
        {"workspace_id": 2**70},
        {"provider_id": 2**63},
        {"tenant_id": -(2**64)},
        {"name": "Ada\x00"},
        {"name": "Ada\x1b[31m"},
        {"name": "Ada\rBob"},
        {"name": "Ada\nBob"},
        {"name": "\u200b"},
        {"name": "\u200b \u2060\ufeff"},
        {"actor_type": "platform_admin", "impersonation_reason": "r" * 200_000},
    ],
)
def test_fields_the_server_rejects_are_rejected_before_sending(overrides: dict[str, Any]) -> None:
    with pytest.raises(uw.ValidationError):
        uw.validate_clone(**clone_args([("a.wav", wav_bytes())], **overrides))


def test_latin1_reason_is_a_validation_error_without_the_reason() -> None:
    reason = "Kundin möchte die Stimme ändern"
    with RawServer([Answer(reply=created_reply())]) as server:
        connection = quick_connection(server.url)
        with pytest.raises(uw.ValidationError) as caught:
            uw.clone_voice(
                connection,
                **clone_args(
                    [("a.wav", wav_bytes())],
                    actor_type="platform_admin",
                    impersonation_reason=reason,
                ),
            )
        assert server.received == []
    assert reason not in str(caught.value) + repr(caught.value)


def test_mime_type_with_a_header_line_is_rejected() -> None:
    sample = ("a.wav", wav_bytes(), "audio/wav\r\nX-Injected: 1")
    with pytest.raises(uw.ValidationError) as caught:
        uw.validate_clone(**clone_args([sample]))
    assert "MIME" in str(caught.value)


@pytest.mark.parametrize("mime", ["audio", "audio/wav; x=1", "audio/wav\x00", "a b/c", "/wav"])
def test_mime_type_must_be_plain_type_subtype(mime: str) -> None:
    with pytest.raises(uw.ValidationError):
        uw.validate_clone(**clone_args([("a.wav", wav_bytes(), mime)]))


def test_twelve_bytes_of_wav_magic_are_not_audio() -> None:
    with pytest.raises(uw.ValidationError) as caught:
        uw.validate_clone(**clone_args([("tiny.wav", b"RIFF\x04\x00\x00\x00WAVE")]))
    assert "tiny.wav" in str(caught.value)


def test_limits_have_text_lengths() -> None:
    limits = uw.Limits(max_name_chars=5)
    with pytest.raises(uw.ValidationError):
        uw.validate_clone(**clone_args([("a.wav", wav_bytes())], name="Adaline"), limits=limits)
