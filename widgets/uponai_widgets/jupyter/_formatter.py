"""Rich notebook display of `uponai_client.models.Voice` through an IPython HTML formatter.

The generated class is never patched: the formatter is registered by type name on the running
IPython shell, so ``voice`` as the last expression of a cell renders as a voice card. Importing
this module does not import ipywidgets.
"""

from __future__ import annotations

from typing import Any

from ._card_html import voice_card_html

_VOICE_MODULE = "uponai_client.models.voice"
_VOICE_CLASS = "Voice"


def voice_html(voice: Any) -> str:
    """HTML for a `Voice` in notebook output: the card wrapped in a ``uponai-card`` block."""
    return f'<div class="uponai-card">{voice_card_html(voice)}</div>'


def register_voice_formatter(shell: Any = None) -> bool:
    """Register the `Voice` HTML formatter on ``shell`` (default: the running IPython).

    Returns True when registered, False when no IPython shell is running (plain scripts).
    Registering twice is harmless.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython is part of the jupyter extra
            return False
        shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type_by_name(_VOICE_MODULE, _VOICE_CLASS, voice_html)
    return True


def load_ipython_extension(shell: Any) -> None:
    """Entry point for ``%load_ext uponai_widgets._display``."""
    register_voice_formatter(shell)
