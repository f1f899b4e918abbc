"""The generator's rendering shared with a forked process writes exactly what the generator
writes alone, and falls back to building alone when the other process fails."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from openapi_python_client import Project, _get_project_for_url_or_path
from openapi_python_client.config import Config, ConfigFile, MetaType
from support.codegen import CONFIG, NAME_MAP, SPEC

from uponai_codegen import rendering
from uponai_codegen.normalize import load_name_map, normalize
from uponai_codegen.spec import load_spec
from uponai_codegen.tree import tree_files

CORPUS = Path(__file__).with_name("fixtures") / "corpus"
SPECS = [
    SPEC,
    CORPUS / "discriminated_oneof.json",
    CORPUS / "json_or_multipart_body.json",
    CORPUS / "inline_enum_beside_ref.json",
]


def project_for(spec: Path, work: Path) -> Project:
    """The generator's project for `spec` (normalised as the pipeline does), built into
    `work/uponai_client`."""
    names = load_name_map(NAME_MAP) if spec == SPEC else {}
    document, _ = normalize(load_spec(spec), names)
    work.mkdir(parents=True)
    source = work / "spec.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    config = Config.from_sources(
        ConfigFile.load_from_path(CONFIG),
        MetaType.NONE,
        source,
        "utf-8",
        overwrite=False,
        output_path=work / "uponai_client",
    )
    project = _get_project_for_url_or_path(config=config)
    assert isinstance(project, Project), project
    return project


def built(project: Project, how: Any) -> tuple[dict[str, bytes], Sequence[Any]]:
    with contextlib.redirect_stdout(io.StringIO()):
        errors = how(project)
    return tree_files(project.package_dir), errors


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Share the rendering even on a one-core machine."""
    monkeypatch.setattr(rendering, "render_processes", lambda: 2)


@pytest.mark.parametrize("spec", SPECS, ids=lambda path: path.name)
def test_two_processes_write_what_the_generator_writes_alone(spec: Path, tmp_path: Path) -> None:
    alone, alone_errors = built(project_for(spec, tmp_path / "alone"), Project.build)
    scratch = tmp_path / "shared"
    shared, shared_errors = built(
        project_for(spec, scratch),
        lambda project: rendering.build_in_two_processes(project, scratch),
    )
    assert len(alone) >= 10
    assert shared == alone
    assert [str(error) for error in shared_errors] == [str(error) for error in alone_errors]
    assert not any(path.name.startswith("rendered-by") for path in scratch.iterdir())


def fails(project: Project, folder: Path) -> None:
    raise SystemExit(1)


def writes_nothing(project: Project, folder: Path) -> None:
    """Exits 0 without building: every placeholder stays unfilled."""


@pytest.mark.parametrize("helper", [fails, writes_nothing])
def test_when_the_other_process_fails_the_package_is_built_alone(
    helper: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = CORPUS / "discriminated_oneof.json"
    alone, _ = built(project_for(spec, tmp_path / "alone"), Project.build)
    monkeypatch.setattr(rendering, "_build_other_share", helper)
    scratch = tmp_path / "shared"
    shared, _ = built(
        project_for(spec, scratch),
        lambda project: rendering.build_in_two_processes(project, scratch),
    )
    assert shared == alone
    assert not any(rendering.PLACEHOLDER.encode() in text for text in shared.values())
