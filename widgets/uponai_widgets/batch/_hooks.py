"""Hooks the notebook layer fills in, so that batch code never imports `jupyter/`.

`uponai_widgets.jupyter` registers a progress view and an HTML table renderer here when it is
imported (inside a kernel the package does that at import time); without them a batch shows a
tqdm bar and `BatchResult` has only its text repr.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._progress import ProgressSink
    from ._result import BatchResult

__all__ = ["NotebookHooks", "notebook_hooks"]


@dataclass
class NotebookHooks:
    """What a notebook front end offers the batch layer (each None until registered)."""

    #: Creates and displays a progress view for a batch of ``total`` jobs (None: not possible).
    progress_view: Callable[[int], ProgressSink | None] | None = None
    #: Renders a `BatchResult` as an HTML table for IPython's rich display.
    html_renderer: Callable[[BatchResult], str] | None = None


notebook_hooks = NotebookHooks()
