"""The generator's configuration is the user's: `--config` (default
`scripts/generator-config.yaml`) is honoured by regeneration and `--check`, and a generator error
that says "your config" names the file and the schema's place."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.codegen import CONFIG, REGENERATE, regenerate

pytestmark = pytest.mark.slow

COLLIDING: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Modes", "version": "1"},
    "paths": {
        "/modes/{mode}": {
            "get": {
                "operationId": "getMode",
                "parameters": [
                    {
                        "name": "mode",
                        "in": "path",
                        "required": True,
                        "schema": {"$ref": "#/components/schemas/Mode"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The mode.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Mode"}}
                        },
                    }
                },
            }
        }
    },
    "components": {"schemas": {"Mode": {"type": "string", "enum": ["fast", "FAST", "slow"]}}},
}


@pytest.fixture
def spec(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(the spec, an empty name map, the package folder)."""
    path = tmp_path / "modes.json"
    path.write_text(json.dumps(COLLIDING), encoding="utf-8")
    names = tmp_path / "names.json"
    names.write_text(json.dumps({"$comment": "none"}), encoding="utf-8")
    return path, names, tmp_path / "generated_client" / "uponai_client"


def literal_config(folder: Path) -> Path:
    config = folder / "generator-config.yaml"
    config.write_text(CONFIG.read_text(encoding="utf-8") + "literal_enums: true\n", "utf-8")
    return config


def test_a_config_error_names_the_file_and_the_schema(spec: tuple[Path, Path, Path]) -> None:
    path, names, package = spec
    done = regenerate("--spec", path, "--name-map", names, "--package-dir", package)
    assert done.returncode == 2
    assert "/components/schemas/Mode/enum" in done.stderr
    assert "set `literal_enums: true` in scripts/generator-config.yaml" in done.stderr
    assert "nothing was changed" in done.stderr
    assert not package.exists()


def test_the_users_config_is_honoured_by_regeneration_and_check(
    spec: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    path, names, package = spec
    config = literal_config(tmp_path)
    common = ("--spec", path, "--name-map", names, "--package-dir", package, "--config", config)
    done = regenerate(*common)
    assert done.returncode == 0, done.stderr
    module = (package / "models" / "mode.py").read_text(encoding="utf-8")
    assert "Mode = Literal[" in module
    for seed in ("1", "2", "3"):  # literal enums were written in set order, which varied
        check = subprocess.run(
            [sys.executable, str(REGENERATE), *map(str, common), "--check"],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert check.returncode == 0, check.stderr
    probe = (
        "from uponai_client.models.mode import check_mode\n"
        "print(check_mode('fast'), check_mode('turbo'))\n"  # a value added after generation
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(package.parent)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert shown.stdout.split() == ["fast", "turbo"]


def test_the_sdk_works_with_literal_enums(tmp_path: Path) -> None:
    """The consumer gate (import and mypy of the SDK) passes on a literal-enum client."""
    package = tmp_path / "generated_client" / "uponai_client"
    done = regenerate(
        "--package-dir", package, "--config", literal_config(tmp_path), "--consumer-gate"
    )
    assert done.returncode == 0, done.stderr
    module = (package / "models" / "clone_voice_x_actor_type.py").read_text(encoding="utf-8")
    assert "CloneVoiceXActorType = Literal[" in module


def test_content_type_overrides_in_the_users_config_keep_an_operation(tmp_path: Path) -> None:
    """A body type the generator skips is skipped (and warned) unless the user's configuration
    maps it to one it sends; the warning and the diff follow the configuration."""
    spec = Path(__file__).with_name("fixtures") / "corpus" / "unsupported_body.json"
    names = tmp_path / "names.json"
    names.write_text(json.dumps({"$comment": "none"}), encoding="utf-8")
    package = tmp_path / "generated_client" / "uponai_client"
    common = ("--spec", spec, "--name-map", names, "--package-dir", package)
    plain = regenerate(*common)
    assert plain.returncode == 0, plain.stderr
    left_out = "POST /v1/lexicons/{lexicon_id}/words: Unsupported content type text/plain"
    assert left_out in plain.stderr
    assert not list(package.rglob("add_words.py"))
    config = tmp_path / "generator-config.yaml"
    overrides = 'content_type_overrides:\n  "text/plain": "application/octet-stream"\n'
    config.write_text(CONFIG.read_text(encoding="utf-8") + overrides, encoding="utf-8")
    (package.parent / "openapi.snapshot.json").unlink()
    mapped = regenerate(*common, "--config", config)
    assert mapped.returncode == 0, mapped.stderr
    assert list(package.rglob("add_words.py"))
    assert left_out not in mapped.stderr
    assert "operation added (add_words)" in mapped.stderr
