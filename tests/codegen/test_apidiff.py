"""The API diff: every change kind with its breaking flag, on the before/after fixture pair."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.codegen import NAME_MAP, SPEC

from uponai_codegen.apidiff import Change, diff_specs
from uponai_codegen.normalize import load_name_map, normalize
from uponai_codegen.surface import is_nullable

FIXTURES = Path(__file__).with_name("fixtures")


def normalized(name: str) -> dict[str, Any]:
    document, _ = normalize(json.loads((FIXTURES / name).read_text()), load_name_map(NAME_MAP))
    return document


@pytest.fixture(scope="module")
def changes() -> list[Change]:
    return diff_specs(normalized("api_before.json"), normalized("api_after.json"))


AGENT = "schema Agent [reaches GET /api/agents/{agentId}, PATCH /api/agents/{agentId}, POST /api/agents]"
AGENT_CREATE = "schema AgentCreate [reaches PATCH /api/agents/{agentId}, POST /api/agents]"
VOICE_OPS = "GET /api/voices, GET /api/voices/{voiceId}, POST /api/voices/clone"

EXPECTED = [
    # (location, kind, detail, breaking): one of each kind the fixture pair exercises
    ("GET /api/calls/{callId}", "operation added", "getCall", False),
    ("DELETE /api/voices/{voiceId}", "operation removed", "deleteVoice", True),
    (
        "GET /api/account/limits",
        "operation renamed",
        "getLimits -> getAccountLimits: the module is renamed",
        True,
    ),
    ("GET /api/voices parameter query language", "added", "optional", False),
    ("POST /api/calls parameter header X-Idempotency-Key", "added", "required", True),
    ("GET /api/voices parameter query limit", "removed", "", True),
    ("GET /api/agents/{agentId} parameter query expand", "made required", "", True),
    (f"{AGENT_CREATE} description", "added", "optional", False),
    ("POST /api/calls body application/json fromNumber", "added", "required", True),
    (f"{AGENT_CREATE} temperature", "removed", "", True),
    ("POST /api/calls body application/json toNumber", "type changed", "string -> integer", True),
    (f"{AGENT_CREATE} voiceId", "made required", "", True),
    ("PATCH /api/agents/{agentId} request body", "content type removed", "application/json", True),
    (
        "POST /api/agents request body",
        "content type removed",
        "application/x-www-form-urlencoded",
        True,
    ),
    (
        "POST /api/calls request body",
        "content type added",
        "application/x-www-form-urlencoded",
        False,
    ),
    (
        "PATCH /api/agents/{agentId} request body",
        "content type added",
        "multipart/form-data",
        False,
    ),
    (f"schema Voice [reaches {VOICE_OPS}] accent", "added", "optional", False),
    (
        "schema Call [reaches GET /api/calls/{callId}, POST /api/calls] durationMs",
        "removed",
        "",
        True,
    ),
    (f"{AGENT} temperature", "type changed", "number -> string", True),
    (f"schema Voice [reaches {VOICE_OPS}] language", "made nullable", "", True),
    (
        f"schema Gender [reaches {VOICE_OPS}] (schema)",
        "enum value added",
        "other; clients generated before keep it as it comes",
        False,
    ),
    (f"{AGENT} status", "enum value removed", "draft", True),
]


@pytest.mark.parametrize("expected", EXPECTED, ids=[f"{e[1]}:{e[0]}" for e in EXPECTED])
def test_fixture_pair_reports_each_change_kind(
    changes: list[Change], expected: tuple[str, str, str, bool]
) -> None:
    assert Change(*expected) in changes


def test_fixture_pair_totals_and_order(changes: list[Change]) -> None:
    assert len(changes) == 23
    assert sum(c.breaking for c in changes) == 15
    flags = [c.breaking for c in changes]
    assert flags == sorted(flags, reverse=True), "breaking changes come first"


def test_identical_specs_have_no_changes() -> None:
    assert diff_specs(normalized("api_before.json"), normalized("api_before.json")) == []


def spec(**schemas: Any) -> dict[str, Any]:
    return {"components": {"schemas": schemas}}


@pytest.mark.parametrize(
    ("schema", "nullable"),
    [
        ({"type": "string", "nullable": True}, True),
        ({"type": ["string", "null"]}, True),
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, True),
        ({"type": "string"}, False),
    ],
)
def test_nullable_forms(schema: dict[str, Any], nullable: bool) -> None:
    assert is_nullable(schema) is nullable


def test_making_a_request_field_optional_is_compatible() -> None:
    def document(required: list[str]) -> dict[str, Any]:
        body = {"type": "object", "required": required, "properties": {"a": {"type": "string"}}}
        return {
            "paths": {
                "/x": {
                    "post": {
                        "operationId": "x",
                        "requestBody": {"content": {"application/json": {"schema": body}}},
                        "responses": {},
                    }
                }
            }
        }

    (change,) = diff_specs(document(["a"]), document([]))
    assert (change.kind, change.breaking) == ("made optional", False)


def test_the_regenerating_page_quotes_the_current_report_for_the_fixture_pair() -> None:
    from support.codegen import ROOT

    from uponai_codegen.apidiff import render

    before, after = normalized("api_before.json"), normalized("api_after.json")
    report = render(diff_specs(before, after), "2026-01-01", "2026-06-01")
    page = (ROOT / "docs" / "regenerating.md").read_text()
    assert report in page, "refresh the API diff example in docs/regenerating.md"


def _clone_edit(edit: Any) -> list[Change]:
    """The changes one edit of the committed spec's clone operation makes."""
    before = json.loads(SPEC.read_text())
    after = json.loads(json.dumps(before))
    edit(after["paths"]["/api/voices/clone"]["post"])
    names = load_name_map(NAME_MAP)
    return diff_specs(normalize(before, names)[0], normalize(after, names)[0])


def _body(operation: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    return schema


def test_an_optional_map_or_array_added_to_the_body_is_compatible() -> None:
    changes = _clone_edit(
        lambda op: _body(op)["properties"].update(
            labels={"type": "object", "additionalProperties": {"type": "string"}},
            tags={"type": "array", "items": {"type": "string"}},
        )
    )
    assert changes
    assert not any(change.breaking for change in changes), changes
    assert {change.location.rsplit(" ", 1)[-1] for change in changes} == {"labels", "tags"}


def test_a_sent_string_becoming_an_enum_is_breaking() -> None:
    changes = _clone_edit(
        lambda op: _body(op)["properties"]["voiceProvider"].update(enum=["elevenlabs", "openai"])
    )
    (change,) = changes
    assert (change.kind, change.breaking) == ("restricted to an enum", True)


def test_tighter_limits_on_what_is_sent_break_and_looser_ones_do_not() -> None:
    def tighten(op: dict[str, Any]) -> None:
        _body(op)["properties"]["files"]["maxItems"] = 5
        _body(op)["properties"]["voiceName"]["maxLength"] = 100

    tightened = _clone_edit(tighten)
    assert {(c.kind, c.detail, c.breaking) for c in tightened} == {
        ("limit tightened", "maxItems none -> 5", True),
        ("limit tightened", "maxLength none -> 100", True),
    }


def test_a_new_success_status_is_named() -> None:
    queued = {"description": "Queued.", "content": {"application/json": {"schema": {}}}}
    changes = _clone_edit(lambda op: op["responses"].update({"202": queued}))
    assert any(
        c.kind == "response added" and "another success answer" in c.detail for c in changes
    ), changes
