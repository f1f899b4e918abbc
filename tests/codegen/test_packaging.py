"""The wheel installs into a fresh virtual environment (not editable) and is typed for users.

One venv per module (building and installing is the slow part); the tests then probe it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support.codegen import ROOT

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, the python of a fresh venv with the wheel and no extras installed)."""
    tmp_path = tmp_path_factory.mktemp("wheel")
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
    return wheel, python


def test_wheel_installs_and_imports_in_a_fresh_venv(installed: tuple[Path, Path]) -> None:
    _wheel, python = installed
    venv = python.parent.parent
    probe = (
        "import pathlib, uponai_client, uponai_widgets, uponai_client.api.voices.clone_voice\n"
        "import importlib.util as u\n"
        "root = pathlib.Path(uponai_client.__file__).parent\n"
        "print(root)\n"
        "print((root / 'py.typed').exists())\n"
        "print(uponai_widgets.__version__)\n"
        "print(u.find_spec('ipywidgets') is None)\n"
    )
    location, typed, version, no_ipywidgets = run(python, "-I", "-c", probe, cwd=venv).split()
    assert location.startswith(str(venv)), "imported from the repository, not the wheel"
    assert typed == "True"
    assert version
    assert no_ipywidgets == "True", "the client alone must not pull in the jupyter extra"


def test_the_wheel_ships_the_front_end_files_and_py_typed(installed: tuple[Path, Path]) -> None:
    wheel, _python = installed
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "uponai_widgets/py.typed" in names
    assert "uponai_client/py.typed" in names
    front_end = {n for n in names if n.startswith("uponai_widgets/jupyter/")}
    assert any(n.endswith(".py") for n in front_end)


def test_every_public_name_has_a_type_for_users(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    """mypy, run on a user's file against the installed wheel, sees no `Any` among the names."""
    _wheel, python = installed
    import uponai_widgets

    names = sorted(uponai_widgets.__all__)
    user_file = tmp_path / "user_code.py"
    user_file.write_text(
        "import uponai_widgets as uw\n" + "".join(f"reveal_type(uw.{n})\n" for n in names),
        encoding="utf-8",
    )
    done = _user_mypy(python, user_file)
    revealed = re.findall(r':(\d+): note: Revealed type is "(.*)"', done.stdout)
    assert len(revealed) == len(names), done.stdout + done.stderr
    untyped = {
        names[int(line) - 2]: shown
        for line, shown in revealed
        if shown == "Any" or shown.endswith("-> Any") or shown == "builtins.object"
    }
    assert untyped == {}, done.stdout


def _user_mypy(python: Path, user_file: Path) -> subprocess.CompletedProcess[str]:
    """mypy on a user's file, against what is installed in `python`'s environment."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--python-executable",
            str(python),
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            "--config-file",
            os.devnull,
            str(user_file),
        ],
        cwd=user_file.parent,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "MYPYPATH"}},
    )


def test_call_is_typed_as_the_operations_result(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    """`uw.call(connection, operation, ...)` is seen as the operation's parsed body."""
    _wheel, python = installed
    user_file = tmp_path / "user_call.py"
    user_file.write_text(
        "import uponai_widgets as uw\n"
        "from uponai_client.api.voices import clone_voice\n"
        "from uponai_client.models import CloneVoiceBody\n"
        "connection = uw.connect('http://127.0.0.1:9', 't')\n"
        "body = CloneVoiceBody(workspace_id=1, voice_provider='p', voice_name='n', files=[])\n"
        "reveal_type(uw.call(connection, clone_voice, body=body))\n"
        "reveal_type(uw.call_async(connection, clone_voice, body=body))\n"
        "uw.call(connection, 'clone_voice', body=body)\n",
        encoding="utf-8",
    )
    done = _user_mypy(python, user_file)
    revealed = re.findall(r':(\d+): note: Revealed type is "(.*)"', done.stdout)
    assert revealed == [
        ("6", "uponai_client.models.voice.Voice"),
        ("7", "typing.Coroutine[Any, Any, uponai_client.models.voice.Voice]"),
    ], done.stdout
    assert ":8: error: " in done.stdout  # a string is not an operation
