"""Reading and discarding a request's body before an early answer (401, 503, a refused header).

A server that answers before reading the body and then closes leaves unread bytes in its socket:
the kernel then resets the connection, and a client that is still sending (or that has not yet
read the answer) sees a reset instead of the answer. So an answer that does not need the body
still waits for it, reading and discarding at most `max_bytes` for at most `seconds` in all (not
restarted by each byte, so a client that trickles cannot hold the connection), and goes out with
`Connection: close`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.requests import ClientDisconnect, Request

__all__ = ["DRAIN_EXTRA", "drain", "drain_request", "receive_chunks"]

DRAIN_EXTRA = 16 * 1024 * 1024
"""Bytes read beyond the largest request accepted before a refused body is given up on."""


async def drain(chunks: AsyncIterator[bytes], *, max_bytes: int, seconds: float) -> bool:
    """Read and discard `chunks`; True when the body ended within the byte and time budgets."""
    try:
        async with asyncio.timeout(seconds):
            async for chunk in chunks:
                max_bytes -= len(chunk)
                if max_bytes < 0:
                    return False
    except (TimeoutError, ClientDisconnect):
        return False
    return True


async def drain_request(request: Request, *, max_bytes: int, seconds: float) -> bool:
    """`drain` the body of a Starlette request whose body nothing has read yet."""
    return await drain(request.stream(), max_bytes=max_bytes, seconds=seconds)


async def receive_chunks(receive: Callable[[], Awaitable[Any]]) -> AsyncIterator[bytes]:
    """The body chunks of a raw ASGI request, until its end or the client's disconnect."""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return
