"""The notebook layer: widgets, views, the voice card, the IPython formatter, the chunk store.

Holds `VoiceCloneWidget`, `AudioPicker`, `VoiceRecorder`, `VoiceCard`, the batch progress view
and the HTML renderers, and the front-end code as real files (`*.js`, `*.css`) next to them.
It may import the core (`uponai_widgets._*`), `batch/`, `audio/`, ipywidgets, anywidget and
IPython; nothing below it imports it. Importing this package is cheap (no ipywidgets yet): it
registers the batch layer's notebook hooks, whose views import ipywidgets when first shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..batch._hooks import notebook_hooks

if TYPE_CHECKING:
    from ..batch._progress import ProgressSink
    from ..batch._result import BatchResult

__all__ = ["install"]


def _progress_view(total: int) -> ProgressSink | None:
    try:
        import ipywidgets  # type: ignore[import-untyped]  # noqa: F401  # only: is it installed?
    except ImportError:
        return None
    from ._batch_view import show_batch_progress

    return show_batch_progress(total)


def _summary_html(result: BatchResult) -> str:
    from ._batch_html import summary_html

    return summary_html(result)


def install(shell: Any = None) -> None:
    """Register the batch hooks and, given an IPython ``shell``, the `Voice` card formatter."""
    notebook_hooks.progress_view = _progress_view
    notebook_hooks.html_renderer = _summary_html
    if shell is not None:
        from ._card_html import register_voice_formatter

        register_voice_formatter(shell)


install()
