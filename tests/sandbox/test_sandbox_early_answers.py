"""Answers the sandbox gives before it has a request's body: over capacity (503) and a missing or
wrong token (401). It reads the body first (bounded), answers with `Connection: close`, and
closes: a client sees the answer, never a reset, and an unauthenticated client cannot hold a
connection past the body timeout by trickling bytes after its 401.
"""

from __future__ import annotations

import asyncio
import socket
import time
from contextlib import ExitStack, suppress

import httpx
import pytest

import uponai_widgets as uw
from uponai_devtools.sandbox import RunningSandbox, SandboxFactory
from uponai_devtools.wav import make_wav

BIG_WAV = make_wav(60.0)  # about 1.9 MB: more than the socket buffers take unread
TIMEOUT = 1.0
"""Header and body timeouts of the sandboxes here (seconds)."""
TIMEOUTS = {
    "UPONAI_SANDBOX_HEADER_TIMEOUT": str(TIMEOUT),
    "UPONAI_SANDBOX_BODY_TIMEOUT": str(TIMEOUT),
}
CLONE_FIELDS = {"name": "Ada", "provider": "elevenlabs", "workspace_id": 42}


def open_socket(sandbox: RunningSandbox) -> socket.socket:
    host, port = sandbox.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def hold_slots(stack: ExitStack, sandbox: RunningSandbox, count: int) -> None:
    """Open `count` connections that sit in their request head (within the header timeout)."""
    for _ in range(count):
        stack.enter_context(open_socket(sandbox)).sendall(b"GET /healthz HTTP/1.1\r\n")
    time.sleep(0.2)


def unauthenticated_head(content_length: int) -> bytes:
    return (
        "POST /api/voices/clone HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wrong\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\n"
        f"Content-Length: {content_length}\r\n\r\n"
    ).encode()


def trickle_until_closed(sock: socket.socket, limit: float) -> tuple[float, bytes]:
    """Send one body byte every 0.3 s until the server closes `sock` (or `limit` seconds pass);
    the seconds it stayed open (inf when it outlived `limit`) and what the server sent."""
    started = time.monotonic()
    received = b""
    sock.setblocking(False)
    while time.monotonic() - started < limit:
        try:
            sock.sendall(b"x")
            while chunk := sock.recv(65536):
                received += chunk
            return time.monotonic() - started, received  # end of stream: closed
        except BlockingIOError:
            time.sleep(0.3)
        except (BrokenPipeError, ConnectionResetError):
            return time.monotonic() - started, received
    return float("inf"), received


@pytest.fixture
def limited(sandbox_factory: SandboxFactory) -> RunningSandbox:
    """A sandbox that serves 2 connections at once; the held ones stay within its header
    timeout (60 s) for the whole test."""
    env = {"UPONAI_SANDBOX_MAX_CONNECTIONS": "2", "UPONAI_SANDBOX_HEADER_TIMEOUT": "60"}
    return sandbox_factory(env=env)


@pytest.mark.parametrize("sample", [make_wav(0.2), BIG_WAV], ids=["small", "big"])
def test_over_capacity_uploads_get_their_503_not_a_reset(
    limited: RunningSandbox, sample: bytes
) -> None:
    policy = uw.RetryPolicy(max_retries=0)

    async def clone_async(connection: uw.Connection) -> None:
        await uw.clone_voice_async(connection, samples=[("a.wav", sample)], **CLONE_FIELDS)

    def clone_sync(connection: uw.Connection) -> None:
        uw.clone_voice(connection, samples=[("a.wav", sample)], **CLONE_FIELDS)

    with ExitStack() as stack, uw.connect(limited.url, limited.token, retry=policy) as connection:
        hold_slots(stack, limited, 2)
        for attempt in range(10):
            sync = attempt % 2 == 1
            with pytest.raises(uw.UponAIError) as info:
                asyncio.run(clone_async(connection)) if not sync else clone_sync(connection)
            assert isinstance(info.value, uw.ServerError), repr(info.value)
            assert info.value.status == 503
            assert "too many open connections" in str(info.value)
    assert limited.voices() == []


def test_over_capacity_an_upload_is_retried_until_a_slot_is_free(
    limited: RunningSandbox,
) -> None:
    waits: list[float] = []
    with ExitStack() as stack:
        hold_slots(stack, limited, 2)

        async def release_then_wait(seconds: float) -> None:
            waits.append(seconds)
            stack.close()  # the held connections go away while the client waits
            await asyncio.sleep(min(seconds, 2.0))

        policy = uw.RetryPolicy(max_retries=3, async_sleep=release_then_wait)

        async def clone_async() -> uw.Voice:
            async with uw.connect(limited.url, limited.token, retry=policy) as connection:
                voice = await uw.clone_voice_async(
                    connection, samples=[("big.wav", BIG_WAV)], **CLONE_FIELDS
                )
            assert isinstance(voice, uw.Voice)
            return voice

        voice = asyncio.run(clone_async())
    assert len(waits) == 1  # one 503, retried after its Retry-After
    assert limited.voice_ids() == [voice.voice_id]


def test_an_unauthenticated_trickle_is_closed_by_the_body_timeout(
    sandbox_factory: SandboxFactory,
) -> None:
    guarded = sandbox_factory(env=TIMEOUTS)
    with open_socket(guarded) as sock:
        sock.sendall(unauthenticated_head(100_000) + b"--xyz\r\n")
        open_for, received = trickle_until_closed(sock, limit=TIMEOUT + 5)
    assert open_for <= TIMEOUT + 3, "the unauthenticated connection outlived the body timeout"
    head = received.partition(b"\r\n\r\n")[0].lower()
    assert head.startswith(b"http/1.1 401 ")
    assert b"connection: close" in head


def test_unauthenticated_tricklers_do_not_keep_the_sandbox_full(
    sandbox_factory: SandboxFactory,
) -> None:
    full = sandbox_factory(env={"UPONAI_SANDBOX_MAX_CONNECTIONS": "3", **TIMEOUTS})
    with ExitStack() as stack:
        tricklers = [stack.enter_context(open_socket(full)) for _ in range(3)]
        for sock in tricklers:
            sock.sendall(unauthenticated_head(100_000))
            sock.setblocking(False)
        deadline = time.monotonic() + TIMEOUT + 3
        statuses = []
        while time.monotonic() < deadline:
            for sock in tricklers:  # a byte each, well within the body timeout
                with suppress(BlockingIOError, BrokenPipeError, ConnectionResetError):
                    sock.sendall(b"x")
            time.sleep(0.3)
        statuses.append(httpx.get(full.url + "/healthz", timeout=5).status_code)
    assert statuses == [200]


def test_a_batch_beyond_the_connection_limit_stores_every_voice_once(
    sandbox_factory: SandboxFactory,
) -> None:
    """More uploads at once than the sandbox serves: the extra ones get a 503 that is retried,
    never a dropped connection that leaves a row unknown."""
    busy = sandbox_factory(env={"UPONAI_SANDBOX_MAX_CONNECTIONS": "3"})
    policy = uw.RetryPolicy(max_retries=50, backoff_initial=0.01, retry_after_max=0.05)
    jobs = [
        {
            "samples": [("a.wav", BIG_WAV)],
            **CLONE_FIELDS,
            "name": f"v{index}",
        }
        for index in range(16)
    ]
    with uw.connect(busy.url, busy.token, retry=policy) as connection:
        result = uw.clone_voices(connection, jobs, concurrency=8, on_progress=False)
    assert {row.status for row in result.rows} == {"created"}, result.summary()
    stored = busy.voice_counts()
    assert stored == {f"v{index}": 1 for index in range(16)}
    created = {row.name: row.voice_id for row in result.rows}
    assert sorted(created.values()) == sorted(busy.voice_ids())
