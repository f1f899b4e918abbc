"""`make demo` leaves the tree clean, prints export lines that work from another process, and
a quick restart comes back on the same ports with the same Lab token and sandbox key."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from support.demo_process import REPO, running_demo

from uponai_devtools.sandbox import pid_alive
from uponai_devtools.wav import write_wav

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

NOTEBOOK = "notebooks/clone_voice.ipynb"


def git_status() -> str:
    done = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=REPO, capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return done.stdout


def test_the_demo_serves_a_scratch_copy_and_its_export_lines_work_elsewhere(
    tmp_path: Path,
) -> None:
    before = git_status()
    tracked = (REPO / NOTEBOOK).read_bytes()
    with running_demo(tmp_path) as demo:
        _, token = demo.wait_ready().groups()
        exports = demo.exports()
        scratch = tmp_path / ".demo" / "lab" / NOTEBOOK
        assert json.loads(scratch.read_text())["cells"] == json.loads(tracked)["cells"]

        # A separate process (another terminal) with nothing but the printed lines.
        sample = write_wav(tmp_path / "take.wav", seconds=1.0)
        script = (
            f"{exports}\n"
            f"{sys.executable} -m uponai_widgets.cli clone --json --name Elsewhere "
            f"--provider demo --workspace-id 1 {sample}\n"
        )
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
        shell = subprocess.run(
            ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60
        )
        assert shell.returncode == 0, shell.stdout + shell.stderr
        voice_id = json.loads(shell.stdout)["voiceId"]
        assert (tmp_path / ".demo" / "sandbox" / "voices" / voice_id).is_dir()

        # Saving the open notebook (what Lab's autosave does) writes the scratch copy only.
        headers = {"Authorization": f"token {token}"}
        api = f"http://127.0.0.1:{demo.lab_port}/api/contents/{NOTEBOOK}"
        model = httpx.get(api, headers=headers, timeout=30).raise_for_status().json()
        model["content"]["cells"][0]["source"] = "# Saved in the demo\n"
        saved = httpx.put(
            api, headers=headers, json={"type": "notebook", "content": model["content"]}, timeout=30
        )
        assert saved.status_code == 200, saved.text
        assert "Saved in the demo" in scratch.read_text()
        assert (REPO / NOTEBOOK).read_bytes() == tracked
        assert demo.interrupt() == 0, demo.output()
    assert git_status() == before


def test_a_quick_restart_gets_the_same_ports_token_and_key(tmp_path: Path) -> None:
    with running_demo(tmp_path) as first:
        first_url, first_token = first.wait_ready().groups()
        first_exports = first.exports()
        ports = (first.sandbox_port, first.lab_port)
        # Leave connections to both servers behind, as a browser would.
        httpx.get(f"http://127.0.0.1:{ports[0]}/healthz", timeout=10)
        httpx.get(first_url, params={"token": first_token}, timeout=30)
        assert first.interrupt() == 0, first.output()
    state = tmp_path / ".demo" / "state.json"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert first_token in state.read_text()

    # No port flags this time: the demo takes the last run's ports itself.
    with running_demo(tmp_path, ports=(), log_name="restart") as again:
        url, token = again.wait_ready().groups()
        assert (again.sandbox_port, again.lab_port) == ports, again.output()
        assert "is busy" not in again.output()
        assert (url, token) == (first_url, first_token)
        assert again.exports() == first_exports
        assert again.interrupt() == 0, again.output()
        for pid in again.server_pids:
            assert not pid_alive(pid)
