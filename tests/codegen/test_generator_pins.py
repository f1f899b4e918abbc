"""The pipeline refuses to run with an unpinned generator or without the pinned ruff."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.codegen import ROOT

from uponai_codegen import PipelineError, generator


def test_missing_ruff_is_fatal_not_skipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The generator itself only prints "Skipping Integration" and leaves code unformatted.
    monkeypatch.setattr(generator, "tool_bin_dir", lambda: tmp_path)
    with pytest.raises(PipelineError, match=r"ruff not found: the generator would skip formatting"):
        generator.check_pinned_tools()


def test_other_generator_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator, "GENERATOR_VERSION", "0.0.1")
    with pytest.raises(PipelineError, match=r"pinned to 0.0.1"):
        generator.check_pinned_tools()


def test_other_ruff_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator, "RUFF_VERSION", "0.0.1")
    with pytest.raises(PipelineError, match=r"pinned to 0.0.1"):
        generator.check_pinned_tools()


def test_project_pins_match_the_pipeline() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    constraints = (ROOT / "constraints.txt").read_text()
    assert f'"openapi-python-client=={generator.GENERATOR_VERSION}"' in pyproject
    assert f'"ruff=={generator.RUFF_VERSION}"' in pyproject
    assert re.search(
        rf"^openapi-python-client=={re.escape(generator.GENERATOR_VERSION)}$", constraints, re.M
    )
    assert re.search(rf"^ruff=={re.escape(generator.RUFF_VERSION)}$", constraints, re.M)
