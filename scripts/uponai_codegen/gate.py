"""The consumer gate: before a regenerated client is swapped in, the SDK must still work with it.

Three checks, cheapest first, against the staged package: the spec still has the clone
operation the SDK is built on (`clone_contract.clone_problem`); `uponai_widgets` imports with the
staged client and builds its description of the clone request; mypy (strict, the project's
settings) finds no error in the hand-written layer against it. A failure names what to change and
where, and the pipeline exits 2 with nothing changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import PipelineError
from .clone_contract import clone_problem

__all__ = ["GateError", "check_consumer"]

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "widgets" / "uponai_widgets"
_PROBE = (
    "import uponai_widgets\n"
    "from uponai_widgets._clone_request import CLONE\n"
    "print(len(CLONE.fields))\n"
)
_MYPY_CONFIG = """[mypy]
strict = True
python_version = 3.11

[mypy-uponai_client.*]
ignore_errors = True
"""
MAX_SHOWN = 12


class GateError(PipelineError):
    """The regenerated client would break the hand-written SDK."""


def _environment(package: Path) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(package.parent), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "MYPYPATH": str(package.parent)}


def _run(command: list[str], package: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        env=_environment(package),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _import_problem(package: Path) -> str | None:
    done = _run([sys.executable, "-c", _PROBE], package, 120)
    if done.returncode == 0:
        return None
    lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {done.returncode}"


def _type_errors(package: Path) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="uponai-gate-") as scratch:
        config = Path(scratch) / "mypy.ini"
        config.write_text(_MYPY_CONFIG, encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--cache-dir",
            str(ROOT / ".mypy_cache" / "gate"),
            str(SDK),
        ]
        done = _run(command, package, 600)
    if done.returncode == 0:
        return []
    return [line for line in done.stdout.splitlines() if ": error: " in line]


def check_consumer(package: Path, document: dict[str, Any], name_map_label: str) -> None:
    """Raise `GateError` when the SDK would not work with the staged `package`."""
    problem = clone_problem(document, name_map_label)
    if problem is not None:
        raise GateError(f"consumer gate: {problem}")
    imported = _import_problem(package)
    if imported is not None:
        raise GateError(
            "consumer gate: uponai_widgets does not import with the new client: "
            f"{imported}; update widgets/uponai_widgets where it names what the spec changed"
        )
    errors = _type_errors(package)
    if errors:
        shown = "\n".join(f"  {line}" for line in errors[:MAX_SHOWN])
        more = f"\n  ... and {len(errors) - MAX_SHOWN} more" if len(errors) > MAX_SHOWN else ""
        raise GateError(
            "consumer gate: the hand-written layer does not type-check against the new "
            f"client ({len(errors)} error(s)); update widgets/uponai_widgets:\n{shown}{more}"
        )
