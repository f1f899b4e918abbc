"""The retry rule per method, counted at a real server: idempotent methods are retried after
connection failures and on 408/429/5xx; POST and PATCH only where nothing can have happened
(nothing sent, 429, 503); a 502/504 or a lost answer after their body is an unknown outcome."""

from __future__ import annotations

import asyncio
import types
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from support.operations import AGENT, VOICE, Waits, error_body
from support.scripted_server import ScriptedServer

import uponai_widgets as uw
from uponai_devtools.processes import free_port

FLOW: dict[str, Any] = {
    "conversationFlowId": "f_1",
    "name": "Greeting",
    "startNodeId": "n_1",
    "nodes": [{"nodeId": "n_1", "kind": "say", "prompt": "Hello"}],
    "version": 2,
}

Request = Callable[[types.ModuleType], tuple[Any, dict[str, Any], Any]]


def get_voice(api: types.ModuleType) -> tuple[Any, dict[str, Any], Any]:
    return api.api.voices.get_voice, {"voice_id": "v_1"}, VOICE


def delete_call(api: types.ModuleType) -> tuple[Any, dict[str, Any], Any]:
    return api.api.calls.delete_call, {"call_id": "c_1"}, None


def replace_flow(api: types.ModuleType) -> tuple[Any, dict[str, Any], Any]:
    body = api.models.ConversationFlowReplace(
        name="Greeting",
        start_node_id="n_1",
        nodes=[api.models.FlowNode(node_id="n_1", kind=api.models.FlowNodeKind.SAY, prompt="Hi")],
    )
    return (
        api.api.conversation_flows.replace_conversation_flow,
        {
            "conversation_flow_id": "f_1",
            "body": body,
        },
        FLOW,
    )


def create_agent(api: types.ModuleType) -> tuple[Any, dict[str, Any], Any]:
    body = api.models.AgentCreate(workspace_id=42, name="Front desk", voice_id="v_1")
    return api.api.agents.create_agent, {"body": body}, AGENT


def update_agent(api: types.ModuleType) -> tuple[Any, dict[str, Any], Any]:
    body = api.models.AgentUpdate(name="Back office")
    return api.api.agents.update_agent, {"agent_id": 5, "body": body}, AGENT


IDEMPOTENT: dict[str, Request] = {"GET": get_voice, "DELETE": delete_call, "PUT": replace_flow}
CREATING: dict[str, Request] = {"POST": create_agent, "PATCH": update_agent}
SUCCESS = {"GET": 200, "DELETE": 204, "PUT": 200, "POST": 201, "PATCH": 200}

FAILURES: dict[str, dict[str, Any]] = {
    "408": {"status": 408, "json": error_body("slow")},
    "429": {"status": 429, "headers": {"Retry-After": "3"}, "json": error_body("busy")},
    "500": {"status": 500, "json": error_body("broken")},
    "502": {"status": 502, "body": "Bad Gateway"},
    "503": {"status": 503, "headers": {"Retry-After": "1"}, "json": error_body("down")},
    "504": {"status": 504, "body": "Gateway Timeout"},
    "dropped after the request": {"action": "drop_after_reading"},
}


def _success(method: str, answer: Any) -> dict[str, Any]:
    status = SUCCESS[method]
    return {"status": status, "json": answer} if answer is not None else {"status": status}


@pytest.mark.parametrize("method", sorted(IDEMPOTENT))
@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_idempotent_methods_are_retried_after_every_transient_failure(
    platform_api: types.ModuleType,
    api: ScriptedServer,
    connection: uw.Connection,
    waits: Waits,
    method: str,
    failure: str,
) -> None:
    operation, arguments, answer = IDEMPOTENT[method](platform_api)
    api.script(FAILURES[failure], _success(method, answer))
    result = uw.call(connection, operation, **arguments)
    assert (result is None) == (answer is None)
    log = api.log()
    assert [entry["method"] for entry in log] == [method, method]
    assert log[0]["body_sha256"] == log[1]["body_sha256"]
    if failure == "429":
        assert waits.seconds == [3.0]


@pytest.mark.parametrize("method", sorted(CREATING))
@pytest.mark.parametrize("failure", ["429", "503"])
def test_creating_methods_are_retried_where_nothing_was_done(
    platform_api: types.ModuleType,
    api: ScriptedServer,
    connection: uw.Connection,
    waits: Waits,
    method: str,
    failure: str,
) -> None:
    operation, arguments, answer = CREATING[method](platform_api)
    api.script(FAILURES[failure], _success(method, answer))
    assert uw.call(connection, operation, **arguments).agent_id == 5
    assert len(api.log()) == 2
    assert waits.seconds == [3.0 if failure == "429" else 1.0]


@pytest.mark.parametrize("method", sorted(CREATING))
@pytest.mark.parametrize(
    ("failure", "cls"),
    [
        ("408", uw.APIStatusError),
        ("500", uw.OutcomeUnknownError),
        ("502", uw.OutcomeUnknownError),
        ("504", uw.OutcomeUnknownError),
        ("dropped after the request", uw.OutcomeUnknownError),
    ],
)
def test_creating_methods_are_never_resent_after_their_body_went_out(
    platform_api: types.ModuleType,
    api: ScriptedServer,
    connection: uw.Connection,
    method: str,
    failure: str,
    cls: type[uw.UponAIError],
) -> None:
    operation, arguments, answer = CREATING[method](platform_api)
    api.script(FAILURES[failure], _success(method, answer))
    with pytest.raises(cls) as info:
        uw.call(connection, operation, **arguments)
    assert type(info.value) is cls
    assert len(api.log()) == 1
    if cls is uw.OutcomeUnknownError:
        assert "may have taken effect" in str(info.value)
    assert api.pending() == 1  # the success was never asked for


def test_a_refused_connection_is_retried_then_said_to_have_sent_nothing(
    platform_api: types.ModuleType, waits: Waits
) -> None:
    policy = uw.RetryPolicy(max_retries=2, sleep=waits.sleep)
    connection = uw.connect(f"http://127.0.0.1:{free_port()}", "t", retry=policy)
    operation, arguments, _answer = create_agent(platform_api)
    with pytest.raises(uw.APIConnectionError, match="nothing was sent") as info:
        uw.call(connection, operation, **arguments)
    assert not isinstance(info.value, uw.OutcomeUnknownError)
    assert info.value.body_sent is False
    assert len(waits.seconds) == 2  # two retries, three attempts


def test_the_retry_count_is_the_policys(
    platform_api: types.ModuleType, api: ScriptedServer, waits: Waits
) -> None:
    api.script({"status": 503, "json": error_body("down"), "repeat": 5})
    policy = uw.RetryPolicy(max_retries=4, sleep=waits.sleep)
    connection = uw.connect(api.url, "t", retry=policy)
    with pytest.raises(uw.ServerError, match="down"):
        uw.call(connection, platform_api.api.account.get_account)
    assert len(api.log()) == 5


def test_timeouts_are_by_kind_and_per_call(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    api.script({"action": "hang", "delay": 3, "repeat": 3})
    operation, arguments, _answer = get_voice(platform_api)
    with pytest.raises(uw.APITimeoutError) as info:
        uw.call(connection, operation, timeout=0.3, **arguments)
    assert not isinstance(info.value, uw.OutcomeUnknownError)
    assert len(api.log()) == 3  # a GET is retried after a read timeout
    api.reset()
    api.script({"action": "hang", "delay": 3})
    operation, arguments, _answer = create_agent(platform_api)
    with pytest.raises(uw.OutcomeUnknownTimeoutError, match="timed out waiting"):
        uw.call(connection, operation, timeout=httpx.Timeout(0.3, connect=5), **arguments)
    assert len(api.log()) == 1


def test_async_calls_work_from_one_event_loop_after_another(
    platform_api: types.ModuleType, api: ScriptedServer, connection: uw.Connection
) -> None:
    api.script({"status": 200, "json": VOICE, "repeat": 4})
    operation, arguments, _answer = get_voice(platform_api)

    async def twice() -> list[Any]:
        return list(
            await asyncio.gather(
                uw.call_async(connection, operation, **arguments),
                uw.call_async(connection, operation, **arguments),
            )
        )

    first = asyncio.run(twice())
    second = asyncio.run(twice())  # a new loop: the SDK gives it its own HTTP client
    assert [voice.voice_id for voice in first + second] == ["v_1"] * 4
    assert len(api.log()) == 4
