"""How an interrupted batch hands over its partial table: `BatchInterrupted`, `partial_result`."""

from __future__ import annotations

import asyncio

from ._result import BatchResult

__all__ = ["BatchInterrupted", "cancelled_with", "partial_result"]


class BatchInterrupted(KeyboardInterrupt):
    """`clone_voices` was interrupted (Ctrl-C, kernel interrupt); `.result` is the partial table."""

    def __init__(self, result: BatchResult) -> None:
        whole = "" if result.interrupted else " after every job had finished"
        which = "partial" if result.interrupted else "whole"
        super().__init__(
            f"batch interrupted{whole}: {result.summary()}. The {which} table is this "
            "exception's `.result` (in IPython also `sys.last_value.result`); save it and pass "
            "it as resume= to clone the rest."
        )
        self.result = result


def cancelled_with(result: BatchResult) -> asyncio.CancelledError:
    """A plain `CancelledError` carrying the partial table as ``.result``.

    Not a subclass: asyncio (3.11's `asyncio.timeout`, `TaskGroup`) recognises cancellation by
    the exact type, so a subclass would turn a timeout into a stray cancellation.
    """
    error = asyncio.CancelledError(f"batch cancelled: {result.summary()}")
    error.result = result  # type: ignore[attr-defined]  # attached for the caller, see partial_result
    return error


def partial_result(error: BaseException) -> BatchResult | None:
    """The partial `BatchResult` an interrupted batch left on `error`, or None.

    Works for `BatchInterrupted` (sync `clone_voices`), the `asyncio.CancelledError` of a
    cancelled `clone_voices_async`, and errors caused by them, such as the `TimeoutError` of
    ``asyncio.timeout(...)`` around the batch (it follows ``__cause__`` / ``__context__``).
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        result = getattr(current, "result", None)
        if isinstance(result, BatchResult):
            return result
        current = current.__cause__ or current.__context__
    return None
