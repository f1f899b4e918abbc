"""Operation names: any common `operationId` style, the name map first, collisions with a fix."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from support.codegen import ROOT

from uponai_codegen import PipelineError
from uponai_codegen.normalize import assign_operation_ids

STYLES = [
    ("camelCase", "getSpeechHistory", "get_speech_history"),
    ("PascalCase", "GetSpeechHistory", "get_speech_history"),
    ("snake_case", "get_speech_history", "get_speech_history"),
    ("kebab-case", "get-speech-history", "get_speech_history"),
    ("dotted", "speech.history.get", "speech_history_get"),
    ("with digits", "v1_text_to_speech_2", "v1_text_to_speech_2"),
    ("acronyms", "getTTSVoiceByID", "get_tts_voice_by_id"),
    ("leading digit", "2fa-verify", "field_2fa_verify"),
    ("Python keyword", "import", "import_"),
    ("spaces and symbols", "Create voice (v2)!", "create_voice_v_2"),
    ("digit after a capital", "textToSpeechV1", "text_to_speech_v1"),
]


def python_name(operation_id: str) -> str:
    from uponai_codegen.names import python_name as generators_name

    return generators_name(operation_id)


def spec_with(**paths: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}


def ok(operation_id: str | None = None, **rest: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {"responses": {"200": {"description": "ok"}}, **rest}
    if operation_id is not None:
        operation["operationId"] = operation_id
    return operation


def names(document: dict[str, Any]) -> dict[str, str]:
    return {
        f"{method.upper()} {path}": op["operationId"]
        for path, item in document["paths"].items()
        for method, op in item.items()
    }


@pytest.mark.parametrize(("style", "operation_id", "expected"), STYLES, ids=[s[0] for s in STYLES])
def test_every_common_style_is_accepted(style: str, operation_id: str, expected: str) -> None:
    named = assign_operation_ids(spec_with(**{"/v1/history": {"get": ok(operation_id)}}), {})
    assert named["paths"]["/v1/history"]["get"]["operationId"] == operation_id
    assert python_name(operation_id) == expected


def test_the_regenerating_page_shows_each_style_and_its_result() -> None:
    page = (ROOT / "docs" / "regenerating.md").read_text()
    for style, operation_id, expected in STYLES:
        assert f"| {style} | `{operation_id}` | `{expected}` |" in page


def test_name_map_entry_wins_over_the_specs_own_id() -> None:
    document = spec_with(**{"/v1/history": {"get": ok("get_speech_history")}})
    named = assign_operation_ids(document, {"GET /v1/history": "listHistory"})
    assert names(named) == {"GET /v1/history": "listHistory"}


def test_no_id_and_no_summary_is_named_from_method_and_path_like_the_raw_generator() -> None:
    document = spec_with(**{"/v1/voices/{voice_id}/samples": {"delete": ok()}})
    named = assign_operation_ids(document, {})
    assert names(named) == {
        "DELETE /v1/voices/{voice_id}/samples": "delete_v1_voices_voice_id_samples"
    }


def test_id_without_letters_is_an_error_naming_the_entry_to_add() -> None:
    document = spec_with(**{"/a": {"get": ok("--")}})
    with pytest.raises(PipelineError, match=r'GET /a: .*no letters.*"GET /a": "<name>"'):
        assign_operation_ids(document, {})


def fix_from(message: str) -> dict[str, str]:
    """The name-map entries an error message advises, parsed as JSON."""
    entries = re.findall(r'^  ("[^"]+": "[^"]+"),$', message, flags=re.MULTILINE)
    loaded: dict[str, str] = json.loads("{" + ", ".join(entries) + "}")
    return loaded


COLLIDING = spec_with(
    **{
        "/v1/voices": {"get": ok("getVoices"), "post": ok("get_voices")},
        "/v2/voices": {"get": ok("get-voices")},
        "/v1/models": {"get": ok("listModels")},
        "/v2/models": {"get": ok("listModels")},
    }
)


def test_collisions_list_every_operation_with_method_and_path() -> None:
    with pytest.raises(PipelineError) as caught:
        assign_operation_ids(COLLIDING, {})
    message = str(caught.value)
    assert (
        "  get_voices: GET /v1/voices (operationId 'getVoices'), POST /v1/voices (operationId "
        "'get_voices'), GET /v2/voices (operationId 'get-voices')"
    ) in message
    assert "  list_models: GET /v1/models (operationId 'listModels'), GET /v2/models" in message
    assert set(fix_from(message)) == {"POST /v1/voices", "GET /v2/voices", "GET /v2/models"}


def test_following_the_advice_works() -> None:
    with pytest.raises(PipelineError) as caught:
        assign_operation_ids(COLLIDING, {})
    fix = fix_from(str(caught.value))
    named = assign_operation_ids(COLLIDING, fix)
    assert len({python_name(n) for n in names(named).values()}) == 5


def test_advice_does_not_collide_with_an_existing_name() -> None:
    document = spec_with(**{"/a": {"get": ok("x"), "post": ok("X")}, "/b": {"get": ok("post_a")}})
    with pytest.raises(PipelineError) as caught:
        assign_operation_ids(document, {})
    fix = fix_from(str(caught.value))
    assert fix == {"POST /a": "post_a_2"}
    assign_operation_ids(document, fix)
