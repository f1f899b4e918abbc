"""Typed errors: status, the server's message and request id, a readable str, never the token."""

from __future__ import annotations

import httpx
import pytest
from support.fake_api import TOKEN, Fail, Reply, ScriptedTransport, clone_args, scripted_connection

import uponai_widgets as uw


def sandbox_error(status: int, message: str) -> Reply:
    """An error shaped like the sandbox's: JSON body plus X-Request-Id."""
    body = {"status": status, "code": "some_code", "message": message, "requestId": "req_1"}
    return Reply(status, body, {"X-Request-Id": "req_1"})


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, uw.InvalidRequestError),
        (401, uw.AuthenticationError),
        (403, uw.PermissionDeniedError),
        (404, uw.NotFoundError),
        (413, uw.PayloadTooLargeError),
        (415, uw.UnsupportedMediaError),
        (422, uw.InvalidRequestError),
        (429, uw.RateLimitError),
        (503, uw.ServerError),
        (409, uw.ConflictError),
        (418, uw.APIStatusError),
    ],
)
def test_each_status_raises_its_class(status: int, cls: type[uw.UponAIError]) -> None:
    transport = ScriptedTransport(sandbox_error(status, f"the server says {status}"))
    connection = scripted_connection(transport, max_retries=0)
    with pytest.raises(cls) as info:
        uw.clone_voice(connection, **clone_args())
    error = info.value
    assert type(error) is cls
    assert error.status == status
    assert error.message.startswith(f"the server says {status}")
    assert error.request_id == "req_1"
    assert error.code == "some_code"
    text = str(error)
    assert f"the server says {status}" in text
    assert f"HTTP {status}" in text
    assert "request id req_1" in text
    assert len(transport.seen) == 1


def test_401_points_at_the_token_variable() -> None:
    connection = scripted_connection(ScriptedTransport(sandbox_error(401, "invalid bearer token")))
    with pytest.raises(uw.AuthenticationError, match="UPONAI_API_KEY"):
        uw.clone_voice(connection, **clone_args())


def test_rate_limit_error_carries_retry_after() -> None:
    reply = Reply(429, {"message": "slow down"}, {"Retry-After": "7"})
    connection = scripted_connection(ScriptedTransport(reply), max_retries=0)
    with pytest.raises(uw.RateLimitError) as info:
        uw.clone_voice(connection, **clone_args())
    assert info.value.retry_after == 7.0


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(400, {"error": {"message": "nested shape", "code": "x"}}), "nested shape"),
        (Reply(400, {"detail": "detail shape"}), "detail shape"),
        (Reply(400, content=b"plain text failure"), "Bad Request: plain text failure"),
        (Reply(400, content=b""), "Bad Request"),
    ],
)
def test_message_from_common_error_shapes(reply: Reply, message: str) -> None:
    with pytest.raises(uw.InvalidRequestError) as info:
        uw.clone_voice(scripted_connection(ScriptedTransport(reply)), **clone_args())
    assert info.value.message == message
    assert info.value.request_id is None
    assert str(info.value) == f"{message} (HTTP 400)"


def test_a_server_message_echoing_the_token_is_redacted() -> None:
    reply = sandbox_error(403, f"token {TOKEN} may not clone")
    with pytest.raises(uw.PermissionDeniedError) as info:
        uw.clone_voice(scripted_connection(ScriptedTransport(reply)), **clone_args())
    assert TOKEN not in str(info.value)
    assert TOKEN not in repr(info.value)
    assert "[redacted]" in info.value.message


def test_a_201_that_is_not_a_voice() -> None:
    transport = ScriptedTransport(Reply(201, {"unexpected": True}))
    with pytest.raises(uw.OutcomeUnknownError, match="probably created") as info:
        uw.clone_voice(scripted_connection(transport), **clone_args())
    assert info.value.status == 201
    assert len(transport.seen) == 1


def test_connection_refused_is_an_api_connection_error_after_retries() -> None:
    refused = [Fail(httpx.ConnectError("connection refused")) for _ in range(3)]
    transport = ScriptedTransport(*refused)
    with pytest.raises(uw.APIConnectionError) as info:
        uw.clone_voice(scripted_connection(transport), **clone_args())
    assert type(info.value) is uw.APIConnectionError
    assert info.value.status is None
    assert info.value.body_sent is False
    assert "nothing was uploaded" in str(info.value)
    assert "http://api.test" in str(info.value)
    assert len(transport.seen) == 3


def test_timeouts_are_api_timeout_errors() -> None:
    transport = ScriptedTransport(*[Fail(httpx.ConnectTimeout("slow")) for _ in range(3)])
    with pytest.raises(uw.APITimeoutError, match="Timed out connecting"):
        uw.clone_voice(scripted_connection(transport), **clone_args())
    transport = ScriptedTransport(Fail(httpx.ReadTimeout("no answer"), after_bytes=10**9))
    with pytest.raises(uw.APITimeoutError, match="may have been created") as info:
        uw.clone_voice(scripted_connection(transport), **clone_args())
    assert isinstance(info.value, uw.OutcomeUnknownError)
    assert info.value.body_sent is True
    assert len(transport.seen) == 1


def test_errors_are_raised_without_a_chained_httpx_exception() -> None:
    transport = ScriptedTransport(Fail(httpx.ReadError("reset"), after_bytes=100))
    with pytest.raises(uw.APIConnectionError) as info:
        uw.clone_voice(scripted_connection(transport), **clone_args())
    assert info.value.__cause__ is None
    assert info.value.__context__ is None
