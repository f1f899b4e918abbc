"""`uponai-voices clone`: one voice from samples; its id and preview URL (or the Voice as JSON).

Interrupted (Ctrl-C, SIGTERM, SIGHUP), it says what it knows before exiting: nothing was sent,
the upload stopped before its end (no voice), the whole request went out without a readable
answer (the voice may exist), or the voice was created (its id).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from uponai_client.models import Voice

from .._clone import clone_voice_async_tracked
from .._clone_request import accepted_text
from .._generated import CloneResult
from .._progress import UploadState
from ._connect import open_connection, print_json
from ._errors import INTERRUPTED, OK
from ._explain import Explained
from ._output import UploadBar, add_secret, shown
from ._signals import Stops, stop_like_ctrl_c

__all__ = ["run_clone"]


def _what_is_known(state: UploadState, name: object) -> str:
    if state.possibly_created:
        return (
            "interrupted after the whole request was sent, before a readable answer: the voice "
            f"may exist. Check the workspace's voices for {shown(name)!r} before cloning it again."
        )
    if state.read_status is not None and not 200 <= state.read_status < 300:
        return f"interrupted after the server refused it (HTTP {state.read_status}): no voice."
    if state.started:
        return "interrupted during the upload, before its end: no voice was created."
    return "interrupted before the upload started: no voice was created."


def _print_voice(voice: CloneResult, as_json: bool) -> None:
    if as_json:
        print_json(voice.to_dict())
    elif not isinstance(voice, Voice):
        print(shown(accepted_text(voice)))
    else:
        preview = voice.preview_url if isinstance(voice.preview_url, str) else "(none)"
        print(f"voice id:    {shown(voice.voice_id)}")
        print(f"preview URL: {shown(preview)}")


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
    state = UploadState()
    stops = Stops()
    voice: CloneResult | None = None
    with open_connection(base_url) as connection:
        try:
            with stop_like_ctrl_c(stops):
                voice = asyncio.run(
                    clone_voice_async_tracked(
                        connection, state, samples=list(samples), fields=fields, on_progress=bar
                    )
                )
                bar.stop()
                _print_voice(voice, as_json)
        except KeyboardInterrupt:
            bar.stop()
            status = stops.exit_status(INTERRUPTED)
            if voice is not None:
                created = voice.voice_id if isinstance(voice, Voice) else "(accepted)"
                known = f"interrupted: the voice was created: voice id {shown(created)}"
                if not as_json:
                    print(known)
            else:
                known = _what_is_known(state, fields.get("name"))
                print(known, file=sys.stderr)
            if as_json:
                print_json(Explained("Interrupted", known, status).to_json())
            return status
        finally:
            bar.stop()
    return OK
