"""The wheel installs into a fresh virtual environment (not editable) and is typed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from codegen_support import ROOT

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_wheel_installs_and_imports_in_a_fresh_venv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(
        sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, ROOT, cwd=ROOT
    )
    (wheel,) = dist.glob("uponai_voices-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "-c",
        ROOT / "constraints.txt",
        wheel,
        cwd=tmp_path,
    )
    probe = (
        "import pathlib, uponai_client, uponai_widgets, uponai_client.api.voices.clone_voice\n"
        "import importlib.util as u\n"
        "root = pathlib.Path(uponai_client.__file__).parent\n"
        "print(root)\n"
        "print((root / 'py.typed').exists())\n"
        "print(uponai_widgets.__version__)\n"
        "print(u.find_spec('ipywidgets') is None)\n"
    )
    location, typed, version, no_ipywidgets = run(python, "-I", "-c", probe, cwd=tmp_path).split()
    assert location.startswith(str(venv)), "imported from the repository, not the wheel"
    assert typed == "True"
    assert version
    assert no_ipywidgets == "True", "the client alone must not pull in the jupyter extra"
