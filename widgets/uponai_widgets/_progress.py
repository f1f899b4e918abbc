"""Progress reports as httpx pulls the request body, and whether any body byte left."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx

__all__ = ["ProgressCallback", "ProgressStream", "ProgressTracker"]

ProgressCallback = Callable[[int, int], None]


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
            yield from self._inner
            return
        self._tracker.report(0, self._total or 0)
        for chunk in self._inner:
            yield chunk
            self._advance(len(chunk))
        self._finish()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if not isinstance(self._inner, httpx.AsyncByteStream):
            raise RuntimeError("an async request body is needed for an async clone")
        self.started = True
        if not self._tracker.enabled:
            async for chunk in self._inner:
                yield chunk
            return
        self._tracker.report(0, self._total or 0)
        async for chunk in self._inner:
            yield chunk
            self._advance(len(chunk))
        self._finish()
