"""Each normalisation step on its own."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from codegen_support import NAME_MAP, SPEC

from uponai_codegen import PipelineError
from uponai_codegen.normalize import (
    assign_operation_ids,
    is_usable_operation_id,
    load_name_map,
    operation_id_from_summary,
    stale_name_map_entries,
)
from uponai_codegen.spec import load_spec


def spec_with(**paths: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("Clone voice", "cloneVoice"),
        ("List all voices", "listAllVoices"),
        ("  get   Voice by ID ", "getVoiceById"),
        ("Add voice (v2)", "addVoiceV2"),
        ("---", ""),
    ],
)
def test_operation_id_from_summary(summary: str, expected: str) -> None:
    assert operation_id_from_summary(summary) == expected


@pytest.mark.parametrize(
    ("name", "usable"),
    [
        ("cloneVoice", True),
        ("v2Clone", True),
        ("2clone", False),
        ("", False),
        ("import", False),
        ("clone_voice", False),
    ],
)
def test_usable_operation_ids(name: str, usable: bool) -> None:
    assert is_usable_operation_id(name) is usable


def test_name_map_wins_over_summary() -> None:
    document = spec_with(**{"/v": {"post": {"summary": "Make a voice"}}})
    named = assign_operation_ids(document, {"POST /v": "cloneVoice"})
    assert named["paths"]["/v"]["post"]["operationId"] == "cloneVoice"
    assert "operationId" not in document["paths"]["/v"]["post"], "the input is not mutated"


def test_summary_used_when_the_map_has_no_entry() -> None:
    document = spec_with(**{"/v": {"get": {"summary": "List voices"}}})
    assert assign_operation_ids(document, {})["paths"]["/v"]["get"]["operationId"] == "listVoices"


def test_existing_operation_id_is_kept() -> None:
    document = spec_with(
        **{"/v": {"get": {"operationId": "fetchVoices", "summary": "List voices"}}}
    )
    assert assign_operation_ids(document, {})["paths"]["/v"]["get"]["operationId"] == "fetchVoices"


def test_missing_summary_names_the_operation_to_map() -> None:
    document = spec_with(**{"/v/{id}": {"delete": {}}})
    with pytest.raises(PipelineError, match=r"DELETE /v/\{id\}.*operation-names.json"):
        assign_operation_ids(document, {})


def test_collision_names_both_operations() -> None:
    document = spec_with(
        **{"/a": {"get": {"summary": "Get voice"}}, "/b": {"get": {"summary": "Get voice"}}}
    )
    with pytest.raises(PipelineError, match=r"GET /b: .*'getVoice'.*GET /a"):
        assign_operation_ids(document, {})


def test_unusable_name_is_an_error() -> None:
    document = spec_with(**{"/a": {"get": {"summary": "Import"}}})
    with pytest.raises(PipelineError, match=r"GET /a: 'import' is not a usable operation name"):
        assign_operation_ids(document, {})


def test_committed_map_pins_todays_operation() -> None:
    name_map = load_name_map(NAME_MAP)
    assert name_map == {"POST /api/voices/clone": "cloneVoice"}
    document = load_spec(SPEC)
    renamed = copy.deepcopy(document)
    renamed["paths"]["/api/voices/clone"]["post"]["summary"] = "Create a cloned voice"
    named = assign_operation_ids(renamed, name_map)
    assert named["paths"]["/api/voices/clone"]["post"]["operationId"] == "cloneVoice"
    assert stale_name_map_entries(document, name_map) == []


def test_stale_map_entries_are_reported() -> None:
    document = spec_with(**{"/a": {"get": {"summary": "Get a"}}})
    assert stale_name_map_entries(document, {"POST /gone": "gone"}) == ["POST /gone"]


def test_nothing_else_is_changed() -> None:
    document = load_spec(SPEC)
    named = assign_operation_ids(document, load_name_map(NAME_MAP))
    del named["paths"]["/api/voices/clone"]["post"]["operationId"]
    assert named == document
