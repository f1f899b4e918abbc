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

from ._frontend import read_part

if TYPE_CHECKING:
    from uponai_client.models import Voice

__all__ = [
    "load_ipython_extension",
    "playable_url",
    "readable_time",
    "register_voice_formatter",
    "voice_card_html",
    "voice_html",
]

_VOICE_MODULE = "uponai_client.models.voice"
_VOICE_CLASS = "Voice"

# The card's one style, carried in the card itself so the widget and display(voice) match.
_STYLE = f"<style>{read_part('card.css')}</style>"

# Copies the id and says so; works in the widget and in trusted notebook output.
_COPY_BUTTON = (
    '<button type="button" class="uponai-copy" title="Copy the voice id" '
    'aria-label="Copy the voice id" '
    'onclick="const b=this;navigator.clipboard&amp;&amp;navigator.clipboard.writeText('
    "b.parentElement.querySelector('.uponai-voice-id').textContent).then("
    "()=>{b.textContent='copied';setTimeout(()=>{b.textContent='copy'},1500)})\">copy</button>"
)


def _present(value: Any) -> bool:
    # UNSET (not sent), None, "" and [] are left out of the card.
    return not isinstance(value, Unset) and value is not None and value != "" and value != []


def readable_time(value: datetime.datetime) -> str:
    """A ``<time>`` element: readable UTC text, localized in the browser by the widget."""
    moment = value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    utc = moment.astimezone(datetime.UTC)
    text = f"{utc.day} {utc:%b %Y, %H:%M} UTC"
    return (
        f'<time class="uponai-time" datetime="{html.escape(moment.isoformat(), quote=True)}">'
        f"{html.escape(text)}</time>"
    )


def _text(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return readable_time(value)
    if isinstance(value, list | tuple):
        return ", ".join(html.escape(str(item)) for item in value)
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
    """The card's HTML for ``voice``: values escaped, fields the API did not send left out."""
    fields = [
        ("Provider", voice.provider),
        ("Language", voice.language),
        ("Accent", voice.accent),
        ("Gender", voice.gender),
        ("Tags", voice.tags),
        ("Description", voice.description),
        ("Created", voice.created_at),
        ("Updated", voice.updated_at),
    ]
    body = "".join(
        f"<tr><th>{label}</th><td>{_text(value)}</td></tr>"
        for label, value in fields
        if _present(value)
    )
    table = f'<table class="uponai-voice-fields">{body}</table>' if body else ""
    voice_id = ""
    if _present(voice.voice_id):
        voice_id = (
            '<div class="uponai-voice-id-line">Voice ID '
            f'<code class="uponai-voice-id">{html.escape(str(voice.voice_id))}</code>'
            f"{_COPY_BUTTON}</div>"
        )
    url = playable_url(voice)
    player = ""
    if url is not None:
        escaped = html.escape(url, quote=True)
        player = (
            f'<audio class="uponai-audio" controls preload="metadata" src="{escaped}"></audio>'
            f'<div><a href="{escaped}" target="_blank" rel="noopener noreferrer">open audio</a></div>'
        )
    name = _text(voice.name) if _present(voice.name) else "Voice"
    return (
        f'{_STYLE}<div class="uponai-voice">'
        f'<div class="uponai-voice-name">{name}</div>'
        f"{voice_id}{table}{player}</div>"
    )


# In trusted notebook output this shows the card's times in the reader's local time.
_LOCAL_TIMES = (
    "<script>(() => { const s = document.currentScript; const r = s && s.parentElement;"
    " if (!r) return; for (const n of r.querySelectorAll('time.uponai-time')) {"
    " const d = new Date(n.getAttribute('datetime')); if (!isNaN(d)) n.textContent ="
    " d.toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'}); } })();</script>"
)


def voice_html(voice: Any) -> str:
    """HTML for a `Voice` in notebook output: the card wrapped in a ``uponai-card`` block."""
    return f'<div class="uponai-card">{voice_card_html(voice)}{_LOCAL_TIMES}</div>'


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
