"""`VoiceCard`: a widget showing a cloned `uponai_client.models.Voice`.

The HTML is `voice_card_html` (in `_card_html`, with the IPython formatter that shows the same
card for ``display(voice)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets  # type: ignore[import-untyped]  # ipywidgets ships no type information

from ._card_html import playable_url, voice_card_html

if TYPE_CHECKING:
    from uponai_client.models import Voice

__all__ = ["VoiceCard", "playable_url", "voice_card_html"]


class VoiceCard(ipywidgets.HTML):  # type: ignore[misc]  # ipywidgets.HTML is untyped (Any)
    """A widget showing one cloned voice: name, copyable voice id, fields and an audio player."""

    def __init__(self, voice: Voice, **kwargs: Any) -> None:
        """Render ``voice``; extra keyword arguments go to `ipywidgets.HTML`."""
        super().__init__(value=voice_card_html(voice), **kwargs)
        self.voice = voice
        self.add_class("uponai-card")
