"""`uponai-voices clone`: one voice from samples; its id and preview URL (or the Voice as JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from uponai_client.models import Voice

from .. import clone_voice
from .._clone_request import accepted_text
from ._connect import open_connection, print_json
from ._errors import OK
from ._output import UploadBar, add_secret

__all__ = ["run_clone"]


def run_clone(
    samples: list[Path],
    *,
    fields: dict[str, Any],
    base_url: str | None,
    as_json: bool,
) -> int:
    """Clone the voice; print it; 0 when it was created (errors propagate to the caller)."""
    add_secret(fields.get("impersonation_reason"))
    bar = UploadBar()
    with open_connection(base_url) as connection:
        try:
            voice = clone_voice(connection, samples=list(samples), on_progress=bar, **fields)
        finally:
            bar.stop()
    if as_json:
        print_json(voice.to_dict())
    elif not isinstance(voice, Voice):
        print(accepted_text(voice))
    else:
        preview = voice.preview_url if isinstance(voice.preview_url, str) else "(none)"
        print(f"voice id:    {voice.voice_id}")
        print(f"preview URL: {preview}")
    return OK
