"""`clone_voice` / `clone_voice_async`: one user of the request runtime.

The generated operation builds each request and parses the 201 (through the adapter); the
runtime sends it with the connection's retry rule and typed errors. This module adds what a
clone needs on top: validation before anything is sent, samples streamed from disk and
rewound for a retry, upload progress, and the wording of an unknown outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import BinaryIO, cast

import httpx

from uponai_client import AuthenticatedClient
from uponai_client.api.voices import clone_voice as _operation
from uponai_client.models import CloneVoiceBody, CloneVoiceXActorType, Voice
from uponai_client.types import UNSET, File

from . import _generated
from ._connection import Connection, as_connection, effective_timeout
from ._errors import SampleStreamError, UponAIError, redact
from ._progress import ProgressCallback, ProgressTracker, UploadState
from ._runtime import CLONE_WORDING, Exchange, send, send_async
from ._samples import SampleReader
from ._validation import check_request

__all__ = ["clone_voice", "clone_voice_async", "clone_voice_async_tracked"]


def _replay_blocker(readers: list[SampleReader]) -> str | None:
    stuck = next((reader.label for reader in readers if not reader.can_rewind()), None)
    if stuck is None:
        return None
    return (
        f"sample {stuck!r} is a stream that cannot be rewound "
        "(pass a path, bytes or a seekable file to allow retries)"
    )


def _stream_failure(
    readers: list[SampleReader], secrets: tuple[str, ...], exc: OSError
) -> UponAIError:
    detail = redact(f"{type(exc).__name__}: {exc}".rstrip(": "), secrets)[:500]
    stuck = next((reader.label for reader in readers if reader.reading), None)
    which = f"Sample {stuck!r}" if stuck else "A sample"
    return SampleStreamError(
        f"{which} could not be read during the upload ({detail}); the upload was stopped "
        "before its end, so no voice was created."
    )


def _parse_voice(response: httpx.Response) -> Voice:
    voice = _generated.parse_success(_operation, response)
    if not isinstance(voice, Voice):
        raise TypeError("no voice in it")
    return voice


def _exchange(
    connection: Connection | AuthenticatedClient,
    state: UploadState,
    name: str,
    provider: str,
    workspace_id: int,
    samples: Sequence[object],
    actor_type: CloneVoiceXActorType | str | None,
    provider_id: int | None,
    tenant_id: int | None,
    impersonation_reason: str | None,
    on_progress: ProgressCallback | None,
    timeout: float | httpx.Timeout | None,
) -> tuple[Exchange[Voice], list[SampleReader]]:
    """The validated clone request (nothing is sent when the input is bad) and its readers."""
    conn = as_connection(connection)
    call_timeout = effective_timeout(timeout, conn.timeout, upload=True)
    readers = check_request(
        name=name,
        provider=provider,
        workspace_id=workspace_id,
        samples=samples,
        actor_type=actor_type,
        impersonation_reason=impersonation_reason,
        provider_id=provider_id,
        tenant_id=tenant_id,
        limits=conn.limits,
    )
    headers = {
        "x_actor_type": CloneVoiceXActorType(str(actor_type)) if actor_type else UNSET,
        "x_provider_id": int(provider_id) if provider_id is not None else UNSET,
        "x_tenant_id": int(tenant_id) if tenant_id is not None else UNSET,
        "x_impersonation_reason": impersonation_reason.strip() if impersonation_reason else UNSET,
    }
    fields = (int(workspace_id), provider.strip(), name.strip())
    secrets = tuple(
        s for s in (conn.client.token, impersonation_reason) if isinstance(s, str) and s
    )

    def build() -> dict[str, object]:
        for reader in readers:
            reader.seek(0)
        body = CloneVoiceBody(
            workspace_id=fields[0],
            voice_provider=fields[1],
            voice_name=fields[2],
            files=[
                File(payload=cast(BinaryIO, r), file_name=r.filename, mime_type=r.mime)
                for r in readers
            ],
        )
        return _generated.build_arguments(_operation, {"body": body, **headers})

    exchange = Exchange(
        connection=conn,
        label="clone_voice",
        method="POST",
        build=build,
        parse=_parse_voice,
        timeout=call_timeout,
        secrets=secrets,
        wording=CLONE_WORDING,
        state=state,
        tracker=ProgressTracker(on_progress),
        replay_blocker=lambda: _replay_blocker(readers),
        stream_failure=lambda exc: _stream_failure(readers, secrets, exc),
    )
    return exchange, readers


def _close(readers: list[SampleReader]) -> None:
    for reader in readers:
        reader.close()


def clone_voice(
    connection: Connection | AuthenticatedClient,
    *,
    name: str,
    provider: str,
    workspace_id: int,
    samples: Sequence[object],
    actor_type: CloneVoiceXActorType | str | None = None,
    provider_id: int | None = None,
    tenant_id: int | None = None,
    impersonation_reason: str | None = None,
    on_progress: ProgressCallback | None = None,
    timeout: float | httpx.Timeout | None = None,
) -> Voice:
    """Clone a voice from audio samples and return the generated `Voice`.

    `samples` items may be paths, binary file objects, `bytes` / `memoryview`,
    `(filename, data, mime)` tuples or ipywidgets `FileUpload` value entries; everything is
    validated first (`ValidationError`, nothing sent) and streamed, never read whole.
    `on_progress(sent_bytes, total_bytes)` is called as the body streams. `timeout` (seconds or
    `httpx.Timeout`) applies to this call only. Raises a typed `UponAIError` on failure.
    """
    exchange, readers = _exchange(
        connection,
        UploadState(),
        name,
        provider,
        workspace_id,
        samples,
        actor_type,
        provider_id,
        tenant_id,
        impersonation_reason,
        on_progress,
        timeout,
    )
    try:
        return send(exchange)
    finally:
        _close(readers)


async def clone_voice_async(
    connection: Connection | AuthenticatedClient,
    *,
    name: str,
    provider: str,
    workspace_id: int,
    samples: Sequence[object],
    actor_type: CloneVoiceXActorType | str | None = None,
    provider_id: int | None = None,
    tenant_id: int | None = None,
    impersonation_reason: str | None = None,
    on_progress: ProgressCallback | None = None,
    timeout: float | httpx.Timeout | None = None,
) -> Voice:
    """Async `clone_voice` (same arguments); cancel its task to abort the upload cleanly."""
    return await clone_voice_async_tracked(
        connection,
        UploadState(),
        name=name,
        provider=provider,
        workspace_id=workspace_id,
        samples=samples,
        actor_type=actor_type,
        provider_id=provider_id,
        tenant_id=tenant_id,
        impersonation_reason=impersonation_reason,
        on_progress=on_progress,
        timeout=timeout,
    )


async def clone_voice_async_tracked(
    connection: Connection | AuthenticatedClient,
    state: UploadState,
    *,
    name: str,
    provider: str,
    workspace_id: int,
    samples: Sequence[object],
    actor_type: CloneVoiceXActorType | str | None = None,
    provider_id: int | None = None,
    tenant_id: int | None = None,
    impersonation_reason: str | None = None,
    on_progress: ProgressCallback | None = None,
    timeout: float | httpx.Timeout | None = None,
) -> Voice:
    """`clone_voice_async` that keeps `state` up to date, so a caller that cancels it knows
    whether the voice may have been created (`state.possibly_created`)."""
    exchange, readers = _exchange(
        connection,
        state,
        name,
        provider,
        workspace_id,
        samples,
        actor_type,
        provider_id,
        tenant_id,
        impersonation_reason,
        on_progress,
        timeout,
    )
    try:
        return await send_async(exchange)
    finally:
        _close(readers)
