"""Every error the SDK raises, and how an HTTP answer becomes one. None ever carries a secret.

    UponAIError                       base of everything below: message, status, request_id, code
    ├── ValidationError               bad input: nothing was sent (also a ValueError)
    ├── SampleStreamError             a sample changed while streaming: the upload stopped short
    ├── OperationUnavailableError     this client's spec has no operation for what was asked
    ├── UnexpectedResponseError       a 2xx the spec does not document, or a body that does not parse
    ├── APIStatusError                the API answered with a status that is not 2xx
    │   ├── InvalidRequestError       400, 422
    │   ├── AuthenticationError       401 (also: no usable token configured, status None)
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404
    │   ├── ConflictError             409
    │   ├── PayloadTooLargeError      413
    │   ├── UnsupportedMediaError     415
    │   ├── RateLimitError            429
    │   └── ServerError               5xx
    └── APIConnectionError            no usable answer (`body_sent`: did any request byte leave?)
        ├── APITimeoutError
        └── OutcomeUnknownError       it may have been carried out, nobody can say: never resent
            └── OutcomeUnknownTimeoutError   (also an APITimeoutError)

Statuses the table does not name are `APIStatusError` itself (`ServerError` from 500 up). An
error is built once, complete, from what the failure was; nothing edits it afterwards (its fields
are read-only). Message, request id and code pass through `redact` before they are stored.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ._secret import REDACTED, Secret

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "ConflictError",
    "InvalidRequestError",
    "NotFoundError",
    "OperationUnavailableError",
    "OutcomeUnknownError",
    "OutcomeUnknownTimeoutError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "Problem",
    "RateLimitError",
    "SampleStreamError",
    "ServerError",
    "UnexpectedResponseError",
    "UnsupportedMediaError",
    "UponAIError",
    "ValidationError",
    "answer_fields",
    "error_from_response",
    "redact",
    "secret_forms",
]

_REDACTED = REDACTED
_MAX_TEXT = 500


class UponAIError(Exception):
    """Base class of every error this package raises.

    Attributes (read-only):
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
        self._message = message
        self._status = status
        self._request_id = request_id
        self._code = code

    @property
    def message(self) -> str:
        """A readable explanation (the server's own message when it sent one)."""
        return self._message

    @property
    def status(self) -> int | None:
        """The HTTP status code, or None when no response was received."""
        return self._status

    @property
    def request_id(self) -> str | None:
        """The server's request id, for support tickets."""
        return self._request_id

    @property
    def code(self) -> str | None:
        """The server's machine-readable error code."""
        return self._code

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


class APIStatusError(UponAIError):
    """The API answered with a status that is not 2xx (the subclasses name the common ones)."""


class AuthenticationError(APIStatusError):
    """401: the token is missing, wrong or expired (also raised, with no status, when no usable
    token is configured)."""


class PermissionDeniedError(APIStatusError):
    """403: the token may not do this (for example an admin actor without a reason)."""


class NotFoundError(APIStatusError):
    """404: the resource or endpoint does not exist (check the id and the base URL)."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's current state."""


class PayloadTooLargeError(APIStatusError):
    """413: a sample or the whole request is over the server's size limit."""


class UnsupportedMediaError(APIStatusError):
    """415: the server did not accept a sample's audio format."""


class InvalidRequestError(APIStatusError):
    """400 or 422: the server rejected a field or a file."""


class RateLimitError(APIStatusError):
    """429: too many requests; `retry_after` is the server's requested delay in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self._retry_after = retry_after

    @property
    def retry_after(self) -> float | None:
        """The delay the server asked for, in seconds, or None."""
        return self._retry_after


class ServerError(APIStatusError):
    """5xx: the server failed."""


class UnexpectedResponseError(UponAIError):
    """A 2xx answer this client cannot use: a status the spec does not document for the
    operation, or a body that does not parse as the documented model. Raised for requests that
    can change nothing (or may be repeated); for others the outcome is unknown instead."""


class OperationUnavailableError(UponAIError):
    """The spec this client was generated from has no operation that can do what was asked."""


class APIConnectionError(UponAIError):
    """No usable response: the connection failed, timed out or was dropped.

    `body_sent` is True when at least part of the request had left the client: for a request
    that creates something, the server may then hold a partial upload (which it discards) or,
    for the subclass `OutcomeUnknownError`, the whole request.
    """

    def __init__(self, message: str, *, body_sent: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self._body_sent = body_sent

    @property
    def body_sent(self) -> bool:
        """True when part or all of the request had left the client."""
        return self._body_sent


class APITimeoutError(APIConnectionError):
    """The connection, an upload write, or the wait for the answer took longer than allowed."""


class OutcomeUnknownError(APIConnectionError):
    """The request may have been carried out, but no usable answer says whether it was.

    Raised for a request that creates or changes something (POST, PATCH) when its last byte went
    out and no full answer came back (a dropped connection, a read timeout, a cancellation), when
    a proxy answered 502 or 504 after the body went out, or when a 2xx answer could not be read.
    It is never resent (the API has no idempotency key: a resend may create a second voice).
    Check what exists (`find_voices`) before sending it again.
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
        lines = [f"Nothing was sent: the request has {count} {noun}:"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        super().__init__("\n".join(lines))


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
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


def redact(text: str, secrets: Iterable[str | Secret | None]) -> str:
    """Replace every form a secret takes in `text` (see `secret_forms`) with ``[redacted]``.

    Long secrets are replaced wherever they occur; short ones (under 8 characters) only where
    no letter or digit touches them, so a one-letter secret does not shred every word.
    """
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            forms |= secret_forms(secret.reveal() if isinstance(secret, Secret) else secret)
    for form in sorted(forms, key=len, reverse=True):
        if len(form) >= _SHORT_SECRET:
            text = text.replace(form, _REDACTED)
        else:
            pattern = rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])"
            text = re.sub(pattern, _REDACTED, text)
    return text


def _optional_redacted(value: object, secrets: Iterable[str | Secret | None]) -> str | None:
    return redact(str(value), secrets) if value is not None else None


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


def answer_fields(
    response: httpx.Response,
    *,
    secrets: Iterable[str | Secret | None],
    body_error: str | None = None,
) -> tuple[str, str | None, str | None]:
    """(message, code, request id) of an error answer, redacted of `secrets`.

    The body must have been read, unless `body_error` says why it could not be (its text is
    then part of the message).
    """
    secrets = tuple(secrets)
    message = code = body_request_id = None
    if body_error is None:
        with contextlib.suppress(ValueError, RecursionError):  # not JSON, or too deep
            message, code, body_request_id = _message_from(json.loads(response.content))
        if message is None:
            text = response.text.strip()[:_MAX_TEXT]
            message = f"{response.reason_phrase or 'Error'}" + (f": {text}" if text else "")
    else:
        message = (
            f"{response.reason_phrase or 'Error'} "
            f"(the response body could not be read: {body_error})"
        )
    request_id = response.headers.get("x-request-id") or body_request_id
    return (
        redact(message, secrets),
        _optional_redacted(code, secrets),
        _optional_redacted(request_id, secrets),
    )


def error_from_response(
    response: httpx.Response,
    *,
    secrets: Iterable[str | Secret | None],
    retry_after: float | None = None,
    body_error: str | None = None,
    note: str | None = None,
) -> APIStatusError:
    """The typed error for a non-2xx response, built once and complete (see `answer_fields`).

    `note` (what the SDK did about it, for example why it did not retry) ends the message.
    """
    status = response.status_code
    message, code, request_id = answer_fields(response, secrets=secrets, body_error=body_error)
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else APIStatusError)
    if cls is AuthenticationError:
        message = (
            message.rstrip(". ") + ". Check UPONAI_API_KEY (or the token passed to connect())."
        )
    if note:
        message = f"{message.rstrip()} {note}"
    fields: dict[str, Any] = {"status": status, "request_id": request_id, "code": code}
    if cls is RateLimitError:
        fields["retry_after"] = retry_after
    return cls(message, **fields)
