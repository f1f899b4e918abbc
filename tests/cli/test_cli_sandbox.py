"""`uponai-voices sandbox`: runs the local API, prints export lines that work from another shell,
keeps its key (mode 0600) across restarts, and Ctrl-C stops it by PID with status 130."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.cli import COMMAND, Done, assert_clean, cli_env

from uponai_devtools.processes import free_port, pid_alive
from uponai_devtools.wav import write_wav

EXPORTS = re.compile(r"^export UPONAI_BASE_URL=(\S+)\nexport UPONAI_API_KEY=(\S+)$", re.M)


@dataclass
class SandboxCommand:
    """A running `uponai-voices sandbox` with its output files."""

    process: subprocess.Popen[str]
    out: Path
    err: Path

    def wait_for_exports(self, timeout: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = EXPORTS.search(self.out.read_text())
            if match:
                return match
            assert self.process.poll() is None, self.err.read_text()
            time.sleep(0.1)
        raise AssertionError(f"no export lines within {timeout} s:\n{self.err.read_text()}")

    def server_pid(self) -> int:
        return int(re.search(r"\(pid (\d+)", self.err.read_text())[1])  # type: ignore[index]

    def interrupt(self) -> Done:
        os.kill(self.process.pid, signal.SIGINT)
        status = self.process.wait(30)
        return Done(status, self.out.read_text(), self.err.read_text())


@contextmanager
def sandbox_command(tmp_path: Path, name: str, *args: str) -> Iterator[SandboxCommand]:
    out, err = tmp_path / f"{name}.out", tmp_path / f"{name}.err"
    with out.open("w") as out_file, err.open("w") as err_file:
        process = subprocess.Popen(
            [*COMMAND, "sandbox", *args], env=cli_env(None), stdout=out_file, stderr=err_file,
            text=True,
        )  # fmt: skip
    running = SandboxCommand(process, out, err)
    try:
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        match = re.search(r"\(pid (\d+)", err.read_text())
        if match and pid_alive(int(match[1])):
            os.kill(int(match[1]), signal.SIGKILL)


@pytest.mark.slow
def test_export_lines_work_from_another_shell_and_a_restart_keeps_them(tmp_path: Path) -> None:
    data = tmp_path / "sandbox-data"
    port = free_port()
    with sandbox_command(tmp_path, "first", "--port", str(port), "--data-dir", str(data)) as first:
        exports = first.wait_for_exports()
        assert exports[1] == f"http://127.0.0.1:{port}"
        key = exports[2]
        assert stat.S_IMODE((data / "api-key").stat().st_mode) == 0o600
        server = first.server_pid()
        assert key.encode() not in Path(f"/proc/{server}/cmdline").read_bytes()

        sample = write_wav(tmp_path / "take.wav", seconds=1.0)
        script = (
            f'eval "$(cat {first.out})"\n'
            f"{' '.join(COMMAND)} clone --name Ada --provider demo --workspace-id 1 {sample}\n"
        )
        env = cli_env(None)  # no UPONAI_* at all: only the pasted lines point it at the sandbox
        shell = subprocess.run(
            ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60
        )
        assert shell.returncode == 0, shell.stdout + shell.stderr
        assert "voice id:" in shell.stdout
        assert f"http://127.0.0.1:{port}/preview/" in shell.stdout

        stopped = first.interrupt()
        assert stopped.status == 130, stopped.text
        assert_clean(stopped)
        assert not pid_alive(server)

    with sandbox_command(tmp_path, "second", "--port", str(port), "--data-dir", str(data)) as again:
        assert again.wait_for_exports().group(0) == exports.group(0)
        stopped = again.interrupt()
        assert stopped.status == 130


def test_a_busy_port_is_status_2(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [*COMMAND, "sandbox", "--port", str(port), "--data-dir", str(tmp_path / "d")],
            env=cli_env(None), capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    assert done.returncode == 2
    assert f"port {port} is already in use" in done.stderr
    assert "Traceback" not in done.stderr
