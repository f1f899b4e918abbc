"""Progress reports as httpx pulls the request body, and how far the body got.

`ProgressStream` also records, for each attempt, whether the body started and whether its last
byte may have reached the server (`UploadState`): the line between a failure that cannot have
created a voice and an unknown outcome.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import httpx

from ._coalesce import PullGate, coalesce, coalesce_async
from ._early_answer import AnswerWatch

__all__ = ["ProgressCallback", "ProgressStream", "ProgressTracker", "Throttle", "UploadState"]

ProgressCallback = Callable[[int, int], None]


class Throttle:
    """Decides which progress values are worth showing: at most about `steps` per total, and
    (with `min_interval_s`) at most one per that many seconds.

    `due(value, total)` is True for the first value, a value at or past the total, a value that
    went backwards (a new upload), and a value at least 1/`steps` of the total past the last
    shown one once `min_interval_s` has passed since it; it then remembers the value. A caller
    that wants the latest value shown even when no report follows it shows it after `wait_s()`
    (and `mark`s it). Used by `clone_voice`'s reports and the widget.
    """

    def __init__(
        self,
        steps: int = 200,
        min_interval_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.steps = steps
        self.min_interval_s = min_interval_s
        self._clock = clock
        self.last = -1
        self._shown_at = -math.inf

    def due(self, value: int, total: int) -> bool:
        """True when `value` should be shown (and it is remembered as the last one shown)."""
        step = max(1, total // self.steps)
        edge = self.last < 0 or value >= total or value < self.last
        if edge or (value - self.last >= step and self.wait_s() <= 0):
            self.mark(value)
            return True
        return False

    def wait_s(self) -> float:
        """Seconds until the interval since the last shown value has passed (0 when it has)."""
        return max(0.0, self._shown_at + self.min_interval_s - self._clock())

    def mark(self, value: int) -> None:
        """Remember `value` as shown now."""
        self.last = value
        self._shown_at = self._clock()


@dataclass
class UploadState:
    """How far the current attempt's body got, and whether an earlier attempt may have created.

    started: the transport pulled the first body chunk.
    may_be_complete: the last body byte was handed to the transport (the server may have the
        whole request); stays True until the attempt's answer arrives.
    answered: a response status line arrived for the current attempt.
    read_status: the status of the current attempt's answer once it was read whole (a status
        line alone is not a readable answer), else None.
    unknown_before: an earlier attempt of this call ended with an unknown outcome.
    """

    started: bool = False
    may_be_complete: bool = False
    answered: bool = False
    read_status: int | None = None
    unknown_before: bool = False

    def new_attempt(self) -> None:
        """Reset the per-attempt flags (an unknown earlier attempt is remembered)."""
        self.started = self.may_be_complete = self.answered = False
        self.read_status = None

    @property
    def possibly_created(self) -> bool:
        """True when a voice may exist without the caller having heard of it: the whole request
        went out and no readable answer says it failed (a 2xx read but not yet handed over
        counts as created)."""
        if self.unknown_before:
            return True
        status = self.read_status
        return self.may_be_complete and (status is None or 200 <= status < 300)


class ProgressTracker:
    """Calls `on_progress(sent, total)` monotonically across attempts, ending at the total.

    A retry resends the body from its start; reports resume once it passes the furthest point
    already reported, so a progress bar never moves backwards. Reports are at least 1/`steps`
    of the total apart (the final one always comes), so a widget is not flooded.
    """

    def __init__(self, on_progress: ProgressCallback | None, steps: int = 200) -> None:
        self._on_progress = on_progress
        self.enabled = on_progress is not None
        self._throttle = Throttle(steps)

    def report(self, sent: int, total: int, *, final: bool = False) -> None:
        """Forward `(sent, total)` unless it goes backwards or is too close to the last one."""
        if self._on_progress is None or sent <= self._throttle.last:
            return
        if final:
            self._throttle.last = sent
        elif not self._throttle.due(sent, total):
            return
        self._on_progress(sent, total)


class ProgressStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Wraps a request body stream; counts each chunk once the transport asks for the next.

    `state.started` becomes True when the transport pulls the first chunk (from then on the
    server may have received part of the body); `state.may_be_complete` just before the chunk
    holding the last byte is handed over (with an unknown length: when the body ends). With a
    `watch`, an answer that arrives before the body's end stops the body (`AnswerWatch`). An
    async body asks `before_pull` before each piece it takes from `inner` (a sample still
    arriving: `landing_wait`).
    """

    def __init__(
        self,
        inner: httpx.SyncByteStream | httpx.AsyncByteStream,
        total: int | None,
        tracker: ProgressTracker,
        state: UploadState | None = None,
        watch: AnswerWatch | None = None,
        before_pull: PullGate | None = None,
    ) -> None:
        self._inner = inner
        self._before_pull = before_pull
        self._watch = watch
        self._total = total
        self._tracker = tracker
        self.state = state or UploadState()
        self.handed = 0
        self.sent = 0

    @property
    def started(self) -> bool:
        """True once the transport pulled the first body chunk."""
        return self.state.started

    def _hand(self, chunk: bytes) -> None:
        self.handed += len(chunk)
        if self._total is not None and self.handed >= self._total:
            self.state.may_be_complete = True

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
        self.state.started = True
        if self._tracker.enabled:
            self._tracker.report(0, self._total or 0)
        for chunk in coalesce(self._inner):
            if self._watch is not None:
                self._watch.check()
            self._hand(chunk)
            yield chunk
            if self._tracker.enabled:
                self._advance(len(chunk))
        self.state.may_be_complete = True
        if self._tracker.enabled:
            self._finish()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if not isinstance(self._inner, httpx.AsyncByteStream):
            raise RuntimeError("an async request body is needed for an async clone")
        self.state.started = True
        if self._tracker.enabled:
            self._tracker.report(0, self._total or 0)
        async for chunk in coalesce_async(self._inner, self._before_pull):
            if self._watch is not None:
                await self._watch.check_async()
            self._hand(chunk)
            yield chunk
            if self._tracker.enabled:
                self._advance(len(chunk))
        self.state.may_be_complete = True
        if self._tracker.enabled:
            self._finish()
