"""`UploadBar`: the clone widget's upload progress, a bar and a ``sent / total`` label.

The upload reports every few hundred KiB; the bar moves at most every `PROGRESS_INTERVAL_S`
(each move is a message to the page and a redraw there), and the latest value is shown once the
interval has passed even when no report follows it (a stalled upload's bar says how far it got).
"""

from __future__ import annotations

import asyncio
import contextlib

import ipywidgets  # type: ignore[import-untyped]  # ipywidgets ships no type information

from .._progress import Throttle
from .._sizes import format_size

__all__ = ["PROGRESS_INTERVAL_S", "UploadBar"]

#: The bar moves at most this often: 200 moves in a few seconds took the page 1.5-2 s of CPU
#: beside the upload.
PROGRESS_INTERVAL_S = 0.2


class UploadBar:
    """The bar (`progress`), its label (`label`) and the throttle between reports and moves."""

    def __init__(self) -> None:
        """An empty bar."""
        self.progress = ipywidgets.IntProgress(value=0, min=0, max=1, description="Upload")
        self.progress.add_class("uponai-progress")
        self.label = ipywidgets.Label("")
        self._throttle = Throttle(min_interval_s=PROGRESS_INTERVAL_S)
        self._unshown: tuple[int, int] | None = None
        self._flush: asyncio.TimerHandle | None = None

    def reset(self) -> None:
        """Back to empty, for a new clone."""
        self._throttle = Throttle(min_interval_s=PROGRESS_INTERVAL_S)
        self._unshown = None
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        self.progress.value = 0
        self.progress.max = 1
        self.label.value = ""

    def start(self, total: int) -> None:
        """An upload of `total` bytes begins."""
        self.progress.max = max(total, 1)
        self.label.value = f"0 B / {format_size(total)}"

    def report(self, sent: int, total: int) -> None:
        """`clone_voice`'s ``on_progress``: `sent` of `total` bytes are out."""
        total = max(total, 1)
        if self.progress.max != total:
            self.progress.max = total
        if self._throttle.due(sent, total):
            self._unshown = None
            self._show(sent, total)
            return
        self._unshown = (sent, total)
        if self._flush is None:
            with contextlib.suppress(RuntimeError):  # no loop: the final report still comes
                loop = asyncio.get_running_loop()
                self._flush = loop.call_later(self._throttle.wait_s(), self._show_unshown)

    def _show_unshown(self) -> None:
        self._flush = None
        unshown, self._unshown = self._unshown, None
        if unshown is not None and unshown[0] > self._throttle.last:
            self._throttle.mark(unshown[0])
            self._show(*unshown)

    def _show(self, sent: int, total: int) -> None:
        self.progress.value = min(sent, total)
        self.label.value = f"{format_size(sent)} / {format_size(total)}"
