"""Progress reports as httpx pulls the request body, and whether any body byte left."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator

import httpx

__all__ = ["ProgressCallback", "ProgressStream", "ProgressTracker"]

ProgressCallback = Callable[[int, int], None]

MIN_WRITE = 64 * 1024
"""Small multipart pieces (part headers, a file's last bytes) are joined up to this size."""


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
    on its own costs a socket write (and a loop turn) per piece, which dominates small clones.
    Large chunks pass through uncopied; no write grows beyond the larger of a chunk and
    `MIN_WRITE`.
    """
    joiner = _Joiner()
    for chunk in chunks:
        yield from joiner.add(chunk)
    if tail := joiner.flush():
        yield tail


async def coalesce_async(chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """`coalesce` for an async body stream."""
    joiner = _Joiner()
    async for chunk in chunks:
        for ready in joiner.add(chunk):
            yield ready
    if tail := joiner.flush():
        yield tail


class ProgressTracker:
    """Calls `on_progress(sent, total)` monotonically across attempts, ending at the total.

    A retry resends the body from its start; reports resume once it passes the furthest point
    already reported, so a progress bar never moves backwards. Reports are at least 1/`steps`
    of the total apart (the final one always comes), so a widget is not flooded.
    """

    def __init__(self, on_progress: ProgressCallback | None, steps: int = 200) -> None:
        self._on_progress = on_progress
        self.enabled = on_progress is not None
        self._steps = steps
        self._reported = -1

    def report(self, sent: int, total: int, *, final: bool = False) -> None:
        """Forward `(sent, total)` unless it goes backwards or is too close to the last one."""
        if self._on_progress is None or sent <= self._reported:
            return
        step = max(1, total // self._steps)
        if final or self._reported < 0 or sent - self._reported >= step or sent >= total:
            self._reported = sent
            self._on_progress(sent, total)


class ProgressStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Wraps a request body stream; counts each chunk once the transport asks for the next.

    `started` becomes True when the transport pulls the first chunk: from then on the server
    may have received part of the body.
    """

    def __init__(
        self,
        inner: httpx.SyncByteStream | httpx.AsyncByteStream,
        total: int | None,
        tracker: ProgressTracker,
    ) -> None:
        self._inner = inner
        self._total = total
        self._tracker = tracker
        self.started = False
        self.sent = 0

    def _advance(self, size: int) -> None:
        self.sent += size
        total = self._total if self._total is not None else 0
        self._tracker.report(self.sent, max(total, 0))

    def _finish(self) -> None:
        total = self._total if self._total is not None else self.sent
        self._tracker.report(self.sent, total, final=True)

    def __iter__(self) -> Iterator[bytes]:
        if not isinstance(self._inner, httpx.SyncByteStream):
            raise RuntimeError("a sync request body is needed for a sync clone")
        self.started = True
        if not self._tracker.enabled:
            yield from coalesce(self._inner)
            return
        self._tracker.report(0, self._total or 0)
        for chunk in coalesce(self._inner):
            yield chunk
            self._advance(len(chunk))
        self._finish()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if not isinstance(self._inner, httpx.AsyncByteStream):
            raise RuntimeError("an async request body is needed for an async clone")
        self.started = True
        if not self._tracker.enabled:
            async for chunk in coalesce_async(self._inner):
                yield chunk
            return
        self._tracker.report(0, self._total or 0)
        async for chunk in coalesce_async(self._inner):
            yield chunk
            self._advance(len(chunk))
        self._finish()
