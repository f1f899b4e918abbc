"""Run `scripts/demo.py` (what `make demo` runs) as a subprocess for tests, bounded and isolated."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from uponai_devtools.jupyter_env import isolated_jupyter_env
from uponai_devtools.sandbox import free_port, pid_alive

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "scripts" / "demo.py"
STARTUP_TIMEOUT = 90.0


def isolated_env(root: Path) -> dict[str, str]:
    """HOME, TMPDIR and every Jupyter/IPython directory inside `root`; no browser."""
    env = isolated_jupyter_env(root)
    env["UPONAI_DEMO_NO_BROWSER"] = "1"
    return env


def process_environ(pid: int) -> dict[str, str]:
    """Environment of a running process (Linux /proc)."""
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


@dataclass
class DemoRun:
    """A running demo: its own PID, both servers' PIDs and where they answer."""

    process: subprocess.Popen[bytes]
    log: Path
    sandbox_port: int
    lab_port: int
    server_pids: list[int] = field(default_factory=list)

    def output(self) -> str:
        """What the demo printed so far."""
        return self.log.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        """The first match of `pattern` in the demo's output, waiting for it (bounded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.output())
            if match:
                return match
            if self.process.poll() is not None:
                raise AssertionError(
                    f"demo exited with {self.process.returncode}:\n{self.output()}"
                )
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} within {timeout} s:\n{self.output()}")

    def wait_ready(self) -> re.Match[str]:
        """Wait for both servers; return the match of the printed URL (groups: URL, token).

        Also records both servers' PIDs and the ports they actually use."""
        sandbox = self.wait_for(r"sandbox starting at http://127\.0\.0\.1:(\d+) \(pid (\d+)\)", 30)
        lab = self.wait_for(r"JupyterLab starting at http://127\.0\.0\.1:(\d+) \(pid (\d+)\)", 60)
        self.server_pids += [int(sandbox[2]), int(lab[2])]
        self.sandbox_port, self.lab_port = int(sandbox[1]), int(lab[1])
        return self.wait_for(
            r"(http://127\.0\.0\.1:\d+/lab/tree/\S+)\?token=(\w+)", STARTUP_TIMEOUT
        )

    def exports(self) -> str:
        """The two `export UPONAI_...=` lines the demo printed (waiting for them)."""
        match = self.wait_for(
            r"(?m)^export UPONAI_BASE_URL=\S+\nexport UPONAI_API_KEY=\S+$", STARTUP_TIMEOUT
        )
        return match[0]

    def interrupt(self) -> int:
        """Send what Ctrl-C sends; return the demo's exit status."""
        os.kill(self.process.pid, signal.SIGINT)
        return self.process.wait(60)


def _free_ports() -> tuple[int, int]:
    sandbox_port, lab_port = free_port(), free_port()
    while lab_port == sandbox_port:
        lab_port = free_port()
    return sandbox_port, lab_port


@contextmanager
def running_demo(
    tmp_path: Path, *extra_args: str, ports: tuple[int, int] | None = None, log_name: str = "demo"
) -> Iterator[DemoRun]:
    """Start the demo with isolated HOME/Jupyter dirs and data in `tmp_path/.demo`; kill what is
    left at exit. `ports` (sandbox, Lab) default to two free ports; `()` passes no port flags,
    so the demo picks them itself (the last run's, kept in `.demo/state.json`)."""
    port_args: list[str] = []
    sandbox_port = lab_port = 0
    if ports is None:
        ports = _free_ports()
    if ports:
        sandbox_port, lab_port = ports
        port_args = ["--sandbox-port", str(sandbox_port), "--lab-port", str(lab_port)]
    log = tmp_path / f"{log_name}.log"
    command = [sys.executable, str(DEMO), *port_args, "--data-dir", str(tmp_path / ".demo"),
               *extra_args]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=isolated_env(tmp_path), cwd=REPO
        )
    run = DemoRun(process, log, sandbox_port, lab_port)
    try:
        yield run
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        for pid in run.server_pids:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
