"""The fixture corpus regenerates, imports and is reproducible byte for byte; bad input exits 2.

Each regeneration runs the whole pipeline in a fresh interpreter, two at a time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.codegen import regenerate
from support.generated_import import import_generated, operations_of, simple_arguments
from support.spec_edits import CORPUS, FIXTURES

from uponai_codegen.tree import tree_files
from uponai_widgets import _generated
from uponai_widgets._secret import Secret

pytestmark = pytest.mark.slow
EMPTY_MAP = {"$comment": "no entries"}


def name_map_for(spec: Path, scratch: Path) -> Path:
    """The fixture's own name map, else an empty one."""
    own = spec.with_name(spec.stem + ".names.json")
    if own.exists():
        return own
    empty = scratch / "empty-names.json"
    empty.write_text(json.dumps(EMPTY_MAP))
    return empty


def in_pairs(jobs: list[Callable[[], subprocess.CompletedProcess[str]]]) -> list[Any]:
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda job: job(), jobs))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any, Any]]:
    """Fixture name -> (package, first run, `--check` run)."""
    scratch = tmp_path_factory.mktemp("corpus")
    packages = {p.name: scratch / p.stem / "generated_client" / "uponai_client" for p in FIXTURES}

    def run(spec: Path, *extra: str) -> Callable[[], subprocess.CompletedProcess[str]]:
        names = name_map_for(spec, scratch)
        return lambda: regenerate(
            "--spec", spec, "--name-map", names, "--package-dir", packages[spec.name], *extra
        )

    first = in_pairs([run(spec) for spec in FIXTURES])
    check = in_pairs([run(spec, "--check") for spec in FIXTURES])
    return {
        spec.name: (packages[spec.name], a, b)
        for spec, a, b in zip(FIXTURES, first, check, strict=True)
    }


def test_corpus_has_the_styles_published_specs_use() -> None:
    assert len(FIXTURES) >= 10
    assert {p.suffix for p in FIXTURES} == {".json", ".yaml"}


@pytest.mark.parametrize("name", [p.name for p in FIXTURES])
def test_fixture_generates_imports_and_reproduces(
    generated: dict[str, tuple[Path, Any, Any]], name: str
) -> None:
    package, first, check = generated[name]
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    assert (package / "py.typed").exists()
    assert list((package / "api").rglob("*.py")), "endpoints were generated"
    assert check.returncode == 0, check.stderr
    assert "generated client is up to date" in check.stderr


def test_snake_case_ids_keep_their_names(generated: dict[str, tuple[Path, Any, Any]]) -> None:
    package = generated["snake_case_ids.json"][0]
    assert (package / "api" / "history" / "get_speech_history.py").exists()
    unnamed = generated["unnamed_operations.json"][0]
    assert (unnamed / "api" / "chat" / "get_chat_sessions_session_id_messages.py").exists()


def test_duplicate_ids_fail_with_advice_that_works(tmp_path: Path) -> None:
    spec = CORPUS / "duplicate_ids.json"
    names = tmp_path / "names.json"
    names.write_text(json.dumps(EMPTY_MAP))
    package = tmp_path / "generated_client" / "uponai_client"
    refused = regenerate("--spec", spec, "--name-map", names, "--package-dir", package)
    assert refused.returncode == 2
    assert "GET /v1/calls/{id}/recording (operationId 'getCall')" in refused.stderr
    advised = dict(
        line.strip().rstrip(",").split(": ", 1)
        for line in refused.stderr.splitlines()
        if line.startswith('  "')
    )
    names.write_text(json.dumps({json.loads(k): json.loads(v) for k, v in advised.items()}))
    done = regenerate("--spec", spec, "--name-map", names, "--package-dir", package)
    assert done.returncode == 0, done.stderr
    calls = package / "api" / "calls"
    assert {p.name for p in calls.glob("*.py")} >= {
        "get_call.py",
        "get_v1_calls_id_recording.py",
        "list_calls.py",
        "get_v2_calls.py",
    }


CATALOGUE: dict[str, Callable[[dict[str, Any]], object]] = {
    "paths is a list": lambda d: d.update(paths=[]),
    "operation is a string": lambda d: d["paths"]["/agents/{agent_id}"].update(get="x"),
    "schema is a number": lambda d: d["components"]["schemas"].update(Agent=3),
    "ref loop": lambda d: d["components"]["schemas"].update(
        Named={"$ref": "#/components/schemas/Agent"}, Agent={"$ref": "#/components/schemas/Named"}
    ),
    "external ref": lambda d: d["components"]["schemas"].update(
        Resource={"$ref": "other.json#/Resource"}
    ),
    "parameters is an object": lambda d: d["paths"]["/agents/{agent_id}"]["get"].update(
        parameters={}
    ),
    "request body without content": lambda d: d["paths"]["/agents/{agent_id}"]["put"].update(
        requestBody={"required": True}
    ),
    "required is true": lambda d: d["components"]["schemas"]["Resource"].update(required=True),
    "empty document": lambda d: (d.clear(), d.update(openapi="3.1.0")),
}


@pytest.mark.parametrize("edit", sorted(CATALOGUE))
def test_catalogue_of_bad_edits_exits_with_a_message(edit: str, tmp_path: Path) -> None:
    document = json.loads((CORPUS / "deep_allof.json").read_text())
    CATALOGUE[edit](document)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document))
    package = tmp_path / "generated_client" / "uponai_client"
    done = regenerate("--spec", spec, "--package-dir", package)
    assert done.returncode in (0, 2), done.stderr
    assert "Traceback" not in done.stderr
    if done.returncode == 2:
        assert "error: " in done.stderr
        assert "nothing was changed" in done.stderr
        assert not package.exists()


def test_committed_spec_regenerates_in_a_copy(tmp_path: Path) -> None:
    from support.codegen import COMMITTED

    target = tmp_path / "generated_client"
    shutil.copytree(COMMITTED.parent, target, ignore=shutil.ignore_patterns("__pycache__"))
    before = tree_files(target)
    done = regenerate("--package-dir", target / "uponai_client")
    assert done.returncode == 0, done.stderr
    assert tree_files(target) == before


def test_the_adapter_reads_every_generated_operation(
    generated: dict[str, tuple[Path, Any, Any]],
) -> None:
    """What the SDK's adapter needs of generated code holds for every corpus package, so a
    generator upgrade that changes those internals fails here, not for a user."""
    built = total = 0
    for name, (package, first, _check) in sorted(generated.items()):
        if first.returncode != 0:
            continue
        root = import_generated(package, "corpus_" + name.split(".")[0])
        for operation in operations_of(root):
            total += 1
            assert _generated.is_operation(operation), operation.__name__
            parameters = _generated.operation_parameters(operation)
            assert _generated.result_types(operation)  # the return annotation resolves
            with pytest.raises(_generated.UndocumentedStatus):
                _generated.parse_success(operation, httpx.Response(599, json={}))
            arguments = simple_arguments(parameters)
            if arguments is None:
                continue
            request = _generated.build_arguments(operation, arguments)
            assert request["method"] in {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}
            assert str(request["url"]).startswith("/"), (operation.__name__, request["url"])
            built += 1
        client = root.AuthenticatedClient(base_url="http://127.0.0.1:9", token="old")
        assert _generated.base_url(client) == "http://127.0.0.1:9"
        assert _generated.uses_default_tls(client)
        http = client.get_httpx_client()
        _generated.set_token(client, Secret("new"))
        assert http.headers["Authorization"] == "Bearer new"
        copy = _generated.copy_client(client)
        assert copy.get_httpx_client() is not http
        _generated.close_sync(client)
        assert http.is_closed
    assert total >= 25
    assert built >= total // 2, (built, total)
