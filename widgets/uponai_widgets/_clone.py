"""`clone_voice` / `clone_voice_async`: the only module that talks to `uponai_client.api`.

The generated operation builds each request (`_get_kwargs` from a `CloneVoiceBody` of `File`s)
and parses the 201 (`_build_response`); the generated client's httpx client carries it. This
module adds validation, streaming readers, progress, typed errors and safe retries.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO, cast

import httpx

from uponai_client import AuthenticatedClient
from uponai_client.api.voices import clone_voice as _operation
from uponai_client.models import CloneVoiceBody, CloneVoiceXActorType, Voice
from uponai_client.types import UNSET, File, Unset

from ._connection import Connection, as_connection, effective_timeout, resolve_timeout, user_agent
from ._errors import RateLimitError, ServerError, error_from_response
from ._failures import Attempt, Failure, send_failure, unread_body, unreadable_2xx
from ._progress import ProgressCallback, ProgressStream, ProgressTracker, UploadState
from ._samples import SampleReader
from ._validation import check_request

__all__ = ["clone_voice", "clone_voice_async", "clone_voice_async_tracked"]


logger = logging.getLogger("uponai_widgets")

_ALWAYS_RETRIED_STATUSES = (429, 503)


@dataclass(repr=False)
class _Plan:
    """A validated request, ready to be sent as many times as the retry policy allows.

    No repr: it holds the impersonation reason and the token (verbose tracebacks show locals).
    """

    connection: Connection
    body_fields: tuple[int, str, str]
    actor_type: CloneVoiceXActorType | Unset
    provider_id: int | Unset
    tenant_id: int | Unset
    impersonation_reason: str | Unset
    readers: list[SampleReader]
    timeout: httpx.Timeout | None
    tracker: ProgressTracker
    secrets: tuple[str, ...]
    state: UploadState

    def close(self) -> None:
        for reader in self.readers:
            reader.close()

    @property
    def attempt(self) -> Attempt:
        """What failure classification needs (the state is this call's)."""
        return Attempt(
            host=self.connection.base_url,
            secrets=self.secrets,
            state=self.state,
            readers=self.readers,
            unsafe_retries=self.connection.retry.retry_after_body_sent,
        )


def _plan(
    connection: Connection | AuthenticatedClient,
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
) -> _Plan:
    conn = as_connection(connection)
    call_timeout = resolve_timeout(timeout)
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
    return _Plan(
        connection=conn,
        body_fields=(int(workspace_id), provider.strip(), name.strip()),
        actor_type=CloneVoiceXActorType(str(actor_type)) if actor_type else UNSET,
        provider_id=int(provider_id) if provider_id is not None else UNSET,
        tenant_id=int(tenant_id) if tenant_id is not None else UNSET,
        impersonation_reason=impersonation_reason.strip() if impersonation_reason else UNSET,
        readers=readers,
        timeout=call_timeout or conn.timeout,
        tracker=ProgressTracker(on_progress),
        secrets=tuple(
            s for s in (conn.client.token, impersonation_reason) if isinstance(s, str) and s
        ),
        state=UploadState(),
    )


def _request(plan: _Plan, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
    """A fresh request for one attempt, every sample rewound to its first byte."""
    workspace_id, provider, name = plan.body_fields
    for reader in plan.readers:
        reader.seek(0)
    body = CloneVoiceBody(
        workspace_id=workspace_id,
        voice_provider=provider,
        voice_name=name,
        files=[
            File(payload=cast(BinaryIO, r), file_name=r.filename, mime_type=r.mime)
            for r in plan.readers
        ],
    )
    kwargs = _operation._get_kwargs(
        body=body,
        x_actor_type=plan.actor_type,
        x_provider_id=plan.provider_id,
        x_tenant_id=plan.tenant_id,
        x_impersonation_reason=plan.impersonation_reason,
    )
    kwargs["headers"]["User-Agent"] = user_agent()
    timeout = effective_timeout(None, plan.timeout, http.timeout)
    request = http.build_request(**kwargs, timeout=timeout)
    length = request.headers.get("Content-Length")
    plan.state.new_attempt()
    request.stream = ProgressStream(
        request.stream, int(length) if length is not None else None, plan.tracker, plan.state
    )
    return request


def _outcome(plan: _Plan, response: httpx.Response) -> Voice | Failure:
    """The cloned voice, or the failure a (fully read) response means."""
    policy = plan.connection.retry
    status = response.status_code
    if 200 <= status < 300:
        if status != 201:
            return unreadable_2xx(plan.attempt, status, "the API answers 201 with a voice")
        try:
            voice = _operation._build_response(client=plan.connection.client, response=response)
        except Exception as exc:  # any parse failure (RecursionError too): the voice may exist
            return unreadable_2xx(plan.attempt, status, f"{type(exc).__name__}, not a voice")
        if not isinstance(voice.parsed, Voice):
            return unreadable_2xx(plan.attempt, status, "no voice in it")
        return voice.parsed
    retry_after = policy.retry_after(response.headers)
    error = error_from_response(response, secrets=plan.secrets, retry_after=retry_after)
    retryable = status in _ALWAYS_RETRIED_STATUSES or (
        status >= 500 and policy.retry_after_body_sent
    )
    return Failure(error, retryable, response.headers)


def _sync_attempt(plan: _Plan, http: httpx.Client) -> Voice | Failure:
    request = _request(plan, http)
    logger.debug("clone_voice: sending %d samples", len(plan.readers))
    try:
        response = http.send(request, stream=True)
    except Exception as exc:  # every failure becomes a typed error (the cause is kept)
        return send_failure(plan.attempt, exc)
    plan.state.answered = True
    try:
        response.read()
    except Exception as exc:
        return unread_body(plan.attempt, response, exc)
    finally:
        response.close()
    return _outcome(plan, response)


async def _async_attempt(plan: _Plan, http: httpx.AsyncClient) -> Voice | Failure:
    request = _request(plan, http)
    logger.debug("clone_voice_async: sending %d samples", len(plan.readers))
    try:
        response = await http.send(request, stream=True)
    except Exception as exc:  # every failure becomes a typed error (the cause is kept)
        return send_failure(plan.attempt, exc)
    plan.state.answered = True
    try:
        await response.aread()
    except Exception as exc:
        return unread_body(plan.attempt, response, exc)
    finally:
        await response.aclose()
    return _outcome(plan, response)


def _next_delay(plan: _Plan, failure: Failure, retry_number: int) -> float | None:
    """Seconds to wait before retrying, or None when the failure must be raised."""
    policy = plan.connection.retry
    if not failure.retryable or retry_number > policy.max_retries:
        return None
    stuck = [reader.label for reader in plan.readers if not reader.can_rewind()]
    if stuck:
        failure.error.message += (
            f" Not retried: sample {stuck[0]!r} is a stream that cannot be rewound "
            "(pass a path, bytes or a seekable file to allow retries)."
        )
        return None
    delay = policy.delay(retry_number, failure.headers)
    if isinstance(failure.error, RateLimitError | ServerError) and failure.error.status:
        reason = f"HTTP {failure.error.status}"
    else:
        reason = type(failure.error).__name__
    logger.info(
        "clone_voice: retry %d of %d in %.2f s after %s",
        retry_number,
        policy.max_retries,
        delay,
        reason,
    )
    return delay


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
    plan = _plan(
        connection,
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
    http = plan.connection.client.get_httpx_client()
    try:
        retry_number = 0
        while True:
            result = _sync_attempt(plan, http)
            if isinstance(result, Voice):
                return result
            retry_number += 1
            delay = _next_delay(plan, result, retry_number)
            if delay is None:
                break
            plan.connection.retry.sleep(delay)
    finally:
        plan.close()
    raise result.error


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
    plan = _plan(
        connection,
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
    plan.state = state
    http = plan.connection.client.get_async_httpx_client()
    try:
        retry_number = 0
        while True:
            result = await _async_attempt(plan, http)
            if isinstance(result, Voice):
                return result
            retry_number += 1
            delay = _next_delay(plan, result, retry_number)
            if delay is None:
                break
            await plan.connection.retry.wait_async(delay)
    finally:
        plan.close()
    raise result.error
