"""`constraints.txt` and every extra resolve, from wheels only, for each Python we claim.

pip resolves against the package registry (`--dry-run`: nothing is installed) for the interpreter
versions below, as if it ran on them (`--python-version`, which needs `--target`). A pin whose
release needs a newer patch version (soupsieve 4.1.3 needs Python >= 3.11.5: Debian 12 has
3.11.2) fails here. The three resolutions run at the same time.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
# Debian 12's own python3, and the newest two: the range `requires-python` states.
PYTHONS = ("3.11.2", "3.12", "3.13")
TIMEOUT = 300

pytestmark = pytest.mark.timeout(TIMEOUT + 30)


def _project() -> dict[str, object]:
    document = tomllib.loads((REPO / "pyproject.toml").read_text())
    project: dict[str, object] = document["project"]
    return project


def _pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==(\S+)", line.strip())
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def _command(version: str, target: Path, report: Path) -> list[str]:
    extras = ",".join(sorted(_project()["optional-dependencies"]))  # type: ignore[call-overload]
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
               "--quiet", "--disable-pip-version-check", "--target", str(target),
               "--python-version", version, "--only-binary=:all:",
               "-c", str(REPO / "constraints.txt"), "--report", str(report)]  # fmt: skip
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-build-isolation")  # read our metadata with the installed hatchling
    return [*command, f"{REPO}[{extras}]"]


@pytest.fixture(scope="module")
def resolutions(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, tuple[int, str, Path]]]:
    """Start pip for every version at once; (status, stderr, report path) per version."""
    root = tmp_path_factory.mktemp("resolve")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PIP_REQUIRE_VIRTUALENV"}}
    running = {}
    for version in PYTHONS:
        report = root / f"report-{version}.json"
        command = _command(version, root / f"target-{version}", report)
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        running[version] = (process, report)
    results = {}
    try:
        for version, (process, report) in running.items():
            _, err = process.communicate(timeout=TIMEOUT)
            results[version] = (process.returncode, err, report)
        yield results
    finally:
        for process, _ in running.values():
            if process.poll() is None:
                process.kill()
                process.wait(10)


def test_requires_python_states_the_tested_range() -> None:
    claimed = SpecifierSet(str(_project()["requires-python"]))
    assert all(version in claimed for version in PYTHONS), claimed
    assert "3.10" not in claimed
    assert "3.14" not in claimed, "3.14 is not tested here: add it to PYTHONS first"


@pytest.mark.parametrize("version", PYTHONS)
def test_constraints_and_every_extra_resolve(
    resolutions: dict[str, tuple[int, str, Path]], version: str
) -> None:
    status, err, report_path = resolutions[version]
    problems = "\n".join(line for line in err.splitlines() if "is ignored" not in line)
    assert status == 0, f"pip could not resolve for Python {version}:\n{problems}"
    report = json.loads(report_path.read_text())
    pins = _pins()
    unpinned = []
    for item in report["install"]:
        name = canonicalize_name(item["metadata"]["name"])
        if name == "uponai-voices":
            continue
        if name not in pins:
            unpinned.append(name)
        else:
            assert item["metadata"]["version"] == pins[name], name
    assert not unpinned, f"not pinned in constraints.txt (make constraints): {unpinned}"
