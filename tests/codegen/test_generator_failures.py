"""Generator and ruff failures show the tool's own message (`file:line: what`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openapi_python_client
import pytest
from support.codegen import CONFIG, NAME_MAP, SPEC

from uponai_codegen import PipelineError
from uponai_codegen.generator import run_generator
from uponai_codegen.normalize import load_name_map, normalize
from uponai_codegen.spec import load_spec

pytestmark = pytest.mark.slow


def committed_spec() -> dict[str, Any]:
    document, _ = normalize(load_spec(SPEC), load_name_map(NAME_MAP))
    return document


def test_unparsable_generated_code_shows_rufs_file_and_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_build_api = openapi_python_client.Project._build_api

    def build_api_then_break(self: Any) -> None:
        real_build_api(self)
        (self.package_dir / "broken.py").write_text("def f(:\n    pass\n")

    monkeypatch.setattr(openapi_python_client.Project, "_build_api", build_api_then_break)
    with pytest.raises(PipelineError) as caught:
        run_generator(committed_spec(), CONFIG, tmp_path)
    assert "broken.py:1:7" in str(caught.value)


def test_a_crash_inside_the_generator_is_a_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def explode(self: Any) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr(openapi_python_client.Project, "_build_models", explode)
    with pytest.raises(PipelineError, match=r"the generator failed: KeyError: 'surprise'"):
        run_generator(committed_spec(), CONFIG, tmp_path)
