"""`constraints.txt` and every extra resolve, from wheels only, for each Python we claim.

pip resolves against the package registry (`--dry-run`: nothing is installed) for the interpreter
versions in `support.resolve.PYTHONS`, as if it ran on them (`--python-version`, which needs
`--target`). A pin whose release needs a newer patch version (soupsieve 4.1.3 needs Python >=
3.11.5: Debian 12 has 3.11.2) fails here. The three resolutions run at the same time, started by
this folder's conftest right after collection (the `resolutions` fixture).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from support.resolve import PYTHONS, REPO, TIMEOUT

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
