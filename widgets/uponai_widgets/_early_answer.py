"""An answer that arrives while the request body is still going out.

A server or a proxy may answer before it has read the body (401 or 403 from the headers, 413 from
a proxy's body limit) and then stop reading or close. A client that keeps writing blocks until its
write timeout, or sees a reset, and loses the answer. httpcore reads the answer after a write
error; `AnswerWatch` brings that about as soon as the answer is there: before each body chunk it
looks (without reading) at the attempt's connection, and when an HTTP status line waits there it
raises `EarlyAnswer`, a write error, from the body, so the rest of the body is not sent and the
answer is read and judged like any other (`Sent.PART`: the server did not get the whole request).

It watches a connection it saw opened for this attempt (httpx's `trace` request extension; over
plain HTTP uploads get a connection of their own, `Connection.upload_http`) and not encrypted:
through TLS a waiting record may be the server's session ticket rather than an answer. Elsewhere
the transport's own rule applies (an answer sent before the server closes is read after the
write error).
"""

from __future__ import annotations

import asyncio
import select
import socket
import time
from collections.abc import Mapping
from typing import Any

import httpcore

__all__ = ["AnswerWatch", "EarlyAnswer"]

_STATUS_LINE = b"HTTP/"
_POLL_SECONDS = 0.01


class EarlyAnswer(httpcore.WriteError):
    """Raised by a request body when the server has answered before its end.

    httpcore takes a write error during the body as "the server stopped reading" and goes on to
    read the answer, which is what happened.
    """


class AnswerWatch:
    """Follows one attempt's connection and tells whether its answer is already there."""

    __slots__ = ("_fd", "_write_timeout")

    def __init__(self, write_timeout: float | None) -> None:
        self._fd: int | None = None
        self._write_timeout = write_timeout

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpx's `trace` extension (sync transport): note the connection opened for us."""
        if event == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            found = stream.get_extra_info("socket") if stream is not None else None
            fileno = getattr(found, "fileno", None)  # a socket, or asyncio's TransportSocket
            self._fd = fileno() if callable(fileno) else None
        elif event == "connection.start_tls.complete":
            self._fd = None

    async def atrace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpx's `trace` extension (async transport)."""
        self.trace(event, info)

    @staticmethod
    def _answered(fd: int) -> bool:
        """True when an HTTP status line waits unread on `fd` (looked at, not read)."""
        probe = socket.socket(fileno=fd)  # borrowed: detached below, never closed here
        try:
            waiting = probe.recv(len(_STATUS_LINE), socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except OSError:  # nothing yet (BlockingIOError), or a reset: the transport reports it
            return False
        finally:
            probe.detach()
        return waiting == _STATUS_LINE

    @staticmethod
    def _ready(fd: int, wait: float) -> tuple[bool, bool]:
        """(readable, writable) within `wait` seconds."""
        try:
            readable, writable, _ = select.select([fd], [fd], [], wait)
        except (OSError, ValueError):  # closed under us: the transport reports it
            return False, True
        return bool(readable), bool(writable)

    def check(self) -> None:
        """Before a chunk: raise `EarlyAnswer` if the answer is there; while the connection
        cannot take more (the server stopped reading), wait for room or for the answer."""
        fd = self._fd
        if fd is None:
            return
        readable, _writable = self._ready(fd, self._write_timeout or 0.0)
        if readable and self._answered(fd):
            raise EarlyAnswer("the server answered before the end of the request body")

    async def check_async(self) -> None:
        """`check` for the async transport: it polls instead of blocking the event loop."""
        fd = self._fd
        if fd is None:
            return
        deadline = time.monotonic() + (self._write_timeout or 0.0)
        while True:
            readable, writable = self._ready(fd, 0.0)
            if readable and self._answered(fd):
                raise EarlyAnswer("the server answered before the end of the request body")
            if writable or time.monotonic() >= deadline:
                return
            await asyncio.sleep(_POLL_SECONDS)
