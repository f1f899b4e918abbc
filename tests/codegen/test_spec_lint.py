"""Lenient by default, strict on request; every message names an absolute JSON pointer."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from support.codegen import ROOT

from uponai_codegen import PipelineError
from uponai_codegen.spec import load_spec, validate_openapi

FIXTURES = Path(__file__).with_name("fixtures")
CORPUS, INVALID = FIXTURES / "corpus", FIXTURES / "invalid"

WARNINGS = {
    # fixture -> (pointer, code) of each warning it shows
    "lenient_30.json": {
        ("/components/schemas/Run/readonly", "unknown-key"),
        ("/components/schemas/Run/required", "duplicate-required"),
        ("/components/schemas/RunRequest/properties/agent_id/example-value", "unknown-key"),
        ("/components/schemas/RunRequest/required", "duplicate-required"),
        ("/paths/~1tests~1{test_id}~1runs/post/deprecated-reason", "unknown-key"),
    },
    "habits_30_in_31.json": {
        (
            "/components/schemas/LlmModel/properties/context_window/exclusiveMinimum",
            "boolean-exclusive-bound",
        ),
        ("/components/schemas/LlmModel/properties/deprecated_at/nullable", "nullable-in-3.1"),
        ("/components/schemas/LlmModel/properties/id/examples", "examples-not-a-list"),
    },
}

ERRORS = {
    # fixture -> the one line its error prints
    "dangling_ref.json": "/components/schemas/Thing/properties/owner/$ref: '#/components/schemas/Owner' points to nothing in the document",
    "boolean_required.json": "/components/schemas/Thing/properties/name/required: 'required' must be a list of property names, found True",
    "duplicate_enum.json": "/components/schemas/Thing/properties/state/enum: 'enum' repeats 'on': the generator cannot name both members",
    "missing_description.json": '/paths/~1things/get/responses/200: "description" is a required property',
    "nested_bad_type.json": "/components/schemas/Thing/properties/meta/properties/count/type: 'integr' is not valid under any of the given schemas",
}


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_harmless_mistakes_are_warnings_with_absolute_pointers(name: str) -> None:
    warnings = validate_openapi(load_spec(CORPUS / name), name)
    assert {(w.pointer, w.code) for w in warnings} == WARNINGS[name]
    assert not any(w.fatal for w in warnings)


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_strict_makes_the_warnings_errors(name: str) -> None:
    with pytest.raises(PipelineError, match=r"--strict") as caught:
        validate_openapi(load_spec(CORPUS / name), name, strict=True)
    for pointer, _ in WARNINGS[name]:
        assert f"  {pointer}: " in str(caught.value)


def test_repeated_required_entry_inside_a_31_schema_is_a_warning_at_its_absolute_place() -> None:
    document = json.loads((CORPUS / "deep_allof.json").read_text())
    document["components"]["schemas"]["Resource"]["required"] = ["id", "id"]
    (warning,) = validate_openapi(document, "spec.json")
    assert warning.pointer == "/components/schemas/Resource/required"
    assert "'id' more than once" in warning.message


def test_stray_key_is_named_not_dumped() -> None:
    document = json.loads((CORPUS / "lenient_30.json").read_text())
    run = document["components"]["schemas"]["Run"]
    run.pop("readonly")
    run["properties"]["state"]["x-order"] = 1
    run["properties"]["state"]["colour"] = "red"
    pointers = {str(w) for w in validate_openapi(document, "spec.json")}
    assert (
        "/components/schemas/Run/properties/state/colour: unknown key 'colour' in a schema "
        "(the generator ignores it)"
    ) in pointers
    assert not any("{'" in line or '{"' in line for line in pointers), "no schema is dumped"


def test_a_31_keyword_the_generator_reads_in_a_30_spec_is_not_called_ignored() -> None:
    document = json.loads((CORPUS / "lenient_30.json").read_text())
    document["components"]["schemas"]["Run"].pop("readonly")
    document["components"]["schemas"]["Run"]["properties"]["state"]["const"] = "running"
    (warning,) = [w for w in validate_openapi(document, "spec.json") if "const" in w.pointer]
    assert (warning.pointer, warning.code) == (
        "/components/schemas/Run/properties/state/const",
        "keyword-from-3.1",
    )
    assert warning.message.endswith("in a 3.0 spec; the generator honours it")


def test_a_duplicate_parameter_is_named_at_the_repeated_parameter() -> None:
    document = json.loads((CORPUS / "lenient_30.json").read_text())
    document["components"]["schemas"]["Run"].pop("readonly")
    (path, item), *_ = document["paths"].items()
    method = next(m for m in item if m in ("get", "post", "put", "patch", "delete"))
    query = {"name": "q", "in": "query", "schema": {"type": "string"}}
    item[method]["parameters"] = [*item[method].get("parameters", []), query, dict(query)]
    count = len(item[method]["parameters"])
    with pytest.raises(PipelineError) as caught:
        validate_openapi(document, "spec.json")
    escaped = path.replace("~", "~0").replace("/", "~1")
    assert f"\n  /paths/{escaped}/{method}/parameters/{count - 1}: Duplicate parameter" in str(
        caught.value
    )
    assert "not located" not in str(caught.value)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_name_the_absolute_pointer(name: str) -> None:
    with pytest.raises(PipelineError) as caught:
        validate_openapi(load_spec(INVALID / name), name)
    assert f"\n  {ERRORS[name]}" in str(caught.value)


def test_error_inside_a_nested_31_schema_is_not_reported_relative() -> None:
    document: dict[str, Any] = json.loads((INVALID / "nested_bad_type.json").read_text())
    with pytest.raises(PipelineError) as caught:
        validate_openapi(document, "spec.json")
    assert not re.search(r"(^|\s)/properties/", str(caught.value)), "a relative pointer"


def test_yaml_with_dates_and_numeric_response_codes_loads_as_json_would() -> None:
    document = load_spec(CORPUS / "dated.yaml")
    assert document["info"]["version"] == "2024-05-01"
    operation = document["paths"]["/calls"]["get"]
    assert list(operation["responses"]) == ["200"]
    assert operation["parameters"][0]["schema"]["example"] == "2024-01-31"
    assert validate_openapi(document, "dated.yaml") == []


def test_broken_yaml_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "spec.yaml"
    bad.write_text("openapi: 3.1.0\ninfo:\n  title: [unclosed\n")
    with pytest.raises(PipelineError, match=r"spec.yaml:\d+:\d+: neither JSON nor valid YAML"):
        load_spec(bad)


def test_the_regenerating_page_lists_each_warning_and_error_with_its_fixture() -> None:
    section = (ROOT / "docs" / "regenerating.md").read_text()
    for name, found in WARNINGS.items():
        for _, code in found:
            assert re.search(rf"\| `{re.escape(code)}` \|.*`{re.escape(name)}`", section), code
    for name in ERRORS:
        assert f"`{name}`" in section, name
