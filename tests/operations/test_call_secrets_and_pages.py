"""Redaction in every field of every error, for every method; pagination by page and cursor."""

from __future__ import annotations

import asyncio
import types
import urllib.parse
from typing import Any

import pytest
from support.operations import REASON, TOKEN, error_body
from support.scripted_server import ScriptedServer

import uponai_widgets as uw


def echoing(secret: str) -> dict[str, Any]:
    """An answer that repeats `secret` in message, code, request id and header."""
    return {
        "status": 400,
        "headers": {"X-Request-Id": f"req-{secret}"},
        "json": error_body(f"bad: {secret}", code=f"code-{secret}", request_id=secret),
    }


@pytest.mark.parametrize("operation_name", ["get_voice", "delete_call", "create_agent"])
def test_no_error_field_ever_holds_the_token(
    platform_api: types.ModuleType,
    api: ScriptedServer,
    connection: uw.Connection,
    operation_name: str,
) -> None:
    operations: dict[str, tuple[Any, dict[str, Any]]] = {
        "get_voice": (platform_api.api.voices.get_voice, {"voice_id": "v_1"}),
        "delete_call": (platform_api.api.calls.delete_call, {"call_id": "c_1"}),
        "create_agent": (
            platform_api.api.agents.create_agent,
            {"body": platform_api.models.AgentCreate(workspace_id=1, name="n", voice_id="v")},
        ),
    }
    operation, arguments = operations[operation_name]
    api.script(echoing(TOKEN))
    with pytest.raises(uw.InvalidRequestError) as info:
        uw.call(connection, operation, **arguments)
    error = info.value
    fields = [str(error), repr(error), error.message, error.code, error.request_id, *error.args]
    assert all(TOKEN not in str(field) for field in fields)
    assert "[redacted]" in error.message
    assert error.code == "code-[redacted]"


def test_the_impersonation_reason_is_redacted_like_the_token(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    api.script({"status": 502, "json": error_body(f"upstream said: {REASON}", request_id=REASON)})
    body = platform_api.models.CloneVoiceBody(
        workspace_id=1, voice_provider="p", voice_name="n", files=[]
    )
    with pytest.raises(uw.OutcomeUnknownError) as info:
        uw.call(
            connection,
            platform_api.api.voices.clone_voice,
            body=body,
            x_actor_type=platform_api.models.CloneVoiceXActorType.PLATFORM_ADMIN,
            x_impersonation_reason=REASON,
        )
    error = info.value
    for text in (str(error), repr(error), error.message, str(error.request_id)):
        assert REASON not in text
    (request,) = api.log()
    assert request["headers"]["x-impersonation-reason"] == REASON  # it was sent, not shown


def _voices(start: int, count: int) -> list[dict[str, Any]]:
    return [
        {"voiceId": f"v_{n}", "name": "Ada", "createdAt": "2026-12-03T10:00:00Z"}
        for n in range(start, start + count)
    ]


def test_paginate_walks_page_and_limit_pages_until_total(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    pages = [_voices(0, 2), _voices(2, 2), _voices(4, 1)]
    api.script(
        *(
            {"status": 200, "json": {"items": items, "page": n + 1, "limit": 2, "total": 5}}
            for n, items in enumerate(pages)
        )
    )
    items = uw.paginate(
        connection, platform_api.api.voices.list_workspace_voices, workspace_id=42, limit=2
    )
    assert [voice.voice_id for voice in items] == [f"v_{n}" for n in range(5)]
    queries = [urllib.parse.parse_qs(entry["query"]) for entry in api.log()]
    assert [query["page"] for query in queries] == [["1"], ["2"], ["3"]]
    assert all(query["limit"] == ["2"] for query in queries)
    assert api.pending() == 0


def test_paginate_follows_cursors_until_there_is_none(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    summary = {"providerVoiceId": "p", "name": "Ada", "provider": "elevenlabs"}
    api.script(
        {"status": 200, "json": {"data": [summary, summary], "nextCursor": "c2"}},
        {"status": 200, "json": {"data": [summary], "nextCursor": None}},
    )

    async def collect() -> list[Any]:
        operation = platform_api.api.voices.discover_voices
        return [item async for item in uw.paginate_async(connection, operation)]

    assert len(asyncio.run(collect())) == 3
    queries = [urllib.parse.parse_qs(entry["query"]) for entry in api.log()]
    assert queries == [{}, {"cursor": ["c2"]}]


def test_paginate_refuses_an_operation_that_does_not_page(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    with pytest.raises(uw.OperationUnavailableError, match="get_voice does not page"):
        list(uw.paginate(connection, platform_api.api.voices.get_voice, voice_id="v"))
    assert api.log() == []


def test_find_voices_lists_every_page_and_keeps_exact_names(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    voices = [
        {"voiceId": "v_1", "name": "Ada", "createdAt": "2026-12-03T10:00:00Z"},
        {"voiceId": "v_2", "name": "Ada Lovelace", "createdAt": "2026-12-03T10:00:00Z"},
        {"voiceId": "v_3", "name": " Ada ", "createdAt": "2020-01-01T00:00:00Z"},
    ]
    api.script({"status": 200, "json": {"items": voices, "page": 1, "limit": 20, "total": 3}})
    found = uw.find_voices(connection, workspace_id=42, name="Ada", api=platform_api.api)
    assert [voice.voice_id for voice in found] == ["v_1", "v_3"]
    (request,) = api.log()
    assert request["path"] == "/api/workspaces/42/voices"
    assert urllib.parse.parse_qs(request["query"])["name"] == ["Ada"]


def test_find_voices_says_clearly_when_the_spec_cannot_list_voices(
    api: ScriptedServer, connection: uw.Connection
) -> None:
    with pytest.raises(uw.OperationUnavailableError, match="no operation that lists"):
        uw.find_voices(connection, workspace_id=42, name="Ada")  # the committed client
    with pytest.raises(uw.OperationUnavailableError, match="no operation that lists"):
        uw.clone_voices(connection, [], reconcile=True)
    assert api.log() == []
