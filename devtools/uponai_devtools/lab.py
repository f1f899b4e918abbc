"""Run JupyterLab on 127.0.0.1 for browser tests, isolated from the user's Jupyter and HOME.

    with start_lab(tmp_path, root_dir, kernel_env={"UPONAI_BASE_URL": ...}) as lab:
        page.goto(lab.notebook_url("clone_voice.ipynb"))

Every Jupyter/IPython directory, HOME and TMPDIR point into the test's temp folder. The server
keeps Jupyter's default settings (the 10 MiB websocket message ceiling included): the widget's
chunked picker must work there; `lift_ceiling=True` adds the repo's `jupyter/` config (the demo's).
The server is stopped with POST /api/shutdown, then by PID (SIGTERM, SIGKILL) within bounded waits.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from uponai_devtools.jupyter_env import isolated_jupyter_env

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "clone_voice.ipynb"
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def kernel_pid(lab: RunningLab, notebook: str) -> int:
    """PID of `notebook`'s kernel: Lab session -> kernel id -> the process using its connection file."""
    headers = {"Authorization": f"token {lab.token}"}
    sessions = httpx.get(f"{lab.url}/api/sessions", headers=headers, timeout=10).json()
    (kernel_id,) = [s["kernel"]["id"] for s in sessions if s["path"] == notebook]
    needle = f"kernel-{kernel_id}.json".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(needle in part for part in cmdline):
            return int(proc.name)
    raise RuntimeError(f"no process for kernel {kernel_id}")


def status_kib(pid: int, key: str) -> int:
    """A ``VmRSS`` / ``VmHWM`` figure (KiB) from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def reset_peak(pid: int) -> None:
    """Reset a process's peak RSS counter (VmHWM) to its current RSS."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


@dataclass
class RunningLab:
    """A JupyterLab server under test."""

    url: str
    token: str
    root_dir: Path
    pid: int
    log_path: Path

    def notebook_url(self, name: str) -> str:
        """The URL that opens `name` in a fresh Lab workspace (no restored tabs)."""
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"

    @property
    def tmp_dir(self) -> Path:
        """TMPDIR of the server and its kernels (where the picker's temporary files go)."""
        return self.log_path.parent / "tmp"

    def log_text(self) -> str:
        """The server's log so far (for failure messages)."""
        return self.log_path.read_text(errors="replace")


def isolated_env(
    home: Path, extra: Mapping[str, str], *, lift_ceiling: bool = False
) -> dict[str, str]:
    """Environment for Lab (and so for its kernels): private Jupyter dirs, HOME and TMPDIR.

    With `lift_ceiling`, the repo's `jupyter/` config raises the 10 MiB websocket message limit;
    without it the server keeps Jupyter's defaults.
    """
    env = isolated_jupyter_env(home)
    if lift_ceiling:
        env["JUPYTER_CONFIG_PATH"] = str(REPO / "jupyter")
    env.update(extra)
    return env


def write_lab_settings(env: Mapping[str, str], *, save_widget_state: bool) -> None:
    """User settings: widget saveState as asked; no news or update checks (no network)."""
    settings = Path(env["JUPYTERLAB_SETTINGS_DIR"])
    files = {
        "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {
            "saveState": save_widget_state
        },
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
    }
    for relative, content in files.items():
        path = settings / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


def _wait_ready(process: subprocess.Popen[bytes], lab: RunningLab) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{lab.log_text()}")
        try:
            response = httpx.get(
                f"{lab.url}/api/status", headers={"Authorization": f"token {lab.token}"}, timeout=2
            )
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"JupyterLab not ready after {STARTUP_TIMEOUT} s:\n{lab.log_text()}")


def _stop(process: subprocess.Popen[bytes], lab: RunningLab) -> None:
    if process.poll() is None:
        try:
            httpx.post(
                f"{lab.url}/api/shutdown",
                headers={"Authorization": f"token {lab.token}"},
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
def start_lab(
    home: Path,
    root_dir: Path,
    *,
    kernel_env: Mapping[str, str],
    save_widget_state: bool = False,
    lift_ceiling: bool = False,
) -> Iterator[RunningLab]:
    """Run JupyterLab serving `root_dir` until the block exits; kernels get `kernel_env`."""
    env = isolated_env(home, kernel_env, lift_ceiling=lift_ceiling)
    write_lab_settings(env, save_widget_state=save_widget_state)
    port = free_port()
    token = secrets.token_hex(16)
    args = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    log_path = home / f"jupyterlab-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root_dir
        )
    lab = RunningLab(
        url=f"http://127.0.0.1:{port}",
        token=token,
        root_dir=root_dir,
        pid=process.pid,
        log_path=log_path,
    )
    try:
        _wait_ready(process, lab)
        yield lab
    finally:
        _stop(process, lab)
