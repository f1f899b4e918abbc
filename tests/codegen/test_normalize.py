"""Each normalisation step on its own (operation naming: test_names.py)."""

from __future__ import annotations

import copy
from typing import Any

from support.codegen import NAME_MAP, SPEC

from uponai_codegen.normalize import (
    assign_operation_ids,
    load_name_map,
    stale_name_map_entries,
)
from uponai_codegen.spec import load_spec


def spec_with(**paths: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}


def test_name_map_wins_over_summary() -> None:
    document = spec_with(**{"/v": {"post": {"summary": "Make a voice"}}})
    named = assign_operation_ids(document, {"POST /v": "cloneVoice"})
    assert named["paths"]["/v"]["post"]["operationId"] == "cloneVoice"
    assert "operationId" not in document["paths"]["/v"]["post"], "the input is not mutated"


def test_summary_used_when_the_map_has_no_entry() -> None:
    document = spec_with(**{"/v": {"get": {"summary": "List voices"}}})
    assert assign_operation_ids(document, {})["paths"]["/v"]["get"]["operationId"] == "listVoices"


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
