"""What a failed clone attempt means: the typed error, and whether it may be retried.

The line that matters is whether the server may have created the voice: after the last body
byte went out without a readable answer the outcome is unknown (`OutcomeUnknownError`, never
retried by default); a failure before that point cannot have created anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ._errors import (
    APIConnectionError,
    APITimeoutError,
    OutcomeUnknownError,
    OutcomeUnknownTimeoutError,
    SampleStreamError,
    UponAIError,
    error_from_response,
    redact,
)
from ._progress import UploadState
from ._samples import SampleReader

__all__ = ["CHECK_FIRST", "Attempt", "Failure", "send_failure", "unread_body", "unreadable_2xx"]

CHECK_FIRST = (
    "Check the workspace's voices before cloning it again: the API has no idempotency key, "
    "so a resend may create a second voice."
)


@dataclass
class Failure:
    """A failed attempt: the error to raise, whether it may be retried, the server's headers."""

    error: UponAIError
    retryable: bool
    headers: httpx.Headers | None = None


@dataclass(repr=False)
class Attempt:
    """What classifying a failure needs to know about the call (no repr: it holds secrets)."""

    host: str
    secrets: tuple[str, ...]
    state: UploadState
    readers: list[SampleReader]
    unsafe_retries: bool


def _detail(attempt: Attempt, exc: BaseException, limit: int = 500) -> str:
    return redact(f"{type(exc).__name__}: {exc}".rstrip(": "), attempt.secrets)[:limit]


def unreadable_2xx(attempt: Attempt, status: int, detail: str) -> Failure:
    """A 2xx whose voice could not be read: the voice was probably created."""
    attempt.state.unknown_before = True
    message = (
        f"The server answered {status} but its reply could not be read ({detail}); "
        f"the voice was probably created. {CHECK_FIRST}"
    )
    return Failure(OutcomeUnknownError(message, status=status), retryable=False)


def unread_body(attempt: Attempt, response: httpx.Response, exc: Exception) -> Failure:
    """The status line arrived but the body could not be read (cut off, undecodable)."""
    status = response.status_code
    detail = _detail(attempt, exc, 300)
    if 200 <= status < 300:
        return unreadable_2xx(attempt, status, detail)
    request_id = response.headers.get("x-request-id")
    empty = httpx.Response(status, headers={"x-request-id": request_id} if request_id else {})
    error = error_from_response(empty, secrets=attempt.secrets, retry_after=None)
    error.message += f" (the response body could not be read: {detail})"
    return Failure(error, retryable=False, headers=response.headers)


def _transport_failure(attempt: Attempt, exc: Exception) -> Failure:
    cls: type[APIConnectionError]
    host = attempt.host
    detail = _detail(attempt, exc)
    timeout = isinstance(exc, httpx.TimeoutException)
    state = attempt.state
    if state.may_be_complete:
        state.unknown_before = True
        what = "timed out waiting for the answer" if timeout else "was lost before the answer"
        message = (
            f"The connection to {host} {what}, after the whole request was sent ({detail}): "
            f"the voice may have been created. {CHECK_FIRST}"
        )
        unknown = OutcomeUnknownTimeoutError if timeout else OutcomeUnknownError
        return Failure(unknown(message), attempt.unsafe_retries)
    if not isinstance(exc, httpx.TransportError) or isinstance(
        exc, (httpx.UnsupportedProtocol, httpx.LocalProtocolError)
    ):
        return Failure(APIConnectionError(f"Cannot send to {host}: {detail}"), False)
    if state.started:
        what = "timed out" if timeout else "was lost"
        message = (
            f"The connection to {host} {what} during the upload, before its end ({detail}); "
            "the server cannot have created the voice from a partial request."
        )
        cls = APITimeoutError if timeout else APIConnectionError
        return Failure(cls(message, body_sent=True), attempt.unsafe_retries)
    what = "Timed out connecting" if timeout else "Could not connect"
    cls = APITimeoutError if timeout else APIConnectionError
    return Failure(cls(f"{what} to {host} ({detail}); nothing was uploaded."), True)


def _read_failure(attempt: Attempt, exc: OSError) -> Failure:
    detail = _detail(attempt, exc)
    stuck = next((r.label for r in attempt.readers if r.reading), None)
    which = f"Sample {stuck!r}" if stuck else "A sample"
    message = (
        f"{which} could not be read during the upload ({detail}); the upload was stopped "
        "before its end, so no voice was created."
    )
    return Failure(SampleStreamError(message), retryable=False)


def send_failure(attempt: Attempt, exc: Exception) -> Failure:
    """What an exception out of `send` (before a status line arrived) means."""
    if isinstance(exc, SampleStreamError):
        return Failure(exc, retryable=False)
    if isinstance(exc, OSError) and not isinstance(exc, httpx.TransportError):
        return _read_failure(attempt, exc)
    return _transport_failure(attempt, exc)
