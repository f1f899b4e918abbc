"""The voice card's HTML and its IPython formatter (no ipywidgets: cheap to import).

`voice_card_html` is the one card: the `VoiceCard` widget (`_card`) shows it, and the formatter
registered here shows it for ``display(voice)`` or a cell ending in a `Voice`. The generated class
is never patched: the formatter is registered by type name on the running IPython shell.
Every value is HTML-escaped; the audio player uses ``playbackOverrideUrl`` or else
``previewUrl`` and accepts only http(s) URLs.
"""

from __future__ import annotations

import datetime
import html
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from uponai_client.types import Unset

if TYPE_CHECKING:
    from uponai_client.models import Voice

__all__ = [
    "load_ipython_extension",
    "playable_url",
    "register_voice_formatter",
    "voice_card_html",
    "voice_html",
]

_VOICE_MODULE = "uponai_client.models.voice"
_VOICE_CLASS = "Voice"

_MISSING = '<span class="uponai-missing" style="color:#888;font-style:italic">missing</span>'

_COPY_BUTTON = (
    '<button type="button" class="uponai-copy" title="Copy voice id" '
    'style="margin-left:0.5em;font-size:0.8em" '
    'onclick="navigator.clipboard &amp;&amp; '
    'navigator.clipboard.writeText(this.previousElementSibling.textContent)">copy</button>'
)


def _present(value: Any) -> bool:
    # UNSET, None, "" and [] all count as missing.
    return not isinstance(value, Unset) and value is not None and value != "" and value != []


def _text(value: Any) -> str:
    if not _present(value):
        return _MISSING
    if isinstance(value, datetime.datetime):
        return html.escape(value.isoformat())
    if isinstance(value, list | tuple):
        return ", ".join(html.escape(str(item)) for item in value) or _MISSING
    return html.escape(str(value))


def playable_url(voice: Voice) -> str | None:
    """The URL an `<audio>` element should play: ``playbackOverrideUrl``, else ``previewUrl``.

    Only absolute http(s) URLs are returned, so a hostile value cannot become a script URL.
    """
    for candidate in (voice.playback_override_url, voice.preview_url):
        if isinstance(candidate, str) and candidate:
            scheme = urlsplit(candidate).scheme.lower()
            if scheme in ("http", "https"):
                return candidate
    return None


def voice_card_html(voice: Voice) -> str:
    """Build the card's inner HTML for ``voice``; all values escaped, missing ones marked."""
    rows = [
        ("Provider", _text(voice.provider)),
        ("Language", _text(voice.language)),
        ("Accent", _text(voice.accent)),
        ("Gender", _text(voice.gender)),
        ("Tags", _text(voice.tags)),
        ("Description", _text(voice.description)),
        ("Created", _text(voice.created_at)),
        ("Updated", _text(voice.updated_at)),
    ]
    voice_id = (
        f'<code class="uponai-voice-id" style="user-select:all">{html.escape(voice.voice_id)}</code>'
        + _COPY_BUTTON
        if _present(voice.voice_id)
        else _MISSING
    )
    body = "".join(
        f'<tr><th style="text-align:left;padding-right:1em">{label}</th><td>{value}</td></tr>'
        for label, value in rows
    )
    url = playable_url(voice)
    if url is None:
        player = f'<div class="uponai-no-audio">Audio preview: {_MISSING}</div>'
    else:
        escaped = html.escape(url, quote=True)
        player = (
            f'<audio class="uponai-audio" controls preload="metadata" src="{escaped}"></audio>'
            f'<div><a href="{escaped}" target="_blank" rel="noopener noreferrer">open audio</a></div>'
        )
    return (
        '<div class="uponai-voice" style="border:1px solid #ccc;border-radius:6px;padding:0.75em">'
        f'<div class="uponai-voice-name" style="font-size:1.2em;font-weight:bold">'
        f"{_text(voice.name)}</div>"
        f'<div style="margin:0.25em 0">Voice ID: {voice_id}</div>'
        f'<table class="uponai-voice-fields">{body}</table>'
        f"{player}</div>"
    )


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
    """Entry point for ``%load_ext uponai_widgets.jupyter._card_html``."""
    register_voice_formatter(shell)
