"""Mistakes openapi-python-client turns into a correct client are warnings that say what the
client does; where it would leave something out of the client, an error (or, for a whole
operation, a warning naming `METHOD /path`). Every finding names the key at fault.

Each class has a fixture in `fixtures/corpus/` (so `test_corpus.py` also generates, imports
and reproduces it); the slow tests send each one through `scripts/regenerate.py`.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from support.codegen import ROOT, regenerate
from support.generated_import import import_generated

from uponai_codegen import PipelineError
from uponai_codegen.apidiff import diff_specs
from uponai_codegen.lint_operations import content_type_overrides, without_skipped_operations
from uponai_codegen.spec import load_spec, validate_openapi

CORPUS = Path(__file__).with_name("fixtures") / "corpus"
CONVERTED, IGNORED = "default-converted", "default-ignored"
CODES = {CONVERTED, IGNORED, "operation-skipped", "bad-status-code"}
CALLS, VOICES = "/paths/~1v1~1calls/get/parameters", "/paths/~1v1~1voices/get/parameters"
SCHEMAS = "/components/schemas"
SETTINGS = f"{SCHEMAS}/VoiceSettings/properties"
LEXICON = "/paths/~1v1~1lexicons~1{lexicon_id}"
NO_DEFAULT = "the generator reads no default from it, so the client has no default for it"
SKIPPED = "the generator leaves this operation out of the client"

EXPECTED: dict[str, list[tuple[str, str, str]]] = {
    # fixture -> (pointer, code, what the message says the client does) of each finding
    "default_number_on_string.json": [
        (f"{CALLS}/0/schema/default", CONVERTED, "client uses '1' when"),
        (f"{CALLS}/1/schema/default", CONVERTED, "client uses '50' when"),
        (
            f"{SCHEMAS}/CallSettings/properties/sample_rate/default",
            CONVERTED,
            "client uses '24000' when",
        ),
        (f"{SCHEMAS}/CallSettings/properties/speed/default", CONVERTED, "client uses '1.25' when"),
    ],
    "default_string_on_scalar.json": [
        (f"{VOICES}/0/schema/default", CONVERTED, "client uses True when"),
        (f"{VOICES}/1/schema/default", CONVERTED, "client uses 1 when"),
        (f"{SETTINGS}/stability/default", CONVERTED, "client uses 0.5 when"),
        (f"{SETTINGS}/use_speaker_boost/default", CONVERTED, "client uses True when"),
        (f"{SETTINGS}/normalize_text/default", CONVERTED, "client uses False when"),
        (f"{SETTINGS}/max_characters/default", CONVERTED, "client uses 5000 when"),
    ],
    "default_array_object_on_string.json": [
        (
            "/paths/~1v1~1responses/post/parameters/0/schema/default",
            CONVERTED,
            "client uses \"['usage', 'audio']\" (Python's spelling of the value, as a string)",
        ),
        (
            f"{SCHEMAS}/ResponseRequest/properties/modalities/default",
            CONVERTED,
            "client uses \"['text']\" (Python's spelling",
        ),
        (
            f"{SCHEMAS}/ResponseRequest/properties/metadata/default",
            CONVERTED,
            "client uses '{}' (Python's spelling",
        ),
    ],
    "default_null_not_allowed.json": [
        ("/paths/~1v1~1transcriptions/post/parameters/0/schema/default", IGNORED, NO_DEFAULT),
        (f"{SCHEMAS}/TranscriptionRequest/properties/max_speakers/default", IGNORED, NO_DEFAULT),
        (
            f"{SCHEMAS}/TranscriptionRequest/properties/chunking/anyOf/0/default",
            IGNORED,
            "default null does not fit the schema (it is not of type 'object'); " + NO_DEFAULT,
        ),
    ],
    "default_on_array_or_object.json": [
        (f"{SCHEMAS}/AgentConfig/properties/tools/default", IGNORED, NO_DEFAULT),
        (
            f"{SCHEMAS}/AgentConfig/properties/stop_words/default",
            IGNORED,
            "([0] is not of type 'string'); " + NO_DEFAULT,
        ),
        (f"{SCHEMAS}/AgentConfig/properties/llm/default", IGNORED, NO_DEFAULT),
    ],
    "circular_body_ref.json": [
        (
            "/paths/~1v1~1knowledge-bases/post/requestBody/$ref",
            "operation-skipped",
            "POST /v1/knowledge-bases: Circular $ref in request body "
            "(#/components/requestBodies/KnowledgeBaseCreate -> "
            "#/components/requestBodies/KnowledgeBaseInput -> "
            f"#/components/requestBodies/KnowledgeBaseCreate); {SKIPPED}",
        ),
    ],
    "unsupported_body.json": [
        (
            f"{LEXICON}/put/requestBody/content/application~1pls+xml",
            "operation-skipped",
            "PUT /v1/lexicons/{lexicon_id}: Unsupported content type application/pls+xml (the "
            "client sends only JSON,",
        ),
        (
            f"{LEXICON}~1words/post/requestBody/content/text~1plain",
            "operation-skipped",
            "POST /v1/lexicons/{lexicon_id}/words: Unsupported content type text/plain",
        ),
    ],
    "bad_status_keys.json": [
        (
            "/paths/~1v1~1usage/get/responses/defualt",
            "bad-status-code",
            "'defualt' is not a status code ('200'), a range ('2XX') or 'default': the generator "
            "leaves this response out of the client",
        ),
        (
            "/paths/~1v1~1usage~1exports/post/responses/40",
            "bad-status-code",
            "the generator reads it as status 40, which no server answers",
        ),
    ],
}
SKIPPED_OPERATIONS = {
    "circular_body_ref.json": ["POST /v1/knowledge-bases"],
    "unsupported_body.json": [
        "PUT /v1/lexicons/{lexicon_id}",
        "POST /v1/lexicons/{lexicon_id}/words",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_class_is_a_warning_at_the_key_saying_what_the_client_does(name: str) -> None:
    warnings = validate_openapi(load_spec(CORPUS / name), name)
    found = {(w.pointer, w.code): w.message for w in warnings if w.code in CODES}
    assert set(found) == {(pointer, code) for pointer, code, _ in EXPECTED[name]}
    for pointer, code, says in EXPECTED[name]:
        assert says in found[pointer, code], found[pointer, code]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_strict_refuses_each_class(name: str) -> None:
    with pytest.raises(PipelineError, match="--strict") as caught:
        validate_openapi(load_spec(CORPUS / name), name, strict=True)
    for pointer, _, _ in EXPECTED[name]:
        assert f"\n  {pointer}: " in str(caught.value)


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
STAYS_AN_ERROR = {
    # the generator cannot convert these defaults and leaves the model out of the client
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


@pytest.mark.parametrize("case", sorted(STAYS_AN_ERROR))
def test_a_default_the_generator_cannot_read_stays_an_error_at_the_key(case: str) -> None:
    schema, reason = STAYS_AN_ERROR[case]
    with pytest.raises(PipelineError) as caught:
        validate_openapi(spec_with(schema), "spec.json")
    (line,) = [line for line in str(caught.value).splitlines() if line.startswith(f"  {WHERE}: ")]
    assert reason in line
    assert "it leaves out the model or operation that holds it" in line


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


@pytest.mark.parametrize("name", sorted(SKIPPED_OPERATIONS))
def test_skipped_operations_are_not_in_the_document_the_diff_compares(name: str) -> None:
    document = load_spec(CORPUS / name)
    changes = diff_specs({"paths": {}}, without_skipped_operations(document))
    added = {c.location for c in changes if c.kind == "operation added"}
    assert added.isdisjoint(SKIPPED_OPERATIONS[name])
    assert added, "the operations the generator keeps are still listed"


def test_content_types_the_configuration_maps_to_a_sendable_one_are_not_skipped(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("content_type_overrides:\n  application/pls+xml: application/octet-stream\n")
    overrides = content_type_overrides(config)
    document = load_spec(CORPUS / "unsupported_body.json")
    warnings = validate_openapi(document, "s", content_type_overrides=overrides)
    assert [w.pointer for w in warnings] == [
        f"{LEXICON}~1words/post/requestBody/content/text~1plain"
    ]


def test_readme_lists_each_new_code_with_its_fixture() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Lenient by default") :]
    for name, found in EXPECTED.items():
        for _, code, _ in found:
            assert re.search(rf"\| `{re.escape(code)}` \|.*`{re.escape(name)}`", section), code
    assert "| `bad-default` | error |" in section


def regenerated(
    scratch: Path, name: str, *extra: str
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    names = scratch / "empty-names.json"
    names.write_text(json.dumps({"$comment": "no entries"}))
    package = scratch / f"{name.split('.')[0]}{'_strict' if extra else ''}" / "uponai_client"
    done = regenerate(
        "--spec",
        CORPUS / name,
        "--name-map",
        names,
        "--package-dir",
        package,
        "--no-consumer-gate",
        *extra,
    )
    return package, done


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Fixture name -> ((package, lenient run), (package, --strict run))."""
    scratch = tmp_path_factory.mktemp("lenient")
    jobs = [(name, extra) for name in sorted(EXPECTED) for extra in ((), ("--strict",))]
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda job: regenerated(scratch, job[0], *job[1]), jobs))
    return {name: (done[2 * i], done[2 * i + 1]) for i, name in enumerate(sorted(EXPECTED))}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_regenerates_with_the_warnings_and_strict_refuses(runs: dict[str, Any], name: str) -> None:
    (package, lenient), (strict_package, strict) = runs[name]
    assert lenient.returncode == 0, lenient.stderr
    for pointer, _, says in EXPECTED[name]:
        (line,) = [line for line in lenient.stderr.splitlines() if f"spec {pointer}: " in line]
        assert says in line
    import_generated(package, "lenient_" + name.split(".")[0])
    assert strict.returncode == 2, strict.stderr
    assert "nothing was changed" in strict.stderr
    assert not strict_package.exists()


CLIENT_DEFAULTS: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    # fixture -> (model, arguments, what `to_dict()` holds beside them): the defaults as warned
    "default_number_on_string.json": (
        "CallSettings",
        {"to": "+1"},
        {"sample_rate": "24000", "speed": "1.25"},
    ),
    "default_string_on_scalar.json": (
        "VoiceSettings",
        {},
        {
            "stability": 0.5,
            "use_speaker_boost": True,
            "normalize_text": False,
            "max_characters": 5000,
        },
    ),
    "default_array_object_on_string.json": (
        "ResponseRequest",
        {"model": "m", "instructions": "i"},
        {"modalities": "['text']", "metadata": "{}"},
    ),
    "default_null_not_allowed.json": ("TranscriptionRequest", {"audio_url": "u"}, {}),
    "default_on_array_or_object.json": ("AgentConfig", {"name": "a"}, {}),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CLIENT_DEFAULTS))
def test_the_generated_client_does_what_the_warning_says(runs: dict[str, Any], name: str) -> None:
    (package, lenient), _ = runs[name]
    assert lenient.returncode == 0, lenient.stderr
    root = import_generated(package, "said_" + name.split(".")[0])
    model, arguments, defaults = CLIENT_DEFAULTS[name]
    models = importlib.import_module(f"{root.__name__}.models")
    instance = getattr(models, model)(**arguments)
    assert instance.to_dict() == {**arguments, **defaults}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SKIPPED_OPERATIONS))
def test_skipped_operations_are_warned_and_absent(runs: dict[str, Any], name: str) -> None:
    (package, lenient), _ = runs[name]
    assert lenient.returncode == 0, lenient.stderr
    for key in SKIPPED_OPERATIONS[name]:
        (line,) = [line for line in lenient.stderr.splitlines() if f": {key}: " in line]
        assert line.endswith(f"; {SKIPPED}")
    modules = {p.stem for p in (package / "api").rglob("*.py")}
    assert {"create_knowledge_base", "replace_lexicon", "add_words"}.isdisjoint(modules)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SKIPPED_OPERATIONS))
def test_the_diff_does_not_list_a_skipped_operation_as_added(
    runs: dict[str, Any], name: str
) -> None:
    (_, lenient), _ = runs[name]
    for key in SKIPPED_OPERATIONS[name]:
        assert f"{key}: operation added" not in lenient.stderr
