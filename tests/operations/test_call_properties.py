"""Hypothesis over server behaviours for a GET and a DELETE: the number of requests the server
sees and what the caller gets follow the retry rule, whatever sequence of answers comes."""

from __future__ import annotations

import types
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.operations import TOKEN, VOICE, error_body
from support.scripted_server import ScriptedServer

import uponai_widgets as uw

pytestmark = pytest.mark.slow

TRANSIENT_STATUSES = {408, 429, 500, 502, 503, 504}
MAX_RETRIES = 2

behaviours = st.one_of(
    st.sampled_from([400, 401, 403, 404, 408, 409, 418, 422, 429, 500, 502, 503, 504]).map(
        lambda status: ("status", status)
    ),
    st.sampled_from(["success", "drop_after_reading", "drop_before_reading", "truncated"]).map(
        lambda kind: (kind, 0)
    ),
)


def _step(kind: str, status: int, method: str) -> dict[str, Any]:
    if kind == "status":
        return {"status": status, "json": error_body(f"{status} and {TOKEN}")}
    if kind == "success":
        return {"status": 200, "json": VOICE} if method == "GET" else {"status": 204}
    if kind == "truncated":
        return {"status": 200, "json": VOICE, "action": "truncate_body"}
    return {"action": kind}


def _expected(steps: list[tuple[str, int]], method: str) -> tuple[int, str]:
    """(requests the server sees, what the caller gets): the rule, written out independently."""
    for attempt, (kind, status) in enumerate(steps, start=1):
        transient = kind.startswith("drop") or status in TRANSIENT_STATUSES
        if kind == "success":
            return attempt, "result"
        if kind == "truncated":  # a 2xx whose body was cut: what it did is unreadable
            return attempt, "UnexpectedResponseError" if method == "GET" else "retried-truncate"
        if not transient or attempt > MAX_RETRIES:
            return attempt, f"status {status}" if status else "APIConnectionError"
    raise AssertionError("the script always ends with an answer")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(method=st.sampled_from(["GET", "DELETE"]), answers=st.lists(behaviours, max_size=3))
def test_requests_and_outcome_follow_the_rule(
    platform_api: types.ModuleType,
    api_server: ScriptedServer,
    method: str,
    answers: list[tuple[str, int]],
) -> None:
    api = api_server
    api.reset()
    steps = [*answers, ("success", 0)][: MAX_RETRIES + 1]
    if method == "DELETE":  # a cut 204 has no body to cut: use a plain drop instead
        steps = [
            ("drop_after_reading", 0) if kind == "truncated" else (kind, s) for kind, s in steps
        ]
    api.script(*(_step(kind, status, method) for kind, status in steps))
    policy = uw.RetryPolicy(max_retries=MAX_RETRIES, sleep=lambda _seconds: None)
    connection = uw.connect(api.url, TOKEN, retry=policy, httpx_args={"trust_env": False})
    if method == "GET":
        operation, arguments = platform_api.api.voices.get_voice, {"voice_id": "v_1"}
    else:
        operation, arguments = platform_api.api.calls.delete_call, {"call_id": "c_1"}
    requests, outcome = _expected(steps, method)
    result, error = _outcome(connection, operation, arguments)
    assert len(api.log()) == requests, steps
    if error is None:
        assert outcome == "result", (steps, result)
        assert (result is None) == (method == "DELETE")
        return
    assert TOKEN not in str(error) + repr(error) + str(error.code)
    assert not isinstance(error, uw.OutcomeUnknownError)  # idempotent: never "unknown"
    if outcome.startswith("status "):
        assert isinstance(error, uw.APIStatusError)
        assert error.status == int(outcome.split()[1])
    else:
        assert type(error).__name__ in {outcome, "APITimeoutError"}, (outcome, error)


def _outcome(
    connection: uw.Connection, operation: Any, arguments: dict[str, Any]
) -> tuple[Any, uw.UponAIError | None]:
    with connection:
        try:
            return uw.call(connection, operation, **arguments), None
        except uw.UponAIError as error:
            return None, error
