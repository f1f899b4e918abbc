"""Paths and pipeline imports shared by the regeneration tests."""

from __future__ import annotations

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
