"""An answer that arrives during the upload is read, raised as its typed error, and stops the upload.

The server (`support.early_server`, its own process on 127.0.0.1) answers 401, 403 or 413 as soon
as the request head is in, as an API refusing a token or a proxy with a body limit does, and then
either stops reading (`stall`) or reads the body slowly and discards it (`drain`). The sample is
several megabytes, more than the socket buffers take, so a client that only reads its answer
after the whole body either blocks until its write timeout or sends every byte first.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from support.early_server import MESSAGE, EarlyServer

import uponai_widgets as uw
from uponai_devtools.wav import make_wav, wav_header

_SECOND = make_wav(1.0)[44:]  # one second of 16 kHz 16-bit mono frames
SAMPLE = wav_header(len(_SECOND) * 500, 16000) + _SECOND * 500  # 16 MB: 500 s
CLONE_FIELDS: dict[str, Any] = {"name": "Ada", "provider": "elevenlabs", "workspace_id": 42}
ERRORS: dict[int, type[uw.APIStatusError]] = {
    401: uw.AuthenticationError,
    403: uw.PermissionDeniedError,
    413: uw.PayloadTooLargeError,
}


def clone(url: str, *, use_async: bool) -> None:
    """One clone of `SAMPLE` with a 3 s write timeout and no retries."""
    retry = uw.RetryPolicy(max_retries=0)
    with uw.connect(url, "sk-early-answers", retry=retry, timeout=3.0) as connection:
        if use_async:
            asyncio.run(clone_async(connection))
        else:
            uw.clone_voice(connection, samples=[("long.wav", SAMPLE)], **CLONE_FIELDS)


async def clone_async(connection: uw.Connection) -> None:
    try:
        await uw.clone_voice_async(connection, samples=[("long.wav", SAMPLE)], **CLONE_FIELDS)
    finally:
        await connection.aclose()


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("status", list(ERRORS))
def test_an_answer_before_the_body_is_raised_when_the_server_stops_reading(
    status: int, use_async: bool
) -> None:
    with EarlyServer(status=status, then="stall") as server, pytest.raises(uw.UponAIError) as info:
        clone(server.url, use_async=use_async)
    assert type(info.value) is ERRORS[status], repr(info.value)
    assert info.value.status == status
    assert MESSAGE in str(info.value)


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("status", list(ERRORS))
def test_an_answer_before_the_body_stops_the_upload(status: int, use_async: bool) -> None:
    with EarlyServer(status=status, then="drain") as server:
        with pytest.raises(uw.UponAIError) as info:
            clone(server.url, use_async=use_async)
        (received,) = server.body_bytes()
    assert type(info.value) is ERRORS[status], repr(info.value)
    assert MESSAGE in str(info.value)
    # What the socket buffers took before the answer arrived (about 3 MB on loopback) went
    # out; a client that reads its answer only after the body sends all 16 MB.
    assert received < len(SAMPLE) // 2, f"{received} of {len(SAMPLE)} body bytes were sent"


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_an_upload_after_a_created_voice_on_one_connection_reads_its_early_answer(
    use_async: bool,
) -> None:
    """The second upload of a connection is watched too: it does not go out on the first one's
    pooled connection, where nothing says when the answer arrives."""
    retry = uw.RetryPolicy(max_retries=0)
    samples = [("long.wav", SAMPLE)]

    async def both_async(connection: uw.Connection) -> tuple[object, BaseException | None]:
        async with connection:
            voice = await uw.clone_voice_async(connection, samples=samples, **CLONE_FIELDS)
            try:
                await uw.clone_voice_async(connection, samples=samples, **CLONE_FIELDS)
            except uw.UponAIError as error:
                return voice, error
        return voice, None

    def both_sync(connection: uw.Connection) -> tuple[object, BaseException | None]:
        with connection:
            voice = uw.clone_voice(connection, samples=samples, **CLONE_FIELDS)
            try:
                uw.clone_voice(connection, samples=samples, **CLONE_FIELDS)
            except uw.UponAIError as error:
                return voice, error
        return voice, None

    with EarlyServer(status=413, then="stall", first_ok=1) as server:
        connection = uw.connect(server.url, "sk-early-answers", retry=retry, timeout=3.0)
        voice, error = asyncio.run(both_async(connection)) if use_async else both_sync(connection)
    assert isinstance(voice, uw.Voice)
    assert isinstance(error, uw.PayloadTooLargeError), repr(error)
    assert MESSAGE in str(error)
