"""One path for every request: build, send, read, judge, retry or raise.

`send` and `send_async` are twin shells over the same steps; an `Exchange` says what one
logical request is (how to build each attempt, how to parse a success, what to redact, how to
word an unknown outcome). `RetryPolicy.decide` alone says whether a failure is sent again;
this module only records how far each attempt got (`UploadState`) and builds the one error
that is raised, complete, when the policy says stop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx

from . import _generated
from ._coalesce import PullGate
from ._connection import Connection, user_agent
from ._early_answer import AnswerWatch
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    OutcomeUnknownError,
    OutcomeUnknownTimeoutError,
    UnexpectedResponseError,
    UponAIError,
    answer_fields,
    error_from_response,
    redact,
)
from ._progress import ProgressStream, ProgressTracker, UploadState
from ._retry import Decision, Sent
from ._secret import Secret

__all__ = ["CHECK_FIRST", "CLONE_WORDING", "Exchange", "Wording", "send", "send_async"]

T = TypeVar("T")

logger = logging.getLogger("uponai_widgets")

CHECK_FIRST = (
    "Check the workspace's voices before cloning it again: the API has no idempotency key, "
    "so a resend may create a second voice."
)


@dataclass(frozen=True)
class Wording:
    """How messages speak of what the request does."""

    may_have: str
    probably: str
    partial: str
    nothing: str
    check_first: str


GENERIC_WORDING = Wording(
    may_have="it may have taken effect",
    probably="it probably took effect",
    partial="the server cannot act on a partial request",
    nothing="nothing was sent",
    check_first="Check the resource's state before sending it again: a resend may do it twice.",
)
CLONE_WORDING = Wording(
    may_have="the voice may have been created",
    probably="the voice was probably created",
    partial="the server cannot have created the voice from a partial request",
    nothing="nothing was uploaded",
    check_first=CHECK_FIRST,
)


def _replayable() -> str | None:
    return None


@dataclass(repr=False)
class Exchange(Generic[T]):
    """One logical request, sent as many times as the connection's `RetryPolicy` allows.

    No repr: it holds the secrets to redact (verbose tracebacks show locals).

    build: httpx request arguments for a fresh attempt (bodies rewound to their start).
    parse: the result of a 2xx answer (raises for one the spec does not describe).
    replay_blocker: why the body cannot be sent again, or None.
    stream_failure: the error for an `OSError` raised while reading the body (a sample), or None.
    upload: a file upload (sent on `Connection.upload_http`, a connection of its own).
    before_pull: asked before each piece an async body takes (samples still arriving).
    """

    connection: Connection
    label: str
    method: str
    build: Callable[[], dict[str, Any]]
    parse: Callable[[httpx.Response], T]
    timeout: httpx.Timeout
    secrets: tuple[Secret, ...]
    wording: Wording = GENERIC_WORDING
    state: UploadState = field(default_factory=UploadState)
    tracker: ProgressTracker = field(default_factory=lambda: ProgressTracker(None))
    replay_blocker: Callable[[], str | None] = _replayable
    stream_failure: Callable[[OSError], UponAIError | None] | None = None
    upload: bool = False
    before_pull: PullGate | None = None

    def sent(self) -> Sent:
        """How much of the current attempt left the client."""
        if self.state.may_be_complete:
            return Sent.ALL
        return Sent.PART if self.state.started else Sent.NOTHING

    def request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        """A fresh request for one attempt, its body counted as the transport pulls it and
        stopped when an answer arrives before its end (`AnswerWatch`)."""
        arguments = self.build()
        headers = arguments.pop("headers", None) or {}
        agent = user_agent()
        if http.headers.get("User-Agent") != agent:  # a plain generated client's own httpx
            headers = {**headers, "User-Agent": agent}
        watch = AnswerWatch(self.timeout.write)
        trace = watch.atrace if isinstance(http, httpx.AsyncClient) else watch.trace
        request = http.build_request(
            **arguments,
            headers=headers or None,
            timeout=self.timeout,
            extensions={"trace": trace},
        )
        length = request.headers.get("Content-Length")
        self.state.new_attempt()
        request.stream = ProgressStream(
            request.stream,
            int(length) if length is not None else None,
            self.tracker,
            self.state,
            watch,
            self.before_pull,
        )
        return request


@dataclass(repr=False)
class _Failed:
    """How one attempt failed (no repr: a response may echo secrets)."""

    sent: Sent
    status: int | None = None
    response: httpx.Response | None = None
    exc: BaseException | None = None
    detail: str = ""
    unreadable_2xx: bool = False
    final: UponAIError | None = None

    @property
    def headers(self) -> httpx.Headers | None:
        return self.response.headers if self.response is not None else None


def _detail(exchange: Exchange[Any], exc: BaseException, limit: int = 500) -> str:
    return redact(f"{type(exc).__name__}: {exc}".rstrip(": "), exchange.secrets)[:limit]


def _send_failed(exchange: Exchange[Any], exc: Exception) -> _Failed:
    """What an exception out of `send` (before a status line arrived) means."""
    if isinstance(exc, UponAIError):  # raised by the body itself (a sample changed)
        return _Failed(exchange.sent(), exc=exc, final=exc)
    if isinstance(exc, OSError) and not isinstance(exc, httpx.TransportError):
        final = exchange.stream_failure(exc) if exchange.stream_failure else None
        if final is not None:
            return _Failed(exchange.sent(), exc=exc, final=final)
    detail = _detail(exchange, exc)
    if not isinstance(exc, httpx.TransportError) or isinstance(
        exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError
    ):
        host = _generated.base_url(exchange.connection.client)
        final = APIConnectionError(f"Cannot send to {host}: {detail}")
        return _Failed(exchange.sent(), exc=exc, detail=detail, final=final)
    return _Failed(exchange.sent(), exc=exc, detail=detail)


def _answered(exchange: Exchange[T], response: httpx.Response) -> T | _Failed:
    """The parsed result, or how a (fully read) answer failed."""
    status = response.status_code
    sent = exchange.sent()
    if not 200 <= status < 300:
        return _Failed(sent, status, response)
    try:
        return exchange.parse(response)
    except _generated.UndocumentedStatus:
        detail = f"the spec documents no {status} for {exchange.label}"
    except Exception as exc:  # any parse failure (RecursionError too)
        detail = f"{_detail(exchange, exc, 200)}: not what the spec describes"
    return _Failed(sent, status, response, detail=detail, unreadable_2xx=True)


def _unread(exchange: Exchange[Any], response: httpx.Response, exc: Exception) -> _Failed:
    """The status line arrived but the body could not be read (cut off, undecodable)."""
    status = response.status_code
    detail = _detail(exchange, exc, 300)
    unreadable = 200 <= status < 300
    return _Failed(exchange.sent(), status, response, exc, detail, unreadable_2xx=unreadable)


def _decide(exchange: Exchange[Any], failed: _Failed, retry_number: int) -> Decision:
    if failed.final is not None:
        return Decision(retry=False, unknown=False)
    decision = exchange.connection.retry.decide(
        exchange.method,
        sent=failed.sent,
        status=failed.status,
        retry_number=retry_number,
        replay_blocker=exchange.replay_blocker(),
    )
    if decision.unknown:
        exchange.state.unknown_before = True
    return decision


def _joined(*parts: str | None) -> str:
    return " ".join(part for part in parts if part)


def _error(exchange: Exchange[Any], failed: _Failed, decision: Decision) -> UponAIError:
    """The one error raised for the last failed attempt, built complete."""
    if failed.final is not None:
        return failed.final
    words = exchange.wording
    secrets = exchange.secrets
    note = decision.not_retried
    host = _generated.base_url(exchange.connection.client)
    status = failed.status
    if failed.unreadable_2xx and status is not None:
        if decision.unknown:
            message = (
                f"The server answered {status} but its reply could not be read "
                f"({failed.detail}); {words.probably}. {words.check_first}"
            )
            return OutcomeUnknownError(redact(message, secrets), status=status)
        message = f"The server answered {status} to {exchange.label}, but {failed.detail}."
        return UnexpectedResponseError(redact(message, secrets), status=status)
    if failed.response is not None and status is not None:
        if decision.unknown:
            said, code, request_id = answer_fields(
                failed.response, secrets=secrets, body_error=failed.detail or None
            )
            message = (
                f"{host} answered {status} after the whole request was sent ({said}): a "
                "server error or a proxy that lost the API's answer (it answers so when the "
                f"API did not answer in time or dropped the connection), so {words.may_have}. "
                f"{words.check_first}"
            )
            return OutcomeUnknownError(
                _joined(message, note), status=status, request_id=request_id, code=code
            )
        policy = exchange.connection.retry
        return error_from_response(
            failed.response,
            secrets=secrets,
            retry_after=policy.retry_after(failed.response.headers),
            body_error=failed.detail or None,
            note=note,
        )
    timeout = isinstance(failed.exc, httpx.TimeoutException)
    if decision.unknown:
        what = "timed out waiting for the answer" if timeout else "was lost before the answer"
        message = (
            f"The connection to {host} {what}, after the whole request was sent "
            f"({failed.detail}): {words.may_have}. {words.check_first}"
        )
        unknown = OutcomeUnknownTimeoutError if timeout else OutcomeUnknownError
        return unknown(_joined(message, note))
    cls = APITimeoutError if timeout else APIConnectionError
    if failed.sent is Sent.NOTHING:
        what = "Timed out connecting" if timeout else "Could not connect"
        message = f"{what} to {host} ({failed.detail}); {words.nothing}."
        return cls(_joined(message, note))
    what = "timed out" if timeout else "was lost"
    if failed.sent is Sent.PART:
        message = (
            f"The connection to {host} {what} during the upload, before its end "
            f"({failed.detail}); {words.partial}."
        )
    else:
        message = f"The connection to {host} {what} before the answer ({failed.detail})."
    return cls(_joined(message, note), body_sent=True)


def _retry_delay(exchange: Exchange[Any], failed: _Failed, retry_number: int) -> float:
    policy = exchange.connection.retry
    delay = policy.delay(retry_number, failed.headers)
    reason = f"HTTP {failed.status}" if failed.status else type(failed.exc).__name__
    logger.info(
        "%s: retry %d of %d in %.2f s after %s",
        exchange.label,
        retry_number,
        policy.max_retries,
        delay,
        reason,
    )
    return delay


def _sync_attempt(exchange: Exchange[T], http: httpx.Client) -> T | _Failed:
    request = exchange.request(http)
    try:
        response = http.send(request, stream=True)
    except Exception as exc:  # every failure becomes a typed error
        return _send_failed(exchange, exc)
    exchange.state.answered = True
    try:
        response.read()
        exchange.state.read_status = response.status_code
    except Exception as exc:
        return _unread(exchange, response, exc)
    finally:
        response.close()
    return _answered(exchange, response)


async def _async_attempt(exchange: Exchange[T], http: httpx.AsyncClient) -> T | _Failed:
    request = exchange.request(http)
    try:
        response = await http.send(request, stream=True)
    except Exception as exc:  # every failure becomes a typed error
        return _send_failed(exchange, exc)
    exchange.state.answered = True
    try:
        await response.aread()
        exchange.state.read_status = response.status_code
    except Exception as exc:
        return _unread(exchange, response, exc)
    finally:
        await response.aclose()
    return _answered(exchange, response)


def send(exchange: Exchange[T]) -> T:
    """Send `exchange` on the connection's sync HTTP client; its result or a typed error."""
    connection = exchange.connection
    http = connection.upload_http() if exchange.upload else connection.client.get_httpx_client()
    retry_number = 0
    while True:
        result = _sync_attempt(exchange, http)
        if not isinstance(result, _Failed):
            return result
        retry_number += 1
        decision = _decide(exchange, result, retry_number)
        if not decision.retry:
            raise _error(exchange, result, decision) from None
        exchange.connection.retry.sleep(_retry_delay(exchange, result, retry_number))


async def send_async(exchange: Exchange[T]) -> T:
    """Async `send`, on the HTTP client of the running event loop."""
    connection = exchange.connection
    http = connection.async_upload_http() if exchange.upload else connection.async_http()
    retry_number = 0
    while True:
        result = await _async_attempt(exchange, http)
        if not isinstance(result, _Failed):
            return result
        retry_number += 1
        decision = _decide(exchange, result, retry_number)
        if not decision.retry:
            raise _error(exchange, result, decision) from None
        await exchange.connection.retry.wait_async(_retry_delay(exchange, result, retry_number))
