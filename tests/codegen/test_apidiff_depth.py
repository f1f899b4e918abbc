"""The diff sees what the generator sees: nested fields, `$ref` targets, unions, shared components."""

from __future__ import annotations

import copy
from typing import Any

from uponai_codegen.apidiff import Change, diff_specs


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def document(
    body: dict[str, Any], parameters: list[Any] | None = None, **schemas: Any
) -> dict[str, Any]:
    operation = {
        "operationId": "makeCall",
        "parameters": parameters or [],
        "requestBody": {"content": {"application/json": {"schema": body}}},
        "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": ref("Call")}}}
        },
    }
    return {
        "openapi": "3.1.0",
        "paths": {
            "/calls": {"post": operation},
            "/calls/{id}": {"get": {"operationId": "getCall", "responses": operation["responses"]}},
        },
        "components": {
            "schemas": {
                "Call": {"type": "object", "properties": {"id": {"type": "string"}}},
                **schemas,
            }
        },
    }


def changed(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    return [(c.location, c.kind, c.detail, c.breaking) for c in diff_specs(old, new)]


NESTED = {
    "type": "object",
    "properties": {
        "route": {
            "type": "object",
            "properties": {
                "leg": {
                    "type": "object",
                    "properties": {"mode": {"type": "string", "enum": ["sip", "pstn"]}},
                }
            },
        }
    },
}


def test_enum_value_removed_two_levels_inside_a_body() -> None:
    new_body = copy.deepcopy(NESTED)
    new_body["properties"]["route"]["properties"]["leg"]["properties"]["mode"]["enum"] = ["sip"]
    assert changed(document(NESTED), document(new_body)) == [
        ("POST /calls body application/json route.leg.mode", "enum value removed", "pstn", True)
    ]


def test_array_of_objects_items_are_compared() -> None:
    old = {
        "type": "array",
        "items": {"type": "object", "required": [], "properties": {"n": {"type": "integer"}}},
    }
    new = copy.deepcopy(old)
    new["items"]["required"] = ["n"]
    assert changed(document(old), document(new)) == [
        ("POST /calls body application/json [].n", "made required", "", True)
    ]


def test_inline_enum_beside_a_ref_is_ignored_like_the_generator_does() -> None:
    status = {"type": "string", "enum": ["queued", "done"]}
    body = {
        "type": "object",
        "properties": {"status": {**ref("Status"), "enum": ["queued", "done"]}},
    }
    sibling_only = copy.deepcopy(body)
    sibling_only["properties"]["status"]["enum"] = ["queued"]
    assert changed(document(body, Status=status), document(sibling_only, Status=status)) == []
    target_changed = {"type": "string", "enum": ["queued"]}
    assert changed(document(body, Status=status), document(body, Status=target_changed)) == [
        ("schema Status [reaches POST /calls] (schema)", "enum value removed", "done", True)
    ]


def test_type_change_inside_a_parameter_allof() -> None:
    def param(kind: str) -> list[Any]:
        return [{"name": "region", "in": "query", "schema": {"allOf": [{"type": kind}]}}]

    assert changed(document(NESTED, param("string")), document(NESTED, param("integer"))) == [
        (
            "POST /calls parameter query region",
            "type changed",
            "allOf[string] -> allOf[integer]",
            True,
        )
    ]


def test_boolean_required_inside_an_allof_member_does_not_crash() -> None:
    def param(required: Any) -> list[Any]:
        member = {"type": "object", "required": required, "properties": {"a": {"type": "string"}}}
        return [{"name": "filter", "in": "query", "schema": {"allOf": [member]}}]

    assert changed(document(NESTED, param(True)), document(NESTED, param(["a"]))) == [
        ("POST /calls parameter query filter a", "made required", "", True)
    ]


def test_oneof_members_and_ref_chains() -> None:
    old_body = {
        "oneOf": [ref("Sip"), {"type": "object", "properties": {"number": {"type": "string"}}}]
    }
    new_body = copy.deepcopy(old_body)
    new_body["oneOf"][1]["properties"]["number"]["type"] = "integer"
    sip = {"allOf": [ref("Endpoint")]}
    endpoint = {"type": "object", "properties": {"uri": {"type": "string"}}}
    moved = {
        "type": "object",
        "properties": {"uri": {"type": "string"}, "port": {"type": "integer"}},
    }
    assert changed(
        document(old_body, Sip=sip, Endpoint=endpoint), document(new_body, Sip=sip, Endpoint=moved)
    ) == [
        (
            "POST /calls body application/json <oneOf 1>.number",
            "type changed",
            "string -> integer",
            True,
        ),
        ("schema Endpoint [reaches POST /calls] port", "added", "optional", False),
    ]


def test_shared_component_is_listed_once_with_the_operations_it_reaches() -> None:
    old = document(NESTED)
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Call"]["properties"]["id"]["type"] = "integer"
    (change,) = diff_specs(old, new)
    assert change == Change(
        "schema Call [reaches GET /calls/{id}, POST /calls] id",
        "type changed",
        "string -> integer",
        True,
    )
