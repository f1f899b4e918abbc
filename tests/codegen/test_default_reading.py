"""Defaults and response keys judged on one-schema specs: each default the generator cannot
convert is dropped from its copy of the spec with a warning at the key; the others say what the
client does."""

from __future__ import annotations

import re
from typing import Any

import pytest

from uponai_codegen import PipelineError
from uponai_codegen.lint_defaults import without_unreadable_defaults
from uponai_codegen.spec import validate_openapi

DROPPED = "default-dropped"
GONE = (
    "which would leave out what holds it; the generator gets the spec without this default, so "
    "the client has no default for it and the server's applies"
)


def spec_with(schema: dict[str, Any], responses: dict[str, Any] | None = None) -> dict[str, Any]:
    """A 3.1 document whose one property (`/components/schemas/Thing/properties/p`) is `schema`."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"responses": responses or {"200": {"description": "ok"}}}}},
        "components": {
            "schemas": {
                "Thing": {"type": "object", "properties": {"p": schema}},
                "Model": {"type": "object", "properties": {"a": {"type": "string"}}},
                "Mode": {"type": "string", "enum": ["fast", "slow"]},
            }
        },
    }


WHERE = "/components/schemas/Thing/properties/p/default"
UNREADABLE = {
    # the generator cannot convert these defaults and would leave the model out of the client
    "not a boolean": ({"type": "boolean", "default": "yes"}, "Invalid boolean value: yes"),
    "boolean for an integer": ({"type": "integer", "default": True}, "Invalid int value"),
    "fraction for an integer": ({"type": "integer", "default": 2.5}, "Invalid int value: 2.5"),
    "outside the enum": ({"type": "string", "enum": ["a"], "default": "b"}, "not valid for"),
    "outside a referenced enum": (
        {"allOf": [{"$ref": "#/components/schemas/Mode"}], "default": "medium"},
        "Value medium is not valid for the enum",
    ),
    "unparsable date": ({"type": "string", "format": "date", "default": "soon"}, "Invalid date"),
    "number for a uuid": ({"type": "string", "format": "uuid", "default": 3}, "Cannot convert 3"),
    "no member of the union takes it": (
        {"anyOf": [{"type": "boolean"}, {"type": "integer"}], "default": "often"},
        "Invalid int value: often",
    ),
    "a default for a referenced model": (
        {"allOf": [{"$ref": "#/components/schemas/Model"}], "default": {"a": "x"}},
        "ModelProperty cannot have a default value",
    ),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_a_default_the_generator_cannot_read_is_dropped_with_a_warning_at_the_key(
    case: str,
) -> None:
    schema, reason = UNREADABLE[case]
    document = spec_with(schema)
    (warning,) = validate_openapi(document, "spec.json")
    assert (warning.pointer, warning.code) == (WHERE, DROPPED)
    assert reason in warning.message
    assert GONE in warning.message
    given = without_unreadable_defaults(document)
    assert "default" not in given["components"]["schemas"]["Thing"]["properties"]["p"]
    assert "default" in document["components"]["schemas"]["Thing"]["properties"]["p"], "copied"
    assert given["paths"] is document["paths"], "only the way to the default is copied"


def test_a_union_default_is_read_by_its_first_member_that_takes_it() -> None:
    schema = {"anyOf": [{"type": "boolean"}, {"type": "integer"}], "default": "3"}
    (warning,) = validate_openapi(spec_with(schema), "spec.json")
    assert (warning.pointer, warning.code) == (WHERE, "default-converted")
    assert "the generated client uses 3 when" in warning.message


def test_equal_defaults_are_each_reported_at_their_own_key() -> None:
    """`1 == True` in Python: the validator's report put one at the other's place."""
    document = spec_with({"type": "string", "default": True})
    document["paths"]["/x"]["get"]["parameters"] = [
        {"name": "n", "in": "query", "schema": {"type": "string", "default": 1}}
    ]
    pointers = {w.pointer: w.message for w in validate_openapi(document, "spec.json")}
    assert set(pointers) == {WHERE, "/paths/~1x/get/parameters/0/schema/default"}
    assert "uses 'True' (Python's spelling" in pointers[WHERE]


def test_a_default_that_fits_its_type_but_breaks_a_limit_is_a_warning() -> None:
    (warning,) = validate_openapi(spec_with({"type": "integer", "minimum": 1, "default": 0}), "s")
    assert warning.pointer == WHERE
    assert "(it is less than the minimum of 1)" in warning.message
    assert "the generated client uses 0 when" in warning.message


def test_only_bad_response_keys_is_an_error_at_each_key_not_at_the_parent() -> None:
    responses = {"abcdef": {"description": "x"}, "20": {"description": "y"}}
    with pytest.raises(PipelineError) as caught:
        validate_openapi(spec_with({"type": "string"}, responses), "spec.json")
    text = str(caught.value)
    assert "\n  /paths/~1x/get/responses/abcdef: 'abcdef' is not a status code" in text
    assert "\n  /paths/~1x/get/responses/20: '20' is not a status code" in text
    assert "GET /x has no other response" in text
    assert not re.search(r"responses: ", text), "reported at the parent"


def test_ranges_and_default_are_status_keys() -> None:
    responses = {"2XX": {"description": "x"}, "default": {"description": "y"}}
    assert validate_openapi(spec_with({"type": "string"}, responses), "spec.json") == []
