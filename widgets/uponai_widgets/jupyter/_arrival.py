"""Waiting, after a click on Clone, for the chosen files that are still arriving in the kernel.

The set of samples is frozen at the click (`SampleRef` list); `wait_for_arrival` returns once
every one of them has arrived, or with the reason one of them never will (it failed or was
removed). Files chosen after the click are not part of the set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from ._sample_list import SampleList, SampleRef

__all__ = ["arrival_text", "wait_for_arrival"]

#: How often the waiting clone looks at the store (comm messages arrive in between).
POLL_S = 0.1


def arrival_text(samples: SampleList, refs: Sequence[SampleRef]) -> str:
    """``waiting for ada_long.wav (35 %)`` for the first file of `refs` still arriving."""
    arriving = [ref for ref in refs if samples.state(ref) == "receiving"]
    if not arriving:
        return ""
    stored = samples.stored(arriving[0])
    if stored is None:
        return ""
    percent = int(100 * stored.received / stored.size) if stored.size else 0
    more = len(arriving) - 1
    tail = f" and {more} more file{'s' if more > 1 else ''}" if more else ""
    return f"waiting for {stored.name} ({percent} %){tail}"


def failure(samples: SampleList, refs: Sequence[SampleRef]) -> str | None:
    """Why a file of the frozen set cannot arrive (None while all can)."""
    for ref in refs:
        state = samples.state(ref)
        if state == "failed":
            stored = samples.stored(ref)
            assert stored is not None
            return f"{stored.name} did not arrive: {stored.error}"
        if state == "removed":
            return "a chosen file was removed before it arrived"
    return None


async def wait_for_arrival(
    samples: SampleList, refs: Sequence[SampleRef], on_wait: Callable[[str], None]
) -> str | None:
    """Wait until every sample of `refs` has arrived; returns None, or why one cannot."""
    while True:
        reason = failure(samples, refs)
        if reason is not None:
            return reason
        text = arrival_text(samples, refs)
        if not text:
            return None
        on_wait(text)
        await asyncio.sleep(POLL_S)
