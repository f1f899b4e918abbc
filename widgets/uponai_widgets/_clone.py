"""`clone_voice` / `clone_voice_async`: one user of the request runtime.

The generated operation builds each request and parses the 201 (through the adapter); the
runtime sends it with the connection's retry rule and typed errors. This module adds what a
clone needs on top: validation before anything is sent, samples streamed from disk and
rewound for a retry, upload progress, and the wording of an unknown outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import httpx

from uponai_client import AuthenticatedClient
from uponai_client.types import File

from . import _generated
from ._arriving import ArrivingFile, has_arriving, landing_wait
from ._clone_request import CLONE
from ._connection import Connection, as_connection, effective_timeout
from ._errors import SampleStreamError, UponAIError, redact
from ._field_rules import SECRET_FIELDS, secret_values
from ._generated import CloneResult
from ._progress import ProgressCallback, ProgressTracker, UploadState
from ._runtime import CLONE_WORDING, Exchange, send, send_async
from ._samples import SampleReader
from ._secret import Secret, wrap_secrets
from ._validation import check_request

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._generated import CloneVoiceFields

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
    readers: list[SampleReader], secrets: tuple[Secret, ...], exc: OSError
) -> UponAIError:
    detail = redact(f"{type(exc).__name__}: {exc}".rstrip(": "), secrets)[:500]
    stuck = next((reader.label for reader in readers if reader.reading), None)
    which = f"Sample {stuck!r}" if stuck else "A sample"
    return SampleStreamError(
        f"{which} could not be read during the upload ({detail}); the upload was stopped "
        "before its end, so no voice was created."
    )


def _parse_result(response: httpx.Response) -> CloneResult:
    result = _generated.parse_success(CLONE.operation, response)
    if result is None:
        raise TypeError("no body in it")
    return cast(CloneResult, result)


def _exchange(
    connection: Connection | AuthenticatedClient,
    state: UploadState,
    samples: Sequence[object],
    fields: dict[str, Any],
    on_progress: ProgressCallback | None,
    timeout: float | httpx.Timeout | None,
) -> tuple[Exchange[CloneResult], list[SampleReader]]:
    """The validated clone request (nothing is sent when the input is bad) and its readers."""
    conn = as_connection(connection)
    call_timeout = effective_timeout(timeout, conn.timeout, upload=True)
    values, readers = check_request(fields, samples, conn.limits)
    secrets = (conn.token, *secret_values(values))

    def build() -> dict[str, object]:
        for reader in readers:
            reader.seek(0)
        files = [
            File(payload=cast(BinaryIO, r), file_name=r.filename, mime_type=r.mime) for r in readers
        ]
        return _generated.build_arguments(CLONE.operation, CLONE.arguments(values, files))

    exchange = Exchange(
        connection=conn,
        label="clone_voice",
        method="POST",
        build=build,
        parse=_parse_result,
        timeout=call_timeout,
        secrets=secrets,
        wording=CLONE_WORDING,
        state=state,
        tracker=ProgressTracker(on_progress),
        replay_blocker=lambda: _replay_blocker(readers),
        stream_failure=lambda exc: _stream_failure(readers, secrets, exc),
        upload=True,
        before_pull=(lambda: landing_wait(readers)) if has_arriving(readers) else None,
    )
    return exchange, readers


def _any_arriving(samples: object) -> bool:
    return isinstance(samples, list | tuple) and any(
        isinstance(item, ArrivingFile) for item in samples
    )


def _close(readers: list[SampleReader]) -> None:
    for reader in readers:
        reader.close()


def clone_voice(
    connection: Connection | AuthenticatedClient,
    *,
    samples: Sequence[object],
    on_progress: ProgressCallback | None = None,
    timeout: float | httpx.Timeout | None = None,
    **fields: Unpack[CloneVoiceFields],
) -> CloneResult:
    """Clone a voice from audio samples and return the generated `Voice`.

    When the spec documents another success answer (a 202 "queued", say), that answer's model
    is returned instead: tell it apart with `isinstance(result, uw.Voice)`.

    `fields` are the clone request's fields as the spec has them (`name`, `provider`,
    `workspace_id`, `actor_type`, `provider_id`, `tenant_id`, `impersonation_reason` today;
    whatever a regenerated spec adds, by the same names as everywhere in the SDK).
    `samples` items may be paths, binary file objects, `bytes` / `memoryview`,
    `(filename, data, mime)` tuples or ipywidgets `FileUpload` value entries; everything is
    validated first (`ValidationError`, nothing sent) and streamed, never read whole.
    `on_progress(sent_bytes, total_bytes)` is called as the body streams. `timeout` (seconds or
    `httpx.Timeout`) applies to this call only. Raises a typed `UponAIError` on failure.
    """
    entered = cast(dict[str, Any], fields)
    wrap_secrets(entered, SECRET_FIELDS)
    exchange, readers = _exchange(connection, UploadState(), samples, entered, on_progress, timeout)
    try:
        return send(exchange)
    finally:
        _close(readers)


async def clone_voice_async(
    connection: Connection | AuthenticatedClient,
    *,
    samples: Sequence[object],
    on_progress: ProgressCallback | None = None,
    timeout: float | httpx.Timeout | None = None,
    **fields: Unpack[CloneVoiceFields],
) -> CloneResult:
    """Async `clone_voice` (same arguments); cancel its task to abort the upload cleanly."""
    wrap_secrets(cast(dict[str, Any], fields), SECRET_FIELDS)
    return await clone_voice_async_tracked(
        connection,
        UploadState(),
        samples=samples,
        on_progress=on_progress,
        timeout=timeout,
        fields=dict(fields),
    )


async def clone_voice_async_tracked(
    connection: Connection | AuthenticatedClient,
    state: UploadState,
    *,
    samples: Sequence[object],
    fields: dict[str, Any],
    on_progress: ProgressCallback | None = None,
    timeout: float | httpx.Timeout | None = None,
) -> CloneResult:
    """`clone_voice_async` that keeps `state` up to date, so a caller that cancels it knows
    whether the voice may have been created (`state.possibly_created`)."""
    wrap_secrets(fields, SECRET_FIELDS)
    arguments = (connection, state, samples, fields, on_progress, timeout)
    if _any_arriving(samples):
        # Validation waits for the bytes it reads of files still arriving: off the loop, which
        # may be what delivers them (a kernel's comm).
        exchange, readers = await asyncio.to_thread(_exchange, *arguments)
    else:
        exchange, readers = _exchange(*arguments)
    try:
        return await send_async(exchange)
    finally:
        _close(readers)


for _function in (clone_voice, clone_voice_async):
    _function.__signature__ = CLONE.signature(_function)  # type: ignore[union-attr]
