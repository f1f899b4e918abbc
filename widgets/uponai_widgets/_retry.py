"""`RetryPolicy`: the one place that decides whether a failed request is sent again, and when.

The rule, by what the failure can have done on the server:

    how far the request got     GET HEAD OPTIONS PUT DELETE        POST PATCH
    nothing left the client     retry                              retry
    part of the body left       retry                              fail (nothing was created)
    all of it, no answer        retry                              unknown outcome
    429, 503                    retry                              retry (refused before any work)
    408                         retry                              fail
    500, 502, 504, other 5xx    retry (500 502 504 only)           unknown if the body went out
    other statuses              fail                               fail
    a 2xx it cannot read        fail                               unknown outcome

An unknown outcome (`OutcomeUnknownError`) is never sent again: the API has no idempotency key.
`retry_after_body_sent=True` lets POST and PATCH be retried like the others, for callers that
accept a possible duplicate. A request whose body cannot be replayed is never retried.
"""

from __future__ import annotations

import email.utils
import enum
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from ._errors import Problem, ValidationError

__all__ = ["IDEMPOTENT_METHODS", "Decision", "RetryPolicy", "Sent"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Methods whose repetition has the effect of one request (RFC 9110, 9.2.2)."""

_REFUSED_BEFORE_WORK = frozenset({429, 503})
_RETRIED_WHEN_IDEMPOTENT = frozenset({408, 429, 500, 502, 503, 504})


def _may_have_been_carried_out(status: int) -> bool:
    """A 5xx other than 503 after the whole body went out: the API may have done the work and
    failed (or been cut off) before answering; a proxy answers 502 / 504 when it lost the
    upstream's answer. (429 and 503 are sent before any work.)"""
    return 500 <= status <= 599 and status not in _REFUSED_BEFORE_WORK


class Sent(enum.Enum):
    """How much of a request had left the client when its attempt failed."""

    NOTHING = "nothing"
    PART = "part"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do about one failed attempt.

    retry: send it again (after `RetryPolicy.delay`).
    unknown: it may have been carried out and no answer says so (raise `OutcomeUnknownError`).
    not_retried: why a failure that could have been retried was not (ends the error's message).
    """

    retry: bool
    unknown: bool
    not_retried: str | None = None


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How a `Connection` retries requests (the table above), and how long it waits first.

    Up to `max_retries` retries. The wait honours `Retry-After` (seconds or HTTP date) and
    `retry-after-ms`, capped at `retry_after_max`; otherwise it is an exponential backoff from
    `backoff_initial`, capped at `backoff_max`, with jitter. `sleep`, `async_sleep`, `clock`
    (epoch seconds) and `random` (a float in [0, 1)) can be replaced, for example in tests.
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
        numbers = {
            "max_retries": self.max_retries,
            "backoff_initial": self.backoff_initial,
            "backoff_max": self.backoff_max,
            "retry_after_max": self.retry_after_max,
        }
        problems = [
            Problem(None, name, f"must be {what} of 0 or more, got {value!r:.40}")
            for name, value in numbers.items()
            for what in ["a whole number" if name == "max_retries" else "a number of seconds"]
            if not _non_negative(value, whole=name == "max_retries")
        ]
        if problems:
            raise ValidationError(problems)

    def decide(
        self,
        method: str,
        *,
        sent: Sent,
        status: int | None,
        retry_number: int,
        replay_blocker: str | None = None,
    ) -> Decision:
        """The decision for a failed attempt (see the module's table).

        `status` is None when no answer arrived; `retry_number` counts from 1 for the retry
        being considered; `replay_blocker` says why the body cannot be sent again (None: it can).
        """
        idempotent = method.upper() in IDEMPOTENT_METHODS
        unknown = not idempotent and (
            (status is None and sent is Sent.ALL)
            or (status is not None and 200 <= status < 300)
            or (status is not None and _may_have_been_carried_out(status) and sent is Sent.ALL)
        )
        repeatable = idempotent or self.retry_after_body_sent
        if status is None:
            may = sent is Sent.NOTHING or repeatable
        elif 200 <= status < 300:
            may = False
        else:
            may = status in _REFUSED_BEFORE_WORK or (
                repeatable and status in _RETRIED_WHEN_IDEMPOTENT
            )
        if not may:
            return Decision(retry=False, unknown=unknown)
        if retry_number > self.max_retries:
            return Decision(retry=False, unknown=unknown)
        if replay_blocker is not None:
            return Decision(
                retry=False, unknown=unknown, not_retried=f"Not retried: {replay_blocker}."
            )
        return Decision(retry=True, unknown=unknown)

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


def _non_negative(value: object, *, whole: bool) -> bool:
    """A finite number of 0 or more (an int when `whole`), never a bool."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return 0 <= value < math.inf and (isinstance(value, int) or not whole)
