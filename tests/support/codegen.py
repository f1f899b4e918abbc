"""Paths and pipeline imports shared by the regeneration tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
SPEC = ROOT / "openapi.json"
CONFIG = SCRIPTS / "generator-config.yaml"
NAME_MAP = SCRIPTS / "operation-names.json"
COMMITTED = ROOT / "generated_client" / "uponai_client"
REGENERATE = SCRIPTS / "regenerate.py"


def regenerate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `scripts/regenerate.py` with `args` in a fresh interpreter (bounded)."""
    return subprocess.run(
        [sys.executable, str(REGENERATE), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


TESTS = ROOT / "tests"


def run_with_client(
    client_dir: Path,
    base_url: str,
    token: str,
    *args: str | Path,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """`python ARGS` as a user runs it after regenerating: the client in `client_dir` (a
    `generated_client` folder) in place of `uponai_client`, `tests` importable, the API at
    `base_url` with `token` (bounded)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(client_dir), str(TESTS)]),
        "UPONAI_BASE_URL": base_url,
        "UPONAI_API_KEY": token,
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
