"""`make demo` (scripts/demo.py): both servers come up on loopback, Ctrl-C stops both by PID."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from support.audio import make_wav
from support.sandbox import free_port, pid_alive

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "scripts" / "demo.py"
STARTUP_TIMEOUT = 90.0


def isolated_env(root: Path) -> dict[str, str]:
    """HOME, TMPDIR and every Jupyter/IPython directory inside `root`; no browser."""
    dirs = {
        "HOME": root / "home",
        "TMPDIR": root / "tmp",
        "JUPYTER_CONFIG_DIR": root / "jupyter-config",
        "JUPYTER_DATA_DIR": root / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": root / "jupyter-runtime",
        "IPYTHONDIR": root / "ipython",
        "JUPYTERLAB_WORKSPACES_DIR": root / "lab-workspaces",
        "JUPYTERLAB_SETTINGS_DIR": root / "lab-settings",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    keep = ("PATH", "LANG", "LC_ALL", "VIRTUAL_ENV", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update({k: str(v) for k, v in dirs.items()})
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["UPONAI_DEMO_NO_BROWSER"] = "1"
    return env


def wait_for(
    pattern: str, log: Path, process: subprocess.Popen[bytes], timeout: float
) -> re.Match[str]:
    """The first match of `pattern` in the demo's output, waiting for it (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(pattern, log.read_text(errors="replace"))
        if match:
            return match
        if process.poll() is not None:
            pytest.fail(f"demo exited with {process.returncode}:\n{log.read_text()}")
        time.sleep(0.2)
    pytest.fail(f"no {pattern!r} within {timeout} s:\n{log.read_text()}")


def process_environ(pid: int) -> dict[str, str]:
    """Environment of a running process (Linux /proc)."""
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_demo_starts_both_servers_and_ctrl_c_stops_both(tmp_path: Path) -> None:
    sandbox_port, lab_port = free_port(), free_port()
    while lab_port == sandbox_port:
        lab_port = free_port()
    log = tmp_path / "demo.log"
    command = [sys.executable, str(DEMO), "--sandbox-port", str(sandbox_port),
               "--lab-port", str(lab_port), "--data-dir", str(tmp_path / ".demo")]  # fmt: skip
    with log.open("wb") as out:
        demo = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=isolated_env(tmp_path), cwd=REPO
        )
    server_pids: list[int] = []
    try:
        sandbox_pid = int(wait_for(r"sandbox starting at \S+ \(pid (\d+)\)", log, demo, 30)[1])
        server_pids.append(sandbox_pid)
        lab_pid = int(wait_for(r"JupyterLab starting at \S+ \(pid (\d+)\)", log, demo, 60)[1])
        server_pids.append(lab_pid)
        url = wait_for(
            r"(http://127\.0\.0\.1:\d+/lab/tree/\S+)\?token=(\w+)", log, demo, STARTUP_TIMEOUT
        )
        assert url[1] == f"http://127.0.0.1:{lab_port}/lab/tree/notebooks/clone_voice.ipynb"

        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        assert httpx.get(f"{sandbox_url}/healthz", timeout=5).status_code == 200
        status = httpx.get(
            f"http://127.0.0.1:{lab_port}/api/status",
            headers={"Authorization": f"token {url[2]}"},
            timeout=5,
        )
        assert status.status_code == 200

        # Kernels inherit Lab's environment: it points at the sandbox with a key the sandbox takes.
        lab_env = process_environ(lab_pid)
        assert lab_env["UPONAI_BASE_URL"] == sandbox_url
        assert str(REPO / "jupyter") in lab_env["JUPYTER_CONFIG_PATH"].split(os.pathsep)
        response = httpx.post(
            f"{sandbox_url}/api/voices/clone",
            data={"workspaceId": "1", "voiceProvider": "demo", "voiceName": "demo"},
            files=[("files", ("a.wav", make_wav(0.1), "audio/wav"))],
            headers={"Authorization": f"Bearer {lab_env['UPONAI_API_KEY']}"},
            timeout=30,
        )
        assert response.status_code == 201
        # The key is not on any command line.
        for pid in (sandbox_pid, lab_pid):
            assert (
                lab_env["UPONAI_API_KEY"].encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
            )

        os.kill(demo.pid, signal.SIGINT)  # what Ctrl-C sends
        assert demo.wait(60) == 0, log.read_text()
        for pid in server_pids:
            assert not pid_alive(pid), f"server pid {pid} survived:\n{log.read_text()}"
        assert list((tmp_path / ".demo" / "sandbox" / "voices").iterdir())  # data is kept
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait(10)
        for pid in server_pids:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
