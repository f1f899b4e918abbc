"""Helpers for the cloning-layer tests: a streaming scripted transport and a multipart parser.

`httpx.MockTransport` reads the whole body before its handler runs; `ScriptedTransport` reads it
chunk by chunk like a server, so tests can see chunk sizes, drop a connection part-way through
the body, or hang mid-upload for cancellation.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx

from uponai_widgets import RetryPolicy, connect
from uponai_widgets._connection import Connection

TOKEN = "sk-unit-9f8e7d6c5b4a-SECRET"
REASON = "ticket 4711: customer asked us to fix their voice"
BASE_URL = "http://api.test"

VOICE_JSON: dict[str, Any] = {
    "voiceId": "voice_123",
    "name": "Ada",
    "provider": "elevenlabs",
    "previewUrl": "http://api.test/preview/abc",
    "playbackOverrideUrl": None,
    "tags": ["cloned"],
    "createdAt": "2026-11-25T18:00:00Z",
    "updatedAt": None,
}


def fake_wav(size: int = 4096, seed: int = 0) -> bytes:
    """`size` bytes that start like a WAV file (RIFF/WAVE header) followed by noise."""
    header = b"RIFF" + struct.pack("<I", size - 8) + b"WAVEfmt "
    return header + random.Random(seed).randbytes(size - len(header))


@dataclass
class Part:
    """One multipart part as received."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    """Parse a multipart/form-data body with the standard library's MIME parser."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    parts = []
    for part in message.iter_parts():
        disposition = part.get("Content-Disposition", "")
        params = dict(part.get_params(header="content-disposition", failobj=[])[1:])
        payload = part.get_payload(decode=True)
        parts.append(
            Part(
                name=str(params.get("name")),
                filename=params.get("filename") if "filename=" in disposition else None,
                content_type=part.get("Content-Type"),
                data=payload if isinstance(payload, bytes) else b"",
            )
        )
    return parts


@dataclass
class Seen:
    """A request as the scripted server received it."""

    method: str
    path: str
    headers: httpx.Headers
    timeout: dict[str, float | None]
    chunk_sizes: list[int] = field(default_factory=list)
    body: bytes = b""
    complete: bool = False

    @property
    def parts(self) -> list[Part]:
        return parse_multipart(self.headers["content-type"], self.body)

    @property
    def fields(self) -> dict[str, str]:
        return {p.name: p.data.decode() for p in self.parts if p.filename is None}

    @property
    def files(self) -> list[tuple[str | None, str | None, str]]:
        return [
            (p.filename, p.content_type, hashlib.sha256(p.data).hexdigest())
            for p in self.parts
            if p.filename is not None
        ]


@dataclass
class Reply:
    """Answer with a status, JSON body and headers after reading the whole body."""

    status: int = 201
    json: Any = field(default_factory=lambda: dict(VOICE_JSON))
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None


@dataclass
class Fail:
    """Raise `error` after reading `after_bytes` of the body (None: before reading any)."""

    error: Exception
    after_bytes: int | None = None


@dataclass
class Hang:
    """Read `after_bytes` of the body, then wait (async only) until cancelled."""

    after_bytes: int
    reached: asyncio.Event = field(default_factory=asyncio.Event)


Step = Reply | Fail | Hang


class ScriptedTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers requests from a script of steps (then 201s), reading bodies chunk by chunk."""

    def __init__(self, *steps: Step, keep_body: bool = True) -> None:
        self.steps = list(steps)
        self.keep_body = keep_body
        self.seen: list[Seen] = []

    def _start(self, request: httpx.Request) -> tuple[Seen, Step]:
        timeout = dict(request.extensions.get("timeout", {}))
        seen = Seen(request.method, request.url.path, request.headers, timeout)
        self.seen.append(seen)
        return seen, (self.steps.pop(0) if self.steps else Reply())

    def _take(self, seen: Seen, chunk: bytes, body: list[bytes]) -> None:
        seen.chunk_sizes.append(len(chunk))
        if self.keep_body:
            body.append(chunk)

    def _answer(self, seen: Seen, step: Step, body: list[bytes]) -> httpx.Response:
        seen.body = b"".join(body)
        if isinstance(step, Fail):
            raise step.error
        assert isinstance(step, Reply)
        seen.complete = True
        if step.content is not None:
            return httpx.Response(step.status, content=step.content, headers=step.headers)
        return httpx.Response(step.status, json=step.json, headers=step.headers)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        seen, step = self._start(request)
        assert not isinstance(step, Hang), "Hang needs the async client"
        body: list[bytes] = []
        if isinstance(step, Fail) and step.after_bytes is None:
            raise step.error
        assert isinstance(request.stream, httpx.SyncByteStream)
        for chunk in request.stream:
            self._take(seen, chunk, body)
            if isinstance(step, Fail) and sum(seen.chunk_sizes) >= (step.after_bytes or 0):
                break
        return self._answer(seen, step, body)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        seen, step = self._start(request)
        body: list[bytes] = []
        if isinstance(step, Fail) and step.after_bytes is None:
            raise step.error
        assert isinstance(request.stream, httpx.AsyncByteStream)
        async for chunk in request.stream:
            self._take(seen, chunk, body)
            received = sum(seen.chunk_sizes)
            if isinstance(step, Hang) and received >= step.after_bytes:
                step.reached.set()
                await asyncio.sleep(3600)
            if isinstance(step, Fail) and received >= (step.after_bytes or 0):
                break
        return self._answer(seen, step, body)


@dataclass
class Sleeps:
    """Records the delays a RetryPolicy asks for instead of sleeping."""

    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.delays.append(seconds)


def scripted_connection(
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport,
    sleeps: Sleeps | None = None,
    *,
    clock: Callable[[], float] | None = None,
    **policy: Any,
) -> Connection:
    """A `connect()` connection whose requests go to `transport`; sleeps are recorded."""
    sleeps = sleeps or Sleeps()
    retry = RetryPolicy(
        sleep=sleeps,
        async_sleep=sleeps.async_sleep,
        random=lambda: 1.0,
        **({"clock": clock} if clock else {}),
        **policy,
    )
    return connect(BASE_URL, TOKEN, retry=retry, httpx_args={"transport": transport})


def clone_args(**overrides: Any) -> dict[str, Any]:
    """Valid keyword arguments for clone_voice, with overrides."""
    args: dict[str, Any] = {
        "name": "Ada",
        "provider": "elevenlabs",
        "workspace_id": 42,
        "samples": [("a.wav", fake_wav(5000, 1)), ("b.wav", fake_wav(6000, 2))],
    }
    args.update(overrides)
    return args
