"""Connection guards uvicorn lacks: header and body read timeouts, and a connection limit.

uvicorn's `timeout_keep_alive` only covers the idle time between requests and is reset by every
byte received, so a client that trickles (or stops sending) its request head or body holds a
connection for ever. The h11 protocol class built here keeps one clock per connection:

- **header**: from the connection's start (or a later request's first byte) until its request
  head is complete; on expiry a bare `408` is written and the connection closed;
- **body**: restarted by every body byte while the server waits for more; on expiry the
  connection is closed (the handler sees the client gone). While the server itself is not reading
  (uvicorn paused the transport because the app has not consumed what arrived) the clock waits.

Beyond `max_connections` open connections a new one is answered `503` (JSON, `Connection: close`)
once its request body is read and discarded (`drain`: at most `drain_bytes`, `body_timeout`
seconds in all), so the client reads the 503 instead of a reset. Every connection is also registered by client address, so a
test-mode fault can drop its own connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .drain import drain, receive_chunks
from .faults import ConnectionRegistry

logger = logging.getLogger("uponai_sandbox")

_REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s"
)


@dataclass
class ConnectionGuard:
    """Timeouts (seconds) and the connection limit shared by every connection of one server."""

    header_timeout: float
    body_timeout: float
    max_connections: int
    drain_bytes: int = 0
    registry: ConnectionRegistry = field(default_factory=ConnectionRegistry)
    accepted: set[object] = field(default_factory=set)

    def protocol_class(self) -> type[H11Protocol]:
        """An h11 protocol class that enforces this guard."""
        return _guarded_protocol(self)


def _error_body(status: int, code: str, message: str) -> bytes:
    return json.dumps({"status": status, "code": code, "message": message}).encode()


def _over_capacity(guard: ConnectionGuard) -> Callable[[Any, Any, Any], Awaitable[None]]:
    """The ASGI app a connection beyond the limit gets: its body read, 503, then closed."""

    async def refuse(scope: Any, receive: Any, send: Any) -> None:
        await drain(
            receive_chunks(receive), max_bytes=guard.drain_bytes, seconds=guard.body_timeout
        )
        body = _error_body(503, "too_many_connections", "the sandbox has too many open connections")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            (b"retry-after", b"1"),
        ]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return refuse


def _guarded_protocol(guard: ConnectionGuard) -> type[H11Protocol]:
    class GuardedH11Protocol(H11Protocol):
        _clock: str | None = None
        _deadline = 0.0
        _timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn narrows BaseTransport to Transport too
            super().connection_made(transport)
            guard.registry.register(self.client, transport)
            if len(guard.accepted) >= guard.max_connections:
                logger.warning(
                    "connection limit (%d) reached: answering 503", guard.max_connections
                )
                self.app = _over_capacity(guard)
            else:
                guard.accepted.add(self)
            self._start("header", guard.header_timeout)

        def connection_lost(self, exc: Exception | None) -> None:
            guard.accepted.discard(self)
            guard.registry.forget(self.client)
            self._stop()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._follow(progress=True)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._follow(progress=False)

        def _follow(self, *, progress: bool) -> None:
            """Pick the clock that fits what the server now waits for."""
            if self.transport.is_closing():
                self._stop()
                return
            state = self.conn.their_state
            if state is h11.IDLE:
                waiting_head = progress or bool(self.conn.trailing_data[0])
                if waiting_head and self._clock != "header":
                    self._start("header", guard.header_timeout)  # a new request's first byte
                elif not waiting_head:
                    self._stop()  # idle between requests: uvicorn's keep-alive timeout applies
            elif state is h11.SEND_BODY:
                if progress or self._clock != "body":
                    self._start("body", guard.body_timeout)
            else:
                self._stop()  # the whole request is in: the server's turn

        def _start(self, clock: str, seconds: float) -> None:
            self._clock = clock
            self._deadline = self.loop.time() + seconds
            if self._timer is not None and self._timer.when() > self._deadline:
                self._timer.cancel()
                self._timer = None
            if self._timer is None:
                self._timer = self.loop.call_at(self._deadline, self._check)

        def _stop(self) -> None:
            self._clock = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _check(self) -> None:
            self._timer = None
            if self._clock is None or self.transport.is_closing():
                return
            now = self.loop.time()
            if self._clock == "body" and self.flow.read_paused:
                self._deadline = (
                    now + guard.body_timeout
                )  # we are not reading: not the client's fault
            if now < self._deadline:
                self._timer = self.loop.call_at(self._deadline, self._check)
                return
            self._expire()

        def _expire(self) -> None:
            clock, self._clock = self._clock, None
            prefix = f"{self.client[0]}:{self.client[1]} - " if self.client else ""
            if clock == "header":
                logger.warning(
                    "%sno complete request head in %g s: closing", prefix, guard.header_timeout
                )
                body = _error_body(408, "header_timeout", "request head not received in time")
                self.transport.write(_REQUEST_TIMEOUT % (len(body), body))
                self.transport.close()
            else:
                logger.warning("%sno body bytes for %g s: closing", prefix, guard.body_timeout)
                self.transport.abort()

    return GuardedH11Protocol
