"""The `uponai-voices` console script: declared in pyproject.toml, installed next to Python."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from support.cli import cli_env

import uponai_widgets

REPO = Path(__file__).resolve().parents[2]


def test_the_console_script_is_declared() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"uponai-voices": "uponai_widgets.cli:main"}
    assert "typer" in " ".join(project["optional-dependencies"]["cli"])
    for extra in ("jupyter", "dev"):
        assert any("cli" in item for item in project["optional-dependencies"][extra]), extra


def test_the_installed_command_runs() -> None:
    script = Path(sys.executable).parent / "uponai-voices"
    if not script.exists():
        pytest.skip("the venv predates the console script: run make install")
    done = subprocess.run(
        [str(script), "--version"], env=cli_env(None), capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"uponai-voices {uponai_widgets.__version__}"
    subcommand_help = subprocess.run(
        [str(script), "clone", "--help"], env=cli_env(None), capture_output=True, text=True,
        timeout=30,
    )  # fmt: skip
    assert subcommand_help.returncode == 0
    assert "no --token flag" in " ".join(subcommand_help.stdout.split())
