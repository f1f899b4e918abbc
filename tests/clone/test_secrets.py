"""The token and the impersonation reason appear in no repr, str, exception or log record."""

from __future__ import annotations

import logging
import pickle
import traceback

import httpx
import pytest
from support.fake_api import (
    REASON,
    TOKEN,
    Fail,
    Reply,
    ScriptedTransport,
    clone_args,
    scripted_connection,
)

import uponai_widgets as uw

SECRET_ARGS = {"actor_type": "platform_admin", "impersonation_reason": REASON}


def exception_text(error: BaseException) -> str:
    """Everything a traceback, repr and str show, plus every attribute value."""
    parts = ["".join(traceback.format_exception(error)), repr(error), str(error)]
    parts.extend(repr(value) for value in vars(error).values())
    return "\n".join(parts)


@pytest.mark.parametrize(
    "step",
    [
        Reply(401, {"message": f"bad token {TOKEN}"}),
        Reply(403, {"message": f"reason {REASON} refused"}),
        Reply(500, {"message": "boom"}),
        Fail(httpx.ReadError("reset"), after_bytes=100),
        Fail(httpx.ConnectError("refused")),
    ],
)
def test_errors_never_carry_the_secrets(step: Reply | Fail) -> None:
    transport = ScriptedTransport(step, step, step)
    with pytest.raises(uw.UponAIError) as info:
        uw.clone_voice(scripted_connection(transport), **clone_args(**SECRET_ARGS))
    text = exception_text(info.value)
    assert TOKEN not in text
    assert REASON not in text
    assert transport.seen[0].headers["x-impersonation-reason"] == REASON  # it was sent


def test_reprs_never_show_the_token() -> None:
    connection = scripted_connection(ScriptedTransport())
    connection.client.get_httpx_client()  # puts the Authorization header in place
    for text in (
        repr(connection),
        str(connection),
        repr(connection.client),
        repr(connection.retry),
    ):
        assert TOKEN not in text


def test_debug_logs_never_show_the_secrets(caplog: pytest.LogCaptureFixture) -> None:
    transport = ScriptedTransport(Reply(429, {}, {"Retry-After": "0"}))
    with (
        caplog.at_level(logging.DEBUG, logger="uponai_widgets"),
        caplog.at_level(logging.DEBUG, logger="httpx"),
        caplog.at_level(logging.DEBUG, logger="httpcore"),
    ):
        uw.clone_voice(scripted_connection(transport), **clone_args(**SECRET_ARGS))
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "retry 1 of 2" in text  # the layer did log
    assert "httpx" in text
    assert TOKEN not in text
    assert REASON not in text


def test_a_secret_never_shows_its_value() -> None:
    secret = uw.Secret(TOKEN)
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r:>60}", f"{secret}"]
    assert all(TOKEN not in text and "[redacted]" in text for text in shown)
    assert secret.reveal() == TOKEN
    assert secret == uw.Secret(TOKEN)
    assert secret != TOKEN
    with pytest.raises(TypeError, match="not pickled"):
        pickle.dumps(secret)
    with pytest.raises(TypeError, match="holds text"):
        uw.Secret(42)  # type: ignore[arg-type]  # the wrong type is the point


def test_secrets_given_as_secret_values_are_sent_and_shown_nowhere() -> None:
    transport = ScriptedTransport(Reply(403, {"message": f"reason {REASON} refused"}))
    connection = uw.connect(
        "http://api.test", uw.Secret(TOKEN), httpx_args={"transport": transport}
    )
    with pytest.raises(uw.PermissionDeniedError) as info:
        uw.clone_voice(
            connection,
            **clone_args(actor_type="platform_admin", impersonation_reason=uw.Secret(REASON)),
        )
    text = exception_text(info.value)
    assert TOKEN not in text
    assert REASON not in text
    assert transport.seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert transport.seen[0].headers["x-impersonation-reason"] == REASON
