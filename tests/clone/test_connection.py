"""connect(): token and base URL from arguments or environment, timeouts, User-Agent, repr."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from support.fake_api import TOKEN, ScriptedTransport, clone_args, scripted_connection

import uponai_widgets as uw
from uponai_client import AuthenticatedClient
from uponai_client.api.voices import clone_voice as clone_operation
from uponai_widgets._connection import DEFAULT_TIMEOUT, UPLOAD_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]


def test_token_and_base_url_come_from_the_environment_when_called(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UPONAI_API_KEY", "env-token-1")
    monkeypatch.setenv("UPONAI_BASE_URL", "http://127.0.0.1:9/")
    connection = uw.connect()
    assert connection.client.token == "env-token-1"
    assert connection.base_url == "http://127.0.0.1:9"
    monkeypatch.setenv("UPONAI_API_KEY", "env-token-2")
    assert uw.connect().client.token == "env-token-2"


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPONAI_API_KEY", "env-token")
    monkeypatch.setenv("UPONAI_BASE_URL", "http://env.example")
    connection = uw.connect("http://arg.example", "arg-token")
    assert (connection.base_url, connection.client.token) == ("http://arg.example", "arg-token")


def test_default_base_url_is_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UPONAI_BASE_URL", raising=False)
    assert uw.connect(token="t").base_url == "https://api.upon-ai.com"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_token_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    monkeypatch.delenv("UPONAI_API_KEY", raising=False)
    if value is not None:
        monkeypatch.setenv("UPONAI_API_KEY", value)
    with pytest.raises(uw.AuthenticationError, match="UPONAI_API_KEY"):
        uw.connect("http://x.example")


def test_token_that_cannot_be_a_header_is_refused_without_echoing_it() -> None:
    with pytest.raises(uw.AuthenticationError) as info:
        uw.connect("http://x.example", "secret part\nmore")
    assert "secret part" not in str(info.value)


def test_repr_shows_base_url_never_token() -> None:
    connection = uw.connect("http://api.example", TOKEN)
    assert repr(connection) == "Connection(base_url='http://api.example', max_retries=2)"
    assert TOKEN not in repr(connection)
    assert TOKEN not in str(connection)
    assert TOKEN not in repr(connection.client)


def test_uploads_get_long_timeouts_and_the_client_short_ones() -> None:
    connection = uw.connect("http://api.example", TOKEN)
    assert isinstance(connection.client, AuthenticatedClient)
    assert connection.client.get_httpx_client().timeout == DEFAULT_TIMEOUT
    assert DEFAULT_TIMEOUT.read is not None
    assert DEFAULT_TIMEOUT.read <= 30
    assert UPLOAD_TIMEOUT.read is not None
    assert UPLOAD_TIMEOUT.read >= 120
    assert UPLOAD_TIMEOUT.write is not None
    assert UPLOAD_TIMEOUT.write >= 120
    transport = ScriptedTransport()
    uw.clone_voice(scripted_connection(transport), **clone_args())
    assert transport.seen[0].timeout == UPLOAD_TIMEOUT.as_dict()
    chosen = uw.connect("http://a", "t", timeout=30)
    assert chosen.client.get_httpx_client().timeout.read == 30
    assert chosen.timeout == httpx.Timeout(30, connect=10)


def test_requests_carry_user_agent_with_package_and_spec_versions() -> None:
    transport = ScriptedTransport()
    uw.clone_voice(scripted_connection(transport), **clone_args())
    agent = transport.seen[0].headers["user-agent"]
    assert f"uponai-voices/{uw.__version__}" in agent
    spec_version = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))["info"][
        "version"
    ]
    assert f"uponai-api {spec_version}" in agent
    assert transport.seen[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_plain_authenticated_client_is_accepted_with_default_policy() -> None:
    transport = ScriptedTransport()
    client = AuthenticatedClient(
        base_url="http://api.test", token=TOKEN, httpx_args={"transport": transport}
    )
    voice = uw.clone_voice(client, **clone_args())
    assert voice.voice_id == "voice_123"
    seen = transport.seen[0]
    assert "uponai-voices/" in seen.headers["user-agent"]
    # The generated client has no timeout at all; the clone still gets upload-sized ones.
    assert seen.timeout == UPLOAD_TIMEOUT.as_dict()


@pytest.mark.parametrize("wrong", [None, "http://api.test", 42])
def test_other_connection_types_are_a_validation_error(wrong: object) -> None:
    """A wrong connection is a typed error naming the argument, before anything is sent."""
    for attempt in (
        lambda: uw.clone_voice(wrong, **clone_args()),  # type: ignore[arg-type]  # the wrong type is the point
        lambda: uw.call(wrong, clone_operation),  # type: ignore[call-overload]
        lambda: uw.clone_voices(wrong, []),  # type: ignore[arg-type]
    ):
        with pytest.raises(uw.ValidationError, match=r"connection: must be .*connect\(\)") as info:
            attempt()
        assert [problem.field for problem in info.value.problems] == ["connection"]


def test_per_call_timeout_does_not_change_the_shared_client() -> None:
    transport = ScriptedTransport()
    connection = scripted_connection(transport)

    async def both() -> None:
        await asyncio.gather(
            uw.clone_voice_async(connection, **clone_args(timeout=7)),
            uw.clone_voice_async(connection, **clone_args(timeout=httpx.Timeout(3, read=99))),
            uw.clone_voice_async(connection, **clone_args()),
        )

    asyncio.run(both())
    timeouts = sorted(seen.timeout["read"] or 0 for seen in transport.seen)
    assert timeouts == [7, 99, UPLOAD_TIMEOUT.read]
    assert all(seen.timeout["connect"] in (3, 7, UPLOAD_TIMEOUT.connect) for seen in transport.seen)
    assert connection.client.get_async_httpx_client().timeout == DEFAULT_TIMEOUT
    assert connection.timeout is None


def test_connection_closes_its_http_clients() -> None:
    connection = uw.connect("http://api.example", TOKEN)
    sync_client = connection.client.get_httpx_client()
    async_client = connection.client.get_async_httpx_client()
    asyncio.run(connection.aclose())
    assert sync_client.is_closed
    assert async_client.is_closed


def test_max_retries_and_a_numeric_timeout() -> None:
    connection = uw.connect("http://a.example", "t", max_retries=5, timeout=4)
    assert connection.retry.max_retries == 5
    assert connection.timeout == httpx.Timeout(4, connect=4)
    slow = uw.connect("http://a.example", "t", timeout=600)
    assert slow.timeout == httpx.Timeout(600, connect=UPLOAD_TIMEOUT.connect)
    with pytest.raises(ValueError, match="positive"):
        uw.connect("http://a.example", "t", timeout=0)
    with pytest.raises(ValueError, match="http"):
        uw.connect("ftp://a.example", "t")


@pytest.mark.parametrize("timeout", [0, -5, "abc", float("nan"), float("inf"), True])
def test_a_bad_clone_timeout_is_a_validation_error_before_anything_is_sent(
    timeout: object,
) -> None:
    transport = ScriptedTransport()
    with pytest.raises(uw.ValidationError, match="timeout: must be a positive") as info:
        uw.clone_voice(scripted_connection(transport), timeout=timeout, **clone_args())  # type: ignore[arg-type]  # the wrong type is the point
    assert [problem.field for problem in info.value.problems] == ["timeout"]
    assert transport.seen == []


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"base_url": "ftp://api.test"}, "base_url"),
        ({"base_url": 42}, "base_url"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": "3"}, "max_retries"),
        ({"max_retries": 2.5}, "max_retries"),
        ({"retry": None, "max_retries": None}, "max_retries"),
    ],
)
def test_bad_connect_options_are_validation_errors(options: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"base_url": "http://api.test", "token": TOKEN, **options}
    with pytest.raises(uw.ValidationError) as info:
        uw.connect(**arguments)  # type: ignore[arg-type]  # the wrong types are the point
    assert [problem.field for problem in info.value.problems] == [field]
    assert TOKEN not in str(info.value)
