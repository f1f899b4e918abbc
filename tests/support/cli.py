"""Run `uponai-voices` (as `python -m uponai_widgets.cli`, what the console script calls) in a
subprocess against a sandbox, and check what it printed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import write_wav

COMMAND = [sys.executable, "-m", "uponai_widgets.cli"]


@dataclass
class Done:
    """A finished command: its exit status and everything it printed."""

    status: int
    out: str
    err: str

    @property
    def text(self) -> str:
        """stdout and stderr together."""
        return self.out + self.err


def cli_env(sandbox: RunningSandbox | None, **extra: str) -> dict[str, str]:
    """The caller's environment without UPONAI_* settings, pointed at `sandbox`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UPONAI_")}
    env["PYTHONUNBUFFERED"] = "1"
    env["COLUMNS"] = "100"
    if sandbox is not None:
        env["UPONAI_BASE_URL"] = sandbox.url
        env["UPONAI_API_KEY"] = sandbox.token
    env.update(extra)
    return env


def assert_clean(done: Done, *secrets: str) -> None:
    """No traceback and no secret anywhere in the output."""
    assert "Traceback" not in done.text, done.text
    for secret in secrets:
        assert secret not in done.text, f"a secret was printed:\n{done.text}"


def run_cli(
    *args: str | Path,
    sandbox: RunningSandbox | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
) -> Done:
    """Run the command to completion (bounded); check no traceback and no sandbox token."""
    completed = subprocess.run(
        [*COMMAND, *map(str, args)],
        env=dict(env) if env is not None else cli_env(sandbox),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    done = Done(completed.returncode, completed.stdout, completed.stderr)
    if sandbox is not None:
        assert_clean(done, sandbox.token)
    else:
        assert_clean(done)
    return done


def speakers(root: Path, names: list[str], files_each: int = 2) -> Path:
    """`root/<name>/take<i>.wav` for each speaker (1.2 s tones)."""
    for number, name in enumerate(names):
        for index in range(files_each):
            path = root / name / f"take{index}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            write_wav(path, seconds=1.2, freq=200.0 + 40 * number + 10 * index)
    return root
