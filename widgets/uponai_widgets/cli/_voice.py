"""`uponai-voices clone`: one voice from samples; its id and preview URL (or the Voice as JSON)."""

from __future__ import annotations

from pathlib import Path

from .. import clone_voice
from ._connect import open_connection, print_json
from ._errors import OK
from ._output import UploadBar, add_secret

__all__ = ["run_clone"]


def run_clone(
    samples: list[Path],
    *,
    name: str,
    provider: str,
    workspace_id: int,
    actor_type: str | None,
    impersonation_reason: str | None,
    provider_id: int | None,
    tenant_id: int | None,
    base_url: str | None,
    as_json: bool,
) -> int:
    """Clone the voice; print it; 0 when it was created (errors propagate to the caller)."""
    add_secret(impersonation_reason)
    bar = UploadBar()
    with open_connection(base_url) as connection:
        try:
            voice = clone_voice(
                connection,
                name=name,
                provider=provider,
                workspace_id=workspace_id,
                samples=list(samples),
                actor_type=actor_type,
                provider_id=provider_id,
                tenant_id=tenant_id,
                impersonation_reason=impersonation_reason,
                on_progress=bar,
            )
        finally:
            bar.stop()
    if as_json:
        print_json(voice.to_dict())
    else:
        preview = voice.preview_url if isinstance(voice.preview_url, str) else "(none)"
        print(f"voice id:    {voice.voice_id}")
        print(f"preview URL: {preview}")
    return OK
