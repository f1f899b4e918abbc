"""Mistakes openapi-python-client turns into a correct client are warnings that say what the
client does; a default it cannot convert (it would leave its model out) is taken out of its
copy of the spec, with a warning; an operation it leaves out is a warning naming
`METHOD /path`. Every finding names the key at fault.

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
CONVERTED, IGNORED, DROPPED = "default-converted", "default-ignored", "default-dropped"
CODES = {CONVERTED, IGNORED, DROPPED, "operation-skipped", "bad-status-code"}
CALLS, VOICES = "/paths/~1v1~1calls/get/parameters", "/paths/~1v1~1voices/get/parameters"
SCHEMAS = "/components/schemas"
SETTINGS = f"{SCHEMAS}/VoiceSettings/properties"
LEXICON = "/paths/~1v1~1lexicons~1{lexicon_id}"
NO_DEFAULT = "the generator reads no default from it, so the client has no default for it"
SKIPPED = "the generator leaves this operation out of the client"
TOOL = f"{SCHEMAS}/ToolConfig/properties"
GONE = (
    "which would leave out what holds it; the generator gets the spec without this default, so "
    "the client has no default for it and the server's applies"
)

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
    "default_unreadable.json": [
        (
            f"{TOOL}/parameters/default",
            DROPPED,
            f"(ModelProperty cannot have a default value), {GONE}",
        ),
        (f"{TOOL}/blocking/default", DROPPED, f"(Invalid boolean value: yes), {GONE}"),
        (f"{TOOL}/mode/default", DROPPED, "(Value background is not valid for the enum)"),
        (f"{TOOL}/expires/default", DROPPED, "(Invalid date: Invalid isoformat string: 'never')"),
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


def test_the_regenerating_page_lists_each_new_code_with_its_fixture() -> None:
    page = (ROOT / "docs" / "regenerating.md").read_text()
    section = page[page.index("## Lenient by default") :]
    for name, found in EXPECTED.items():
        for _, code, _ in found:
            assert re.search(rf"\| `{re.escape(code)}` \|.*`{re.escape(name)}`", section), code
    assert "`bad-default`" not in section


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
    "default_unreadable.json": ("ToolConfig", {"name": "t"}, {}),
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
