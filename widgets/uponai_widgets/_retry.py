"""When to retry a clone, and how long to wait first (Retry-After and jittered backoff)."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

__all__ = ["RetryPolicy"]


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How a `Connection` retries a clone request.

    Always retried (up to `max_retries` times): a connection failure before any byte of the body
    was sent, 429 and 503. Retried only with `retry_after_body_sent=True`: other 5xx answers, and
    timeouts or dropped connections after the upload started (the voice may then exist twice).
    The wait honours `Retry-After` (seconds or HTTP date) and `retry-after-ms`, capped at
    `retry_after_max`; otherwise it is an exponential backoff from `backoff_initial`, capped at
    `backoff_max`, with jitter. `sleep`, `async_sleep`, `clock` (epoch seconds) and `random`
    (a float in [0, 1)) can be replaced, for example in tests.
    """

    max_retries: int = 2
    retry_after_body_sent: bool = False
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    retry_after_max: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    async_sleep: Callable[[float], Awaitable[None]] | None = None
    clock: Callable[[], float] = time.time
    random: Callable[[], float] = random.random

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")

    def retry_after(self, headers: Mapping[str, str]) -> float | None:
        """The delay the server asked for, in seconds, or None when it asked for none."""
        lowered = {key.lower(): value for key, value in headers.items()}
        milliseconds = lowered.get("retry-after-ms")
        if milliseconds is not None:
            try:
                return max(0.0, float(milliseconds) / 1000.0)
            except ValueError:
                pass
        value = lowered.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - self.clock())

    def backoff(self, retry_number: int) -> float:
        """Exponential backoff for the given retry (1 for the first), jittered to 50-100 %."""
        base = min(self.backoff_max, self.backoff_initial * 2.0 ** max(0, retry_number - 1))
        return base * (0.5 + 0.5 * self.random())

    def delay(self, retry_number: int, headers: Mapping[str, str] | None) -> float:
        """Seconds to wait before the given retry: the server's capped request, else backoff."""
        requested = self.retry_after(headers) if headers is not None else None
        if requested is not None:
            return min(requested, self.retry_after_max)
        return self.backoff(retry_number)

    async def wait_async(self, seconds: float) -> None:
        """Sleep without blocking the event loop."""
        if self.async_sleep is not None:
            await self.async_sleep(seconds)
            return
        import asyncio  # imported here: script users never pay for asyncio

        await asyncio.sleep(seconds)
