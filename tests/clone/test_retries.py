"""Retries never duplicate a voice or corrupt an upload; delays go through the injected sleep."""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.fake_api import (
    Fail,
    Reply,
    ScriptedTransport,
    Sleeps,
    clone_args,
    scripted_connection,
)
from support.streams import OneWay

import uponai_widgets as uw
from uponai_devtools.wav import noise_wav

NOW = 1_800_000_000.0


def mixed_samples(tmp_path: Path) -> list[Any]:
    """A path, a caller's file at an offset and a memoryview: all must rewind identically."""
    path = tmp_path / "take1.wav"
    path.write_bytes(noise_wav(200_000, seed=1))
    handle = io.BytesIO(b"prefix" + noise_wav(150_000, seed=2))
    handle.seek(6)
    return [path, ("take2.wav", handle), memoryview(noise_wav(100_000, seed=3))]


def assert_identical_bodies(transport: ScriptedTransport) -> None:
    first = transport.seen[0]
    for later in transport.seen[1:]:
        assert later.fields == first.fields
        assert later.files == first.files
    assert len(first.files) >= 2


def test_429_waits_for_retry_after_seconds_then_succeeds(tmp_path: Path) -> None:
    sleeps = Sleeps()
    transport = ScriptedTransport(Reply(429, {"message": "busy"}, {"Retry-After": "1"}))
    voice = uw.clone_voice(
        scripted_connection(transport, sleeps), **clone_args(samples=mixed_samples(tmp_path))
    )
    assert voice.voice_id == "voice_123"
    assert sleeps.delays == [1.0]
    assert len(transport.seen) == 2
    assert_identical_bodies(transport)


def test_retry_after_as_http_date_uses_the_injected_clock() -> None:
    sleeps = Sleeps()
    date = email.utils.formatdate(NOW + 7, usegmt=True)
    transport = ScriptedTransport(Reply(429, {}, {"Retry-After": date}))
    uw.clone_voice(scripted_connection(transport, sleeps, clock=lambda: NOW), **clone_args())
    assert sleeps.delays == [7.0]


def test_retry_after_ms_wins_and_long_waits_are_capped() -> None:
    sleeps = Sleeps()
    transport = ScriptedTransport(
        Reply(503, {}, {"retry-after-ms": "250", "Retry-After": "9"}),
        Reply(429, {}, {"Retry-After": "3600"}),
    )
    uw.clone_voice(scripted_connection(transport, sleeps, retry_after_max=30), **clone_args())
    assert sleeps.delays == [0.25, 30.0]


def test_503_without_retry_after_uses_jittered_exponential_backoff() -> None:
    sleeps = Sleeps()
    transport = ScriptedTransport(Reply(503, {}), Reply(503, {}))
    uw.clone_voice(scripted_connection(transport, sleeps), **clone_args())
    assert sleeps.delays == [0.5, 1.0]  # random() == 1.0: the top of the jitter range
    policy = uw.RetryPolicy(random=lambda: 0.0, backoff_initial=2, backoff_max=5)
    assert [policy.backoff(n) for n in (1, 2, 3)] == [1.0, 2.0, 2.5]


def test_retries_stop_at_max_retries_with_the_last_error() -> None:
    sleeps = Sleeps()
    transport = ScriptedTransport(*[Reply(429, {}, {"Retry-After": "2"}) for _ in range(5)])
    with pytest.raises(uw.RateLimitError) as info:
        uw.clone_voice(scripted_connection(transport, sleeps, max_retries=2), **clone_args())
    assert len(transport.seen) == 3
    assert sleeps.delays == [2.0, 2.0]
    assert info.value.retry_after == 2.0


def test_500_is_not_retried_by_default() -> None:
    sleeps = Sleeps()
    transport = ScriptedTransport(Reply(500, {"message": "boom"}))
    with pytest.raises(uw.OutcomeUnknownError):  # after the whole body: it may have been done
        uw.clone_voice(scripted_connection(transport, sleeps), **clone_args())
    assert len(transport.seen) == 1
    assert sleeps.delays == []


def test_500_then_201_when_opted_in_resends_identical_fields_and_files(tmp_path: Path) -> None:
    transport = ScriptedTransport(Reply(500, {"message": "boom"}))
    connection = scripted_connection(transport, retry_after_body_sent=True)
    uw.clone_voice(connection, **clone_args(samples=mixed_samples(tmp_path)))
    assert len(transport.seen) == 2
    assert_identical_bodies(transport)


def test_connection_failure_before_the_body_is_retried(tmp_path: Path) -> None:
    transport = ScriptedTransport(Fail(httpx.ConnectError("refused")))
    uw.clone_voice(scripted_connection(transport), **clone_args(samples=mixed_samples(tmp_path)))
    assert len(transport.seen) == 2
    assert transport.seen[1].complete


def test_connection_dropped_mid_upload_is_not_retried() -> None:
    transport = ScriptedTransport(Fail(httpx.WriteError("broken pipe"), after_bytes=4000))
    big = [("a.wav", noise_wav(300_000, 1))]
    with pytest.raises(uw.APIConnectionError) as info:
        uw.clone_voice(scripted_connection(transport), **clone_args(samples=big))
    assert len(transport.seen) == 1
    assert info.value.body_sent is True
    assert not isinstance(info.value, uw.OutcomeUnknownError)
    assert "cannot have created" in str(info.value)


def test_connection_dropped_after_the_whole_body_is_an_unknown_outcome() -> None:
    transport = ScriptedTransport(Fail(httpx.ReadError("reset"), after_bytes=10**9))
    with pytest.raises(uw.OutcomeUnknownError, match="may have been created"):
        uw.clone_voice(scripted_connection(transport), **clone_args())
    assert len(transport.seen) == 1


def test_connection_dropped_mid_upload_is_retried_identically_when_opted_in(
    tmp_path: Path,
) -> None:
    transport = ScriptedTransport(Fail(httpx.RemoteProtocolError("gone"), after_bytes=100_000))
    connection = scripted_connection(transport, retry_after_body_sent=True)
    uw.clone_voice(connection, **clone_args(samples=mixed_samples(tmp_path)))
    assert len(transport.seen) == 2
    assert transport.seen[1].complete
    assert 0 < len(transport.seen[0].body) < len(transport.seen[1].body)
    full = ScriptedTransport()
    uw.clone_voice(scripted_connection(full), **clone_args(samples=mixed_samples(tmp_path)))
    assert transport.seen[1].files == full.seen[0].files


def test_a_stream_that_cannot_rewind_is_not_retried_after_it_was_read() -> None:
    transport = ScriptedTransport(Reply(503, {"message": "busy"}))
    samples = [("live.wav", OneWay(noise_wav(100_000)))]
    with pytest.raises(uw.ServerError, match="cannot be rewound") as info:
        uw.clone_voice(scripted_connection(transport), **clone_args(samples=samples))
    assert "'live.wav'" in info.value.message
    assert len(transport.seen) == 1
    assert transport.seen[0].headers.get("transfer-encoding") == "chunked"


def test_a_stream_that_cannot_rewind_is_retried_if_nothing_was_read_yet() -> None:
    data = noise_wav(100_000)
    transport = ScriptedTransport(Fail(httpx.ConnectError("refused")))
    uw.clone_voice(
        scripted_connection(transport), **clone_args(samples=[("live.wav", OneWay(data))])
    )
    assert len(transport.seen) == 2
    assert transport.seen[1].files[0][2] == hashlib.sha256(data).hexdigest()


def test_async_retries_use_the_injected_async_sleep(tmp_path: Path) -> None:
    sleeps = Sleeps()
    transport = ScriptedTransport(Reply(429, {}, {"Retry-After": "1"}), Reply(503, {}))
    connection = scripted_connection(transport, sleeps)
    samples = mixed_samples(tmp_path)
    voice = asyncio.run(uw.clone_voice_async(connection, **clone_args(samples=samples)))
    assert voice.name == "Ada"
    assert sleeps.delays == [1.0, 1.0]
    assert len(transport.seen) == 3
    assert_identical_bodies(transport)


def test_retry_after_parsing_edge_cases() -> None:
    policy = uw.RetryPolicy(clock=lambda: NOW)
    assert policy.retry_after({"Retry-After": "nonsense"}) is None
    assert policy.retry_after({"Retry-After": "-5"}) == 0.0
    assert policy.retry_after({"retry-after-ms": "x", "Retry-After": "2"}) == 2.0
    past = email.utils.formatdate(NOW - 100, usegmt=True)
    assert policy.retry_after({"Retry-After": past}) == 0.0
    assert policy.retry_after({}) is None
    with pytest.raises(ValueError, match="max_retries"):
        uw.RetryPolicy(max_retries=-1)
