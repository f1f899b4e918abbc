"""`uw.call` over real HTTP: every status class becomes the parsed body or a typed error.

The generated functions alone return an `Error` model for a documented 401, None for an
undocumented 403 and raise `KeyError` for a malformed 200; `uw.call` raises the SDK's errors.
"""

from __future__ import annotations

import types
from typing import Any

import pytest
from support.operations import AGENT, TOKEN, VOICE, error_body
from support.scripted_server import ScriptedServer

import uponai_widgets as uw


def new_agent(platform_api: types.ModuleType) -> Any:
    return platform_api.models.AgentCreate(workspace_id=42, name="Front desk", voice_id="v_1")


def test_a_get_returns_the_documented_model(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    api.script({"match": "GET /api/voices/v_1", "status": 200, "json": VOICE})
    voice = uw.call(connection, platform_api.api.voices.get_voice, voice_id="v_1")
    assert isinstance(voice, platform_api.models.Voice)
    assert (voice.voice_id, voice.name) == ("v_1", "Ada")
    (request,) = api.log()
    assert request["headers"]["authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["user-agent"].startswith("uponai-voices/")


def test_a_json_body_is_sent_and_the_201_parsed(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    api.script({"match": "POST /api/agents", "status": 201, "json": AGENT})
    agent = uw.call(connection, platform_api.api.agents.create_agent, body=new_agent(platform_api))
    assert agent.agent_id == 5
    (request,) = api.log()
    assert '"workspaceId": 42' in request["body_text"] or '"workspaceId":42' in request["body_text"]


def test_a_204_gives_none(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    api.script({"match": "DELETE /api/voices/v_1", "status": 204})
    assert uw.call(connection, platform_api.api.voices.delete_voice, voice_id="v_1") is None


@pytest.mark.parametrize(
    ("status", "cls", "documented"),
    [
        (400, uw.InvalidRequestError, True),
        (401, uw.AuthenticationError, True),
        (403, uw.PermissionDeniedError, False),
        (404, uw.NotFoundError, True),
        (409, uw.ConflictError, False),
        (418, uw.APIStatusError, False),
        (422, uw.InvalidRequestError, False),
    ],
)
def test_every_non_2xx_raises_its_class_documented_or_not(
    platform_api: types.ModuleType,
    api: ScriptedServer,
    connection: uw.Connection,
    status: int,
    cls: type[uw.APIStatusError],
    documented: bool,
) -> None:
    headers = {"X-Request-Id": "req_header"}
    api.script({"status": status, "headers": headers, "json": error_body(f"says {status}")})
    with pytest.raises(cls) as info:
        uw.call(connection, platform_api.api.calls.list_calls, agent_id=42)
    error = info.value
    assert type(error) is cls
    assert isinstance(error, uw.APIStatusError)
    assert error.status == status
    assert error.message.startswith(f"says {status}")
    assert (error.code, error.request_id) == ("some_code", "req_header")
    assert len(api.log()) == 1


def test_a_5xx_on_a_get_is_retried_then_raised(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    api.script({"status": 500, "json": error_body("broken"), "repeat": 3})
    with pytest.raises(uw.ServerError, match="broken"):
        uw.call(connection, platform_api.api.account.get_account)
    assert len(api.log()) == 3


def test_a_malformed_200_on_a_get_is_an_unexpected_response(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    api.script({"status": 200, "json": {"name": "no id"}})
    with pytest.raises(uw.UnexpectedResponseError, match="not what the spec describes") as info:
        uw.call(connection, platform_api.api.voices.get_voice, voice_id="v_1")
    assert info.value.status == 200
    assert len(api.log()) == 1


def test_an_undocumented_2xx_on_a_delete_is_an_unexpected_response(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    api.script({"status": 200, "json": {"deleted": True}})
    with pytest.raises(uw.UnexpectedResponseError, match="documents no 200 for delete_voice"):
        uw.call(connection, platform_api.api.voices.delete_voice, voice_id="v_1")


def test_a_malformed_201_on_a_post_is_an_unknown_outcome(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    api.script({"status": 201, "json": {"agentId": "not a number"}})
    with pytest.raises(uw.OutcomeUnknownError, match="probably took effect") as info:
        uw.call(connection, platform_api.api.agents.create_agent, body=new_agent(platform_api))
    assert info.value.status == 201
    assert len(api.log()) == 1


def test_bad_arguments_are_refused_before_a_byte_is_sent(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    get_voice = platform_api.api.voices.get_voice
    with pytest.raises(uw.ValidationError) as info:
        uw.call(connection, get_voice, voice="v_1")
    fields = {problem.field for problem in info.value.problems}
    assert fields == {"voice", "voice_id"}
    with pytest.raises(uw.ValidationError, match="create_agent"):
        uw.call(connection, platform_api.api.agents.create_agent, body={"name": "a dict"})
    for timeout in (0, -5, "abc", float("nan"), float("inf")):
        with pytest.raises(uw.ValidationError, match="timeout: must be a positive"):
            uw.call(connection, get_voice, voice_id="v_1", timeout=timeout)  # type: ignore[arg-type]
    with pytest.raises(uw.ValidationError, match="generated operation module"):
        uw.call(connection, "get_voice", voice_id="v_1")  # type: ignore[call-overload, arg-type]
    assert api.log() == []


def test_an_enum_value_added_after_generation_still_parses(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    """The server sends a call status and a field this client was generated without."""
    call = {
        "callId": "c_1",
        "agentId": 5,
        "status": "transferred",
        "fromNumber": "+14155550100",
        "toNumber": "+14155550101",
        "createdAt": "2026-12-03T10:00:00Z",
        "sentimentScore": 0.8,
    }
    api.script({"status": 200, "json": call})
    got = uw.call(connection, platform_api.api.calls.get_call, call_id="c_1")
    assert got.status == "transferred"
    assert str(got.status) == "transferred"
    assert isinstance(got.status, platform_api.models.CallStatus)
    assert got.additional_properties["sentimentScore"] == 0.8
