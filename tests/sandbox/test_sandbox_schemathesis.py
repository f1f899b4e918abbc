"""schemathesis (v4 CLI) finds nothing wrong with the sandbox, and really exercises 201s."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from support.sandbox_http import SPEC_PATH

from uponai_devtools.sandbox import SandboxFactory

TESTS = Path(__file__).resolve().parents[1]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
MAX_EXAMPLES = os.environ.get("UPONAI_SCHEMATHESIS_EXAMPLES", "40")  # more: a longer hunt


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_schemathesis_run_is_clean(sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    if not SCHEMATHESIS.exists():
        pytest.fail(f"schemathesis is not installed next to {sys.executable}")
    sandbox = sandbox_factory(tmp_path / "data")
    work = tmp_path / "run"  # schemathesis keeps state in its working directory
    work.mkdir()
    shutil.copy(SPEC_PATH, work / "openapi.json")
    env = dict(os.environ, SCHEMATHESIS_HOOKS="support.schemathesis_hooks", NO_COLOR="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    command = [
        str(SCHEMATHESIS), "run", "openapi.json",
        "--url", sandbox.url,
        "-H", f"Authorization: Bearer {sandbox.token}",
        "--exclude-checks", "status_code_conformance,positive_data_acceptance",
        "--max-examples", MAX_EXAMPLES,
        "--request-timeout", "10",
        "--no-color",
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=work, env=env, capture_output=True, text=True, timeout=110, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "FAILURES" not in output, output
    assert "mostly rejected" not in output, output
    assert "WARNINGS" not in output, output
    assert " passed" in output, output

    statuses = Counter(entry["status"] for entry in sandbox.requests())
    assert statuses[201] >= 10, statuses  # the run really created voices
    assert sum(n for code, n in statuses.items() if code and 400 <= code < 500) >= 10, statuses
    assert not [code for code in statuses if code is None or code >= 500], statuses
