"""The `scripts/regenerate.py` command: determinism, drift check, atomicity, spec changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from support.codegen import COMMITTED, SPEC, regenerate

from uponai_codegen.tree import diff_trees, tree_files

pytestmark = pytest.mark.slow  # runs the generator


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    target = tmp_path / "generated_client" / "uponai_client"
    shutil.copytree(COMMITTED, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def write_spec(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document, indent=2))
    return path


def without_nullable(value: Any) -> Any:
    """The spec with 3.0's `nullable: true` written the 3.1 way (so it has no warnings)."""
    if isinstance(value, dict):
        if value.get("nullable") is True and isinstance(value.get("type"), str):
            value = {k: v for k, v in value.items() if k != "nullable"}
            value["type"] = [value["type"], "null"]
        return {k: without_nullable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nullable(v) for v in value]
    return value


def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC.read_text())
    return loaded


def test_committed_client_is_current() -> None:
    done = regenerate("--check")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "", "people's messages go to stderr"


def test_regenerating_twice_is_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "uponai_client", tmp_path / "b" / "uponai_client"
    assert regenerate("--package-dir", first).returncode == 0
    assert regenerate("--package-dir", second).returncode == 0
    assert tree_files(first) == tree_files(second) == tree_files(COMMITTED)
    assert not list(first.rglob("__pycache__")), "byte-compiling left a cache behind"
    assert not list(first.rglob(".ruff_cache"))
    assert (first / "py.typed").exists()
    assert not list(tmp_path.glob("a/.regen-*")), "the staging folder is removed"
    again = regenerate("--package-dir", first)
    assert "unchanged" in again.stderr


def test_check_lists_stale_files(package_copy: Path) -> None:
    (package_copy / "models" / "voice.py").write_text("# edited by hand\n")
    (package_copy / "extra.py").write_text("")
    done = regenerate("--check", "--package-dir", package_copy)
    assert done.returncode == 1
    assert "changed: models/voice.py" in done.stderr
    assert "removed: extra.py" in done.stderr
    assert (package_copy / "models" / "voice.py").read_text() == "# edited by hand\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"openapi": "3.1.0", "info": ', "openapi.json:1:"),
        (
            '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": "x"}}}}',
            "/paths/~1a/get/responses",
        ),
        ('{"swagger": "2.0"}', "/openapi: expected an OpenAPI 3.0 or 3.1"),
        (
            '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}}}}}}}',
            "/paths/~1a/get/responses/200/content/application~1json/schema/$ref: "
            "'#/components/schemas/Nope' points to nothing",
        ),
        ("openapi: 3.1.0\ninfo: [", "openapi.json:2:"),
    ],
    ids=["bad-json", "bad-openapi", "not-openapi-3", "dangling-ref", "bad-yaml"],
)
def test_invalid_input_exits_2_and_leaves_the_package_untouched(
    package_copy: Path, tmp_path: Path, content: str, message: str
) -> None:
    before = tree_files(package_copy)
    bad = tmp_path / "openapi.json"
    bad.write_text(content)
    done = regenerate("--spec", bad, "--package-dir", package_copy)
    assert done.returncode == 2
    assert message in done.stderr
    assert "nothing was changed" in done.stderr
    assert tree_files(package_copy) == before
    assert [p.name for p in package_copy.parent.iterdir()] == ["uponai_client"]


def test_new_optional_voice_field_regenerates(package_copy: Path, tmp_path: Path) -> None:
    document = spec()
    document["components"]["schemas"]["Voice"]["properties"]["sampleRate"] = {"type": "integer"}
    done = regenerate("--spec", write_spec(tmp_path, document), "--package-dir", package_copy)
    assert done.returncode == 0, done.stderr
    assert "changed: models/voice.py" in done.stderr
    voice = (package_copy / "models" / "voice.py").read_text()
    assert "sample_rate: int | Unset = UNSET" in voice
    assert diff_trees(package_copy, COMMITTED) == ["changed: models/voice.py"]


def test_second_unnamed_operation_gets_its_name_from_the_summary(
    package_copy: Path, tmp_path: Path
) -> None:
    document = spec()
    document["paths"]["/api/voices"] = {
        "get": {
            "tags": ["Voices"],
            "summary": "List voices",
            "responses": {
                "200": {
                    "description": "Voices.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Voice"},
                            }
                        }
                    },
                }
            },
        }
    }
    done = regenerate("--spec", write_spec(tmp_path, document), "--package-dir", package_copy)
    assert done.returncode == 0, done.stderr
    assert (package_copy / "api" / "voices" / "list_voices.py").exists()
    assert (package_copy / "api" / "voices" / "clone_voice.py").exists()
    assert "added: api/voices/list_voices.py" in done.stderr


def test_generator_warnings_are_summarised_and_strict_makes_them_fatal(
    package_copy: Path, tmp_path: Path
) -> None:
    document = without_nullable(spec())
    document["paths"]["/api/odd"] = {
        "post": {
            "summary": "Odd thing",
            "requestBody": {"content": {"application/xml": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}},
        }
    }
    path = write_spec(tmp_path, document)
    before = tree_files(package_copy)
    lenient = regenerate("--check", "--spec", path, "--package-dir", package_copy)
    assert "The pipeline reported 1 warning(s)" in lenient.stderr
    assert "POST /api/odd" in lenient.stderr
    assert "Unsupported content type application/xml" in lenient.stderr
    strict = regenerate("--strict", "--spec", path, "--package-dir", package_copy)
    assert strict.returncode == 2
    assert "--strict" in strict.stderr
    assert "Unsupported content type application/xml" in strict.stderr
    assert tree_files(package_copy) == before
