"""Run Notebook 7 or Voila on 127.0.0.1 for browser tests, isolated like the Lab harness.

    with start_notebook7(tmp, root_dir, kernel_env=env) as server:
        page.goto(server.page_url("clone_voice.ipynb"))
    with start_voila(tmp, notebook_path, kernel_env=env) as server:
        page.goto(server.page_url())          # Voila runs the notebook, shows only outputs

Both keep their default server settings (the 10 MiB websocket message ceiling included). Like
`tests/browser/lab_harness.py` (JupyterLab), every Jupyter/IPython directory, HOME and TMPDIR point
into the test's folder, start-up is bounded, and each server is stopped by its PID: Notebook 7 first
with ``POST /api/shutdown``, Voila (which has no such route) with SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from uponai_devtools.jupyter_env import isolated_jupyter_env
from uponai_devtools.sandbox import free_port

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


@dataclass
class RunningFrontend:
    """A Notebook 7 or Voila server under test."""

    kind: str
    url: str
    token: str
    root_dir: Path
    pid: int
    log_path: Path

    def page_url(self, notebook: str = "") -> str:
        """Notebook 7: the page that opens `notebook`; Voila: its one page (runs the notebook)."""
        if self.kind == "voila":
            return f"{self.url}/"
        return f"{self.url}/notebooks/{notebook}?token={self.token}"

    @property
    def tmp_dir(self) -> Path:
        """TMPDIR of the server and its kernels."""
        return self.log_path.parent / "tmp"

    def log_text(self) -> str:
        """The server's log so far (for failure messages)."""
        return self.log_path.read_text(errors="replace")


def _wait_ready(process: subprocess.Popen[bytes], server: RunningFrontend, probe: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    headers = {"Authorization": f"token {server.token}"} if server.token else {}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{server.kind} exited with {process.returncode}:\n{server.log_text()}"
            )
        try:
            status = httpx.get(f"{server.url}{probe}", headers=headers, timeout=2).status_code
        except httpx.TransportError:
            status = 0
        # Notebook 7 answers its status route; Voila has none, any answer means it listens.
        if status == 200 or (server.kind == "voila" and 0 < status < 500):
            return
        time.sleep(0.2)
    raise TimeoutError(f"{server.kind} not ready after {STARTUP_TIMEOUT} s:\n{server.log_text()}")


def _stop(process: subprocess.Popen[bytes], server: RunningFrontend) -> None:
    if process.poll() is None and server.kind == "notebook":
        try:
            httpx.post(
                f"{server.url}/api/shutdown",
                headers={"Authorization": f"token {server.token}"},
                timeout=5,
            )
            process.wait(STOP_TIMEOUT)
        except (httpx.HTTPError, subprocess.TimeoutExpired):
            pass
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(STOP_TIMEOUT)


@contextmanager
def _run(
    kind: str,
    home: Path,
    root_dir: Path,
    args: Sequence[str],
    kernel_env: Mapping[str, str],
    token: str,
    port: int,
    probe: str,
) -> Iterator[RunningFrontend]:
    env = isolated_jupyter_env(home)
    env.update(kernel_env)
    log_path = home / f"{kind}-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(args), stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root_dir
        )
    server = RunningFrontend(
        kind=kind,
        url=f"http://127.0.0.1:{port}",
        token=token,
        root_dir=root_dir,
        pid=process.pid,
        log_path=log_path,
    )
    try:
        _wait_ready(process, server, probe)
        yield server
    finally:
        _stop(process, server)


@contextmanager
def start_notebook7(
    home: Path, root_dir: Path, *, kernel_env: Mapping[str, str]
) -> Iterator[RunningFrontend]:
    """Run Notebook 7 serving `root_dir` (``window.jupyterapp`` exposed) until the block exits."""
    port = free_port()
    token = secrets.token_hex(16)
    args = [
        sys.executable,
        "-m",
        "notebook",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}",
        f"--IdentityProvider.token={token}",
        "--JupyterNotebookApp.expose_app_in_browser=True",
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    with _run("notebook", home, root_dir, args, kernel_env, token, port, "/api/status") as server:
        yield server


@contextmanager
def start_voila(
    home: Path, notebook: Path, *, kernel_env: Mapping[str, str]
) -> Iterator[RunningFrontend]:
    """Run Voila on `notebook` until the block exits; every page load runs it in a new kernel."""
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "voila",
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        notebook.name,
    ]
    with _run("voila", home, notebook.parent, args, kernel_env, "", port, "/") as server:
        yield server
