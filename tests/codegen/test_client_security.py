"""The two generator defects, shown on openapi-python-client's own output and fixed in ours."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.codegen import COMMITTED, ROOT

TESTS = ROOT / "tests"

pytestmark = pytest.mark.slow  # runs the generator


def probe(package_parent: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-B", "-m", "support.http_probe", str(package_parent)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(package_parent), str(TESTS)])},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    return probe(COMMITTED.parent)


@pytest.fixture(scope="module")
def unfixed(unfixed_client_dir: Path) -> dict[str, Any]:
    return probe(unfixed_client_dir)


def test_unfixed_generator_output_is_injectable(unfixed: dict[str, Any]) -> None:
    # The probe really detects the defect: without the transform the file injects a part.
    assert unfixed["boundaries"] == ["+++", "+++"]
    assert unfixed["workspace_ids"] == ["7", "666"]


def test_file_content_cannot_inject_form_parts(committed: dict[str, Any]) -> None:
    assert committed["workspace_ids"] == ["7"]
    assert committed["parts"] == [
        ["workspaceId", None],
        ["voiceProvider", None],
        ["voiceName", None],
        ["files", "a.wav"],
    ]


def test_each_request_gets_a_fresh_random_boundary(committed: dict[str, Any]) -> None:
    first, second = committed["boundaries"]
    assert first != second
    assert len(first) >= 16
    assert "+++" not in (first, second)


def test_unfixed_generator_output_leaks_the_token(unfixed: dict[str, Any]) -> None:
    assert unfixed["token_in_repr_before"]
    assert unfixed["token_in_repr_after"]


def test_token_is_in_no_repr_before_or_after_a_request(committed: dict[str, Any]) -> None:
    assert not committed["token_in_repr_before"]
    assert not committed["token_in_repr_after"]
