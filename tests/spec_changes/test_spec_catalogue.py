"""A catalogue of realistic changes to the clone operation, each regenerated in a temporary copy
with `scripts/regenerate.py` (consumer gate on) and then used, with no hand edit, from Python, a
batch, the CLI and the widget against a scripted loopback API: each change works end to end, or
is refused before anything is sent, or is refused by the gate with advice that works."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support.codegen import NAME_MAP, REGENERATE, SPEC, run_with_client
from support.scripted_server import ScriptedServer

pytestmark = pytest.mark.slow

TOKEN = "sk-catalogue-1f2e3d4c5b6a-SECRET"
CLONE_PATH = "/api/voices/clone"
VOICE = {"voiceId": "v_cat", "name": "Narrator", "createdAt": "2026-12-03T10:00:00Z"}
BASE = {"name": "Narrator", "provider": "elevenlabs", "workspace_id": 42}
BASE_CLI = ["--name", "Narrator", "--provider", "elevenlabs", "--workspace-id", "42"]
SURFACES = ("python", "batch", "cli", "widget")
Document = dict[str, Any]


def operation(document: Document) -> Document:
    found: Document = document["paths"][CLONE_PATH]["post"]
    return found


def body(document: Document) -> Document:
    found: Document = operation(document)["requestBody"]["content"]["multipart/form-data"]
    return found["schema"]  # type: ignore[no-any-return]


@dataclass
class Change:
    """One edit of the spec, what to pass, and what each surface must show."""

    edit: Callable[[Document], None]
    fields: dict[str, Any] = field(default_factory=dict)
    cli: list[str] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=lambda: {"status": 201, "json": VOICE})
    on_wire: list[str] = field(default_factory=list)
    read: dict[str, str] = field(default_factory=dict)
    refused: dict[str, Any] | None = None
    """Fields (replacing the change's) that every surface must refuse before sending."""


def _optional_fields(document: Document) -> None:
    body(document)["properties"].update(
        description={"type": "string", "maxLength": 500, "description": "What it is for."},
        labels={"type": "object", "additionalProperties": {"type": "string"}},
        denoise={"type": "boolean", "description": "Remove background noise first."},
        language={"type": "string", "enum": ["en", "de", "fr"]},
    )


def _required_field(document: Document) -> None:
    body(document)["properties"]["consent"] = {"type": "boolean"}
    body(document)["required"].append("consent")


def _provider_enum(document: Document) -> None:
    body(document)["properties"]["voiceProvider"]["enum"] = ["elevenlabs", "openai"]


def _new_actor_type(document: Document) -> None:
    document["components"]["parameters"]["XActorType"]["schema"]["enum"].append("support_agent")


def _answered_200(document: Document) -> None:
    responses = operation(document)["responses"]
    responses["200"] = responses.pop("201")


def _response_enum(document: Document) -> None:
    voice = document["components"]["schemas"]["Voice"]["properties"]
    voice["status"] = {"type": "string", "enum": ["ready", "training"]}


def _files_renamed(document: Document) -> None:
    schema = body(document)
    schema["properties"]["audio"] = schema["properties"].pop("files")
    schema["required"] = [name if name != "files" else "audio" for name in schema["required"]]


def _limits(document: Document) -> None:
    body(document)["properties"]["files"]["maxItems"] = 1
    body(document)["properties"]["voiceName"]["maxLength"] = 5


def _queued(document: Document) -> None:
    document["components"]["schemas"]["CloneQueued"] = {
        "type": "object",
        "required": ["jobId", "status"],
        "properties": {"jobId": {"type": "string"}, "status": {"type": "string"}},
    }
    operation(document)["responses"]["202"] = {
        "description": "Queued: the voice is created later.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CloneQueued"}}},
    }


CATALOGUE: dict[str, Change] = {
    "optional description, labels, boolean, language enum": Change(
        _optional_fields,
        fields={
            "description": "For the audiobook",
            "labels": {"team": "audio"},
            "denoise": True,
            "language": "de",
        },
        cli=[
            *("--description", "For the audiobook", "--labels", "team=audio"),
            *("--denoise", "--language", "de"),
        ],
        on_wire=[
            *('name="description"', "For the audiobook", 'name="labels"', '"team": "audio"'),
            *('name="denoise"', 'name="language"'),
        ],
    ),
    "a new required field": Change(
        _required_field,
        fields={"consent": True},
        cli=["--consent"],
        on_wire=['name="consent"'],
        refused={},
    ),
    "voiceProvider becomes an enum": Change(
        _provider_enum, on_wire=["elevenlabs"], refused={"provider": "acme"}
    ),
    "a new X-Actor-Type value": Change(
        _new_actor_type,
        fields={"actor_type": "support_agent"},
        cli=["--actor-type", "support_agent"],
    ),
    "success answered 200 instead of 201": Change(
        _answered_200, answer={"status": 200, "json": VOICE}
    ),
    "a response enum gains a value": Change(
        _response_enum,
        answer={"status": 201, "json": {**VOICE, "status": "failed"}},
        read={"status": "failed"},
    ),
    "files renamed": Change(_files_renamed, on_wire=['name="audio"; filename="take1.wav"']),
    "maxItems on files, maxLength on the name": Change(_limits, refused={}),
    "a documented 202 with another schema": Change(
        _queued, answer={"status": 202, "json": {"jobId": "j_1", "status": "queued"}}
    ),
}


def regenerate(spec: Document, folder: Path, names: Path) -> subprocess.CompletedProcess[str]:
    """The pipeline on `spec` into `folder/generated_client`, the consumer gate on."""
    path = folder / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    package = folder / "generated_client" / "uponai_client"
    command = [sys.executable, str(REGENERATE), "--spec", str(path), "--name-map", str(names)]
    command += ["--package-dir", str(package), "--consumer-gate"]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def scenario(
    folder: Path, api: ScriptedServer, fields: dict[str, Any], cli: list[str], read: list[str]
) -> dict[str, Any]:
    """Each surface once against `api`, with the client regenerated into `folder`."""
    spec = {"fields": fields, "cli": cli, "read": read}
    done = run_with_client(
        folder / "generated_client", api.url, TOKEN, "-m", "support.spec_scenario", json.dumps(spec)
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return report


@pytest.fixture(scope="module")
def api() -> Any:
    with ScriptedServer(max_seconds=900) as running:
        yield running


def _names(folder: Path, entries: dict[str, str] | None = None) -> Path:
    names = folder / "names.json"
    names.write_text(json.dumps(entries or json.loads(NAME_MAP.read_text())), encoding="utf-8")
    return names


def _works(report: dict[str, Any], change: Change) -> None:
    """Every surface got the answer, as its kind of result."""
    if change.answer["status"] == 202:
        assert report["python"]["outcome"] == "CloneQueued", report["python"]
        assert report["batch"]["outcome"] == "accepted", report["batch"]
        assert report["cli"]["outcome"] == 0
        assert "accepted (CloneQueued" in report["cli"]["detail"]
        assert "Accepted (clonequeued" in report["widget"]["detail"].lower().capitalize()
        return
    for surface in ("python", "widget"):
        assert report[surface]["outcome"] == "Voice", report[surface]
        assert report[surface]["detail"] == "v_cat"
        for name, value in change.read.items():
            assert report[surface]["read"][name] == value
    assert report["batch"] == {"outcome": "created", "detail": "v_cat"}
    assert report["cli"]["outcome"] == 0, report["cli"]["detail"]
    assert "v_cat" in report["cli"]["detail"]


def _refused(report: dict[str, Any]) -> None:
    """Every surface refused before a byte was sent, with a typed, readable reason."""
    assert report["python"]["outcome"] == "ValidationError", report["python"]
    assert report["batch"]["outcome"] == "failed"
    assert report["cli"]["outcome"] == 2, report["cli"]["detail"]
    assert report["widget"]["outcome"] == "none"


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_a_spec_change_reaches_every_surface(
    name: str, api: ScriptedServer, tmp_path: Path
) -> None:
    change = CATALOGUE[name]
    spec = copy.deepcopy(json.loads(SPEC.read_text()))
    change.edit(spec)
    done = regenerate(spec, tmp_path, _names(tmp_path))
    assert done.returncode == 0, done.stderr
    if change.refused is not None:
        api.reset()
        fields = {**BASE, **change.refused}
        if name.startswith("maxItems"):
            fields["name"] = "Narrator"  # 8 characters, over maxLength 5; and two samples
        report = scenario(tmp_path, api, fields, [], [])
        _refused(report)
        assert api.log() == []
        if change.refused:
            assert "acme" in report["python"]["detail"] or "one of" in report["python"]["detail"]
    api.reset()
    if change.refused is not None and name.startswith("maxItems"):
        return
    api.script({"match": "POST /api/", **change.answer, "repeat": 4})
    fields = {**BASE, **change.fields}
    report = scenario(tmp_path, api, fields, BASE_CLI + change.cli, list(change.read))
    _works(report, change)
    log = api.log()
    assert len(log) == len(SURFACES)
    for entry in log:
        for text in change.on_wire:
            assert text in (entry["body_text"] or ""), (text, entry["body_text"])
        if "actor_type" in change.fields:
            assert entry["headers"]["x-actor-type"] == "support_agent"


def test_a_moved_operation_is_refused_with_advice_that_works(
    api: ScriptedServer, tmp_path: Path
) -> None:
    spec = copy.deepcopy(json.loads(SPEC.read_text()))
    moved = spec["paths"].pop(CLONE_PATH)
    moved["post"]["operationId"] = "createVoiceClone"
    spec["paths"]["/api/v2/voice-clones"] = moved
    refused = regenerate(spec, tmp_path, _names(tmp_path))
    assert refused.returncode == 2
    assert "nothing was changed" in refused.stderr
    advice = '"POST /api/v2/voice-clones": "cloneVoice"'
    assert advice in refused.stderr
    assert not (tmp_path / "generated_client" / "uponai_client").exists()
    names = _names(tmp_path, {"POST /api/v2/voice-clones": "cloneVoice"})
    done = regenerate(spec, tmp_path, names)
    assert done.returncode == 0, done.stderr
    api.reset()
    api.script({"match": "POST /api/v2/voice-clones", "status": 201, "json": VOICE, "repeat": 4})
    _works(scenario(tmp_path, api, BASE, BASE_CLI, []), Change(_answered_200))


def test_the_diff_calls_a_new_required_field_breaking(tmp_path: Path) -> None:
    spec = copy.deepcopy(json.loads(SPEC.read_text()))
    _required_field(spec)
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(REGENERATE), "--spec", str(path), "--diff-only"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "BREAKING" in done.stdout
    assert "consent: added (required)" in done.stdout
