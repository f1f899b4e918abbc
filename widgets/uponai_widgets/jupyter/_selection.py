"""`Selection`: the samples a click on Clone sends, frozen at the click.

Files chosen after the click belong to the next clone. The selection says what is sent: the
samples, their `SampleInfo`, or the reasons some cannot be sent. Files still arriving in the
kernel are sent as they land (`streamed`: each an `ArrivingFile`, so the upload starts at once);
with Prepare samples on, the selection waits for them and then for their preparations (`sent`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._arriving import ArrivingFile
from ._arrival import wait_for_arrival
from ._chunk_store import StoredFile
from ._prepared_set import prepared_set
from ._sample_list import SampleList
from ._sample_sources import SampleRef
from ._samples_html import SampleInfo

__all__ = ["ArrivingSample", "Selection"]


class ArrivingSample(ArrivingFile):
    """A picked or recorded file still arriving in the kernel, as the upload reads it."""

    def __init__(self, samples: SampleList, ref: SampleRef, stored: StoredFile) -> None:
        """Follow `stored` (its path changes if its transfer starts over on the comm)."""
        self.name = stored.name
        self.size = stored.size
        self.mime = stored.mime or None
        self._samples = samples
        self._ref = ref
        self._stored = stored
        self.abandoned = False
        """Set when the clone that reads it has ended: whoever still waits for it stops."""

    def path(self) -> Path:
        """The temporary file its bytes are written to."""
        return self._stored.path

    def complete(self) -> bool:
        """True once the kernel has the whole file."""
        return self._stored.complete

    def failure(self) -> str | None:
        """Why it will not arrive (failed, removed, or its clone ended), else None."""
        if self.abandoned:
            return "the clone ended"
        state = self._samples.state(self._ref)
        if state == "failed":
            return self._stored.error or "failed"
        if state == "removed":
            return "it was removed"
        return None


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

    def streamed(self) -> tuple[list[Any], list[SampleInfo], list[ArrivingSample]]:
        """(what `clone_voice` gets, their infos, the ones still arriving) without waiting: the
        arrived samples, and an `ArrivingSample` for each file still arriving."""
        sent: list[Any] = []
        arriving: list[ArrivingSample] = []
        for ref in self.refs:
            stored = self.samples.stored(ref)
            if stored is not None and self.samples.state(ref) == "receiving":
                arriving.append(ArrivingSample(self.samples, ref, stored))
                sent.append(arriving[-1])
            else:
                sent.append(self.samples.sample(ref))
        return sent, [self.samples.info(ref) for ref in self.refs], arriving

    def discard(self) -> None:
        """Remove the selection's samples (after a clone used them); later choices stay."""
        self.samples.discard(self.refs)
