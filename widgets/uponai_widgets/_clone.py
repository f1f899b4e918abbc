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

from ._connection import UPLOAD_TIMEOUT, Connection, as_connection, resolve_timeout, user_agent
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    RateLimitError,
    ServerError,
    UponAIError,
    error_from_response,
    redact,
)
from ._progress import ProgressCallback, ProgressStream, ProgressTracker
from ._samples import SampleReader
from ._validation import inspect_request

__all__ = ["clone_voice", "clone_voice_async"]

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

    def close(self) -> None:
        for reader in self.readers:
            reader.close()


@dataclass
class _Failure:
    """A failed attempt: the error to raise, whether it may be retried, the server's headers."""

    error: UponAIError
    retryable: bool
    headers: httpx.Headers | None = None


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
    readers = inspect_request(
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
        secrets=tuple(s for s in (conn.client.token, impersonation_reason) if s),
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
    timeout = plan.timeout
    if timeout is None:
        configured = http.timeout
        unset = (configured.connect, configured.read, configured.write, configured.pool)
        timeout = configured if any(t is not None for t in unset) else UPLOAD_TIMEOUT
    request = http.build_request(**kwargs, timeout=timeout)
    length = request.headers.get("Content-Length")
    request.stream = ProgressStream(
        request.stream, int(length) if length is not None else None, plan.tracker
    )
    return request


def _outcome(plan: _Plan, response: httpx.Response) -> Voice | _Failure:
    """The cloned voice, or the failure a response means."""
    policy = plan.connection.retry
    if response.status_code == 201:
        try:
            voice = _operation._build_response(client=plan.connection.client, response=response)
        except (ValueError, KeyError, TypeError) as exc:
            message = f"The server answered 201 but not with a voice ({type(exc).__name__})."
            return _Failure(UponAIError(message, status=201), retryable=False)
        if voice.parsed is None:
            return _Failure(
                UponAIError("The server answered 201 without a voice.", status=201), False
            )
        return voice.parsed
    retry_after = policy.retry_after(response.headers)
    error = error_from_response(response, secrets=plan.secrets, retry_after=retry_after)
    status = response.status_code
    retryable = status in _ALWAYS_RETRIED_STATUSES or (
        status >= 500 and policy.retry_after_body_sent
    )
    return _Failure(error, retryable, response.headers)


def _transport_failure(plan: _Plan, exc: httpx.TransportError, body_sent: bool) -> _Failure:
    """A typed error for an httpx transport error; retryable only when no body byte left."""
    host = plan.connection.base_url
    detail = redact(f"{type(exc).__name__}: {exc}".rstrip(": "), plan.secrets)
    timeout = isinstance(exc, httpx.TimeoutException)
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.LocalProtocolError)):
        return _Failure(APIConnectionError(f"Cannot send to {host}: {detail}"), False)
    if body_sent:
        what = "timed out" if timeout else "was lost"
        message = (
            f"The connection to {host} {what} after the upload had started ({detail}); "
            "the voice may or may not exist. Check the workspace's voices before cloning again."
        )
        cls = APITimeoutError if timeout else APIConnectionError
        retryable = plan.connection.retry.retry_after_body_sent
        return _Failure(cls(message, body_sent=True), retryable)
    what = "Timed out connecting" if timeout else "Could not connect"
    cls = APITimeoutError if timeout else APIConnectionError
    return _Failure(cls(f"{what} to {host} ({detail}); nothing was uploaded."), True)


def _read_failure(plan: _Plan, exc: OSError) -> _Failure:
    """A sample could not be read while streaming (httpx maps network errors, not these)."""
    detail = redact(f"{type(exc).__name__}: {exc}", plan.secrets)
    message = f"A sample could not be read during the upload ({detail}); the upload was aborted."
    return _Failure(UponAIError(message), retryable=False)


def _next_delay(plan: _Plan, failure: _Failure, retry_number: int) -> float | None:
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
            request = _request(plan, http)
            stream = cast(ProgressStream, request.stream)
            logger.debug("clone_voice: sending %d samples", len(plan.readers))
            try:
                response = http.send(request)
            except httpx.TransportError as exc:
                result: Voice | _Failure = _transport_failure(plan, exc, stream.started)
            except OSError as exc:
                result = _read_failure(plan, exc)
            else:
                result = _outcome(plan, response)
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
    http = plan.connection.client.get_async_httpx_client()
    try:
        retry_number = 0
        while True:
            request = _request(plan, http)
            stream = cast(ProgressStream, request.stream)
            logger.debug("clone_voice_async: sending %d samples", len(plan.readers))
            try:
                response = await http.send(request)
            except httpx.TransportError as exc:
                result: Voice | _Failure = _transport_failure(plan, exc, stream.started)
            except OSError as exc:
                result = _read_failure(plan, exc)
            else:
                result = _outcome(plan, response)
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
