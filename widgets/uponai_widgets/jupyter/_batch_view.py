"""`BatchProgressView`: the notebook display of a batch (jobs done / failed / bytes, then a table).

`clone_voices` shows one automatically inside a Jupyter kernel when no ``on_progress`` is
given. It holds counts and the result table only: no token, no audio.
"""

from __future__ import annotations

import html
import importlib
from typing import Any

import ipywidgets  # type: ignore[import-untyped]  # ipywidgets ships no type information

from .._sizes import format_size
from ..batch._result import BatchResult
from ._batch_html import summary_html
from ._samples_html import count_text

__all__ = ["BatchProgressView", "counts_text", "show_batch_progress"]


def counts_text(done: int, failed: int, total: int, bytes_sent: int) -> str:
    """``3 / 10 jobs done, 1 failed, 96.0 KiB sent`` (``0 / 1 job done`` for one job)."""
    return (
        f"{done} / {count_text(total, 'job')} done, {failed} failed, {format_size(bytes_sent)} sent"
    )


class BatchProgressView(ipywidgets.VBox):  # type: ignore[misc]  # ipywidgets.VBox is untyped (Any)
    """A progress bar of jobs, a line of counts, and the summary table once the batch ends."""

    def __init__(self, total: int, **kwargs: Any) -> None:
        self.bar = ipywidgets.IntProgress(
            value=0, min=0, max=max(total, 1), description="Cloning", bar_style="info"
        )
        self.counts = ipywidgets.HTML(value=html.escape(counts_text(0, 0, total, 0)))
        self.summary = ipywidgets.HTML(value="")
        super().__init__(children=[self.bar, self.counts, self.summary], **kwargs)
        self.add_class("uponai-batch-view")

    def update(self, done: int, failed: int, total: int, bytes_sent: int) -> None:
        """Show the current counts."""
        self.bar.max = max(total, 1)
        self.bar.value = min(done, total)
        if failed:
            self.bar.bar_style = "warning"
        self.counts.value = html.escape(counts_text(done, failed, total, bytes_sent))

    def finish(self, result: BatchResult) -> None:
        """Colour the bar by outcome and show the summary table."""
        counts = result.counts()
        if result.interrupted or counts["cancelled"]:
            self.bar.bar_style = "danger"
            self.bar.description = "Interrupted"
        elif counts["failed"]:
            self.bar.bar_style = "warning"
            self.bar.description = "Done"
        else:
            self.bar.bar_style = "success"
            self.bar.description = "Done"
        self.summary.value = summary_html(result)


def show_batch_progress(total: int) -> BatchProgressView:
    """Create a `BatchProgressView` and display it in the current cell's output."""
    display = importlib.import_module("IPython.display").display
    view = BatchProgressView(total)
    display(view)
    return view
