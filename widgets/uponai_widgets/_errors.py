"""Typed errors raised by the cloning layer; none of them ever carries the token."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "InvalidRequestError",
    "NotFoundError",
    "OutcomeUnknownError",
    "OutcomeUnknownTimeoutError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "Problem",
    "RateLimitError",
    "SampleStreamError",
    "ServerError",
    "UnsupportedMediaError",
    "UponAIError",
    "ValidationError",
]

_REDACTED = "[redacted]"
_MAX_TEXT = 500


class UponAIError(Exception):
    """Base class of every error this package raises.

    Attributes:
        status: the HTTP status code, or None when no response was received.
        message: a readable explanation (the server's own message when it sent one).
        request_id: the server's request id when it sent one, for support tickets.
        code: the server's machine-readable error code when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id
        self.code = code

    def __str__(self) -> str:
        details = []
        if self.status is not None:
            details.append(f"HTTP {self.status}")
        if self.request_id:
            details.append(f"request id {self.request_id}")
        return f"{self.message} ({', '.join(details)})" if details else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, message={self.message!r}, "
            f"request_id={self.request_id!r})"
        )


class AuthenticationError(UponAIError):
    """401: the token is missing, wrong or expired (also raised when no token is configured)."""


class PermissionDeniedError(UponAIError):
    """403: the token may not do this (for example an admin actor without a reason)."""


class NotFoundError(UponAIError):
    """404: the endpoint or workspace does not exist (check the base URL)."""


class PayloadTooLargeError(UponAIError):
    """413: a sample or the whole request is over the server's size limit."""


class UnsupportedMediaError(UponAIError):
    """415: the server did not accept a sample's audio format."""


class InvalidRequestError(UponAIError):
    """400 or 422: the server rejected a field or a file."""


class RateLimitError(UponAIError):
    """429: too many requests; `retry_after` is the server's requested delay in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(UponAIError):
    """5xx: the server failed."""


class APIConnectionError(UponAIError):
    """No usable response: the connection failed or was dropped.

    `body_sent` is True when the upload had started, in which case the voice may or may not
    exist on the server.
    """

    def __init__(self, message: str, *, body_sent: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.body_sent = body_sent


class APITimeoutError(APIConnectionError):
    """The connection, an upload write, or the wait for the answer took longer than allowed."""


class OutcomeUnknownError(APIConnectionError):
    """The request may have created a voice, but no usable answer says whether it did.

    Raised when the last body byte went out and no full response came back (a dropped
    connection, a read timeout, a cancellation), or when a 2xx answer could not be read. It is
    never retried by default (the API has no idempotency key: a resend may create a second
    voice). Check the workspace's voices before cloning it again.
    """

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("body_sent", True)
        super().__init__(message, **kwargs)


class OutcomeUnknownTimeoutError(OutcomeUnknownError, APITimeoutError):
    """`OutcomeUnknownError` because the wait for the answer timed out (also an `APITimeoutError`)."""


class SampleStreamError(UponAIError):
    """A sample could not be streamed as it was validated, so the upload was stopped before its end.

    The file changed size during the upload, a stream grew over a size limit, or reading
    failed. The body was never completed, so the server cannot have created the voice.
    """


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a clone request is invalid: which sample (None for a field), which field, why."""

    sample: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"sample {self.sample!r}" if self.sample is not None else self.field
        return f"{where}: {self.message}"


class ValidationError(UponAIError, ValueError):
    """The request was not sent because of the listed `problems` (a list of `Problem`)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"Nothing was sent: the clone request has {count} {noun}:"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        super().__init__("\n".join(lines))


_BY_STATUS: dict[int, type[UponAIError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaError,
    422: InvalidRequestError,
    429: RateLimitError,
}


_SHORT_SECRET = 8
"""Secrets shorter than this are replaced only where they stand alone, not inside words."""


def secret_forms(secret: str) -> set[str]:
    """The texts a secret can take in a message: as given, stripped, escaped, quoted, bytes."""
    forms = {secret, secret.strip()}
    for text in (secret, secret.strip()):
        forms.add(repr(text)[1:-1])  # Python escapes: '\\n'
        forms.add(json.dumps(text)[1:-1])  # JSON escapes
        forms.add(repr(text.encode("utf-8", "backslashreplace"))[2:-1])  # b'...' as h11 shows
        forms.add(repr(text))
        forms.add(json.dumps(text))
    return {form for form in forms if form}


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every form a secret takes in `text` (see `secret_forms`) with ``[redacted]``.

    Long secrets are replaced wherever they occur; short ones (under 8 characters) only where
    no letter or digit touches them, so a one-letter secret does not shred every word.
    """
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            forms |= secret_forms(secret)
    for form in sorted(forms, key=len, reverse=True):
        if len(form) >= _SHORT_SECRET:
            text = text.replace(form, _REDACTED)
        else:
            pattern = rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])"
            text = re.sub(pattern, _REDACTED, text)
    return text


def _message_from(document: Any) -> tuple[str | None, str | None, str | None]:
    """(message, code, request id) from a JSON error document of the common shapes."""
    if not isinstance(document, Mapping):
        return None, None, None
    inner = document.get("error")
    if isinstance(inner, Mapping):
        document = {**document, **inner}
    message = document.get("message") or document.get("detail")
    if message is None and isinstance(inner, str):
        message = inner
    code = document.get("code")
    request_id = document.get("requestId") or document.get("request_id")
    return (
        str(message) if message is not None else None,
        str(code) if code is not None else None,
        str(request_id) if request_id is not None else None,
    )


def error_from_response(
    response: httpx.Response, *, secrets: Iterable[str | None], retry_after: float | None
) -> UponAIError:
    """The typed error for a non-201 response (its body must have been read)."""
    status = response.status_code
    try:
        message, code, body_request_id = _message_from(json.loads(response.content))
    except (ValueError, RecursionError):  # not JSON, or nested too deep to parse
        message, code, body_request_id = None, None, None
    if message is None:
        text = response.text.strip()[:_MAX_TEXT]
        message = f"{response.reason_phrase or 'Error'}" + (f": {text}" if text else "")
    request_id = response.headers.get("x-request-id") or body_request_id
    message = redact(message, secrets)
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else UponAIError
    if cls is AuthenticationError:
        message = (
            message.rstrip(". ") + ". Check UPONAI_API_KEY (or the token passed to connect())."
        )
    if cls is RateLimitError:
        return RateLimitError(
            message, status=status, request_id=request_id, code=code, retry_after=retry_after
        )
    return cls(message, status=status, request_id=request_id, code=code)
