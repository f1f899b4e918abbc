"""Write coalescing: runs of small body chunks joined into fewer, larger socket writes."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator

__all__ = ["MIN_WRITE", "PullGate", "coalesce", "coalesce_async"]

PullGate = Callable[[], Awaitable[None] | None]
"""Asked before each chunk is taken: None to go on, or what to await first (bytes to land)."""

MIN_WRITE = 256 * 1024
"""Body pieces smaller than this (part headers, httpx's 64 KiB file chunks) are joined up to it.

Each write costs a loop turn in an async upload: with 256 KiB writes instead of 64 KiB ones a
900 MB async clone used 0.7-1.0 s of CPU instead of 1.1-1.3 s (a sync one about 0.7 s)."""


class _Joiner:
    """Collects small chunks; `add` returns what is ready to send (each at most `MIN_WRITE`)."""

    def __init__(self) -> None:
        self._pending: list[bytes] = []
        self._size = 0

    def add(self, chunk: bytes) -> list[bytes]:
        ready = []
        if self._pending and (self._size + len(chunk) > MIN_WRITE or len(chunk) >= MIN_WRITE):
            ready.append(self.flush())
        if len(chunk) >= MIN_WRITE:
            ready.append(chunk)  # large chunks pass through uncopied
        else:
            self._pending.append(chunk)
            self._size += len(chunk)
        return ready

    def flush(self) -> bytes:
        joined = b"".join(self._pending)
        self._pending, self._size = [], 0
        return joined


def coalesce(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Join runs of small chunks into writes of up to `MIN_WRITE` bytes.

    A multipart body alternates short part headers with 64 KiB file chunks; sending each piece
    on its own costs a socket write (and a loop turn) per piece.
    Large chunks pass through uncopied; no write grows beyond the larger of a chunk and
    `MIN_WRITE`.
    """
    joiner = _Joiner()
    for chunk in chunks:
        yield from joiner.add(chunk)
    if tail := joiner.flush():
        yield tail


async def coalesce_async(
    chunks: AsyncIterable[bytes], before_pull: PullGate | None = None
) -> AsyncIterator[bytes]:
    """`coalesce` for an async body stream; `before_pull` may hold the next chunk back (what
    is joined so far goes out first, so nothing waits in here while the source waits)."""
    joiner = _Joiner()
    iterator = aiter(chunks)
    while True:
        if before_pull is not None and (waiting := before_pull()) is not None:
            if held := joiner.flush():
                yield held
            await waiting
        try:
            chunk = await anext(iterator)
        except StopAsyncIteration:
            break
        for ready in joiner.add(chunk):
            yield ready
    if tail := joiner.flush():
        yield tail
