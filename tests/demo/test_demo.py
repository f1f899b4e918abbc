"""`make demo` (scripts/demo.py): both servers come up on loopback, Ctrl-C stops both by PID."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from support.demo_process import REPO, process_environ, running_demo

from uponai_devtools.processes import pid_alive
from uponai_devtools.wav import make_wav

CONSOLE_LINES = [
    r"UponAI sandbox starting at http://127\.0\.0\.1:\d+ \(pid \d+\)",
    r"JupyterLab starting at http://127\.0\.0\.1:\d+ \(pid \d+\)",
    r"Ready\. Open this URL \(it carries JupyterLab's login token\):",
    r" {4}http://127\.0\.0\.1:\d+/lab/tree/\S+\?token=\w+",
    r"JupyterLab serves a scratch copy of notebooks/ in \S+\.",
    r"Kernels use the sandbox\. .*",
    r"export UPONAI_(BASE_URL|API_KEY)=\S+",
    r"Server logs: \S+",
    r"Press Ctrl-C to stop both servers\.",
    r"SIGINT: stopping JupyterLab and the sandbox",
    r"stopped",
]


def console_keeps_to_the_url_and_the_exports(output: str) -> None:
    """Every line the demo printed is one of its own (no server log lines)."""
    strays = [
        line
        for line in output.splitlines()
        if line.strip() and not any(re.fullmatch(p, line) for p in CONSOLE_LINES)
    ]
    assert strays == [], "\n".join(strays)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_demo_starts_both_servers_and_ctrl_c_stops_both(tmp_path: Path) -> None:
    with running_demo(tmp_path) as demo:
        url = demo.wait_ready()
        assert url[1] == f"http://127.0.0.1:{demo.lab_port}/lab/tree/notebooks/clone_voice.ipynb"
        sandbox_pid, lab_pid = demo.server_pids

        sandbox_url = f"http://127.0.0.1:{demo.sandbox_port}"
        assert httpx.get(f"{sandbox_url}/healthz", timeout=5).status_code == 200
        status = httpx.get(
            f"http://127.0.0.1:{demo.lab_port}/api/status",
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

        assert demo.interrupt() == 0, demo.output()
        console_keeps_to_the_url_and_the_exports(demo.output())
        lab_log = (tmp_path / ".demo" / "logs" / "jupyterlab.log").read_text()
        assert "Jupyter Server" in lab_log  # the servers' own lines went to their logs
        for pid in demo.server_pids:
            assert not pid_alive(pid), f"server pid {pid} survived:\n{demo.output()}"
        assert list((tmp_path / ".demo" / "sandbox" / "voices").iterdir())  # data is kept
