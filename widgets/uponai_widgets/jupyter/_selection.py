"""`Selection`: the samples a click on Clone sends, frozen at the click.

Files chosen after the click belong to the next clone. The selection waits for its files still
arriving in the kernel, then (with Prepare samples on) for their preparations, and says what is
sent: the samples, their `SampleInfo`, or the reasons some cannot be sent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ._arrival import wait_for_arrival
from ._prepared_set import prepared_set
from ._sample_list import SampleList
from ._sample_sources import SampleRef
from ._samples_html import SampleInfo

__all__ = ["Selection"]


@dataclasses.dataclass(frozen=True)
class Selection:
    """The samples of one clone: every chosen sample that has not failed, at the click."""

    samples: SampleList
    refs: tuple[SampleRef, ...]

    @classmethod
    def of(cls, samples: SampleList) -> Selection:
        """Freeze what `samples` holds now (arrived or still arriving; failed ones left out)."""
        return cls(samples, tuple(r for r in samples.refs() if samples.state(r) != "failed"))

    @property
    def arrived(self) -> bool:
        """True when every sample of the selection is in the kernel."""
        return all(self.samples.state(ref) == "ready" for ref in self.refs)

    async def arrive(self, on_wait: Callable[[str], None]) -> str | None:
        """Wait until every sample has arrived; None, or why one cannot."""
        return await wait_for_arrival(self.samples, self.refs, on_wait)

    async def sent(
        self, on_wait: Callable[[str], None]
    ) -> tuple[list[Any], list[SampleInfo], list[str]]:
        """(what `clone_voice` gets, their infos, problems): the prepared files while Prepare
        samples is on (waiting for them), else the arrived samples."""
        if self.samples.prepare:
            return await prepared_set(self.samples, self.refs, on_wait)
        sent = [self.samples.sample(ref) for ref in self.refs]
        return sent, [self.samples.info(ref) for ref in self.refs], []

    def discard(self) -> None:
        """Remove the selection's samples (after a clone used them); later choices stay."""
        self.samples.discard(self.refs)
