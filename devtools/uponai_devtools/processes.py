"""Processes the harness starts: free loopback ports, liveness by PID, stopping by PID, and
`ServerProcess`, the base of the test servers that run as processes of their own.

Nothing here imports httpx at module level: the servers import this module too.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import tempfile
import time
from typing import IO, Self

__all__ = ["ServerProcess", "free_port", "pid_alive", "stop_jupyter_server", "stop_process"]

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pid_alive(pid: int) -> bool:
    """True while a process with this PID exists (and is not a zombie we already reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM by PID, SIGKILL after `timeout`, then assert the PID is gone."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout)
    assert not pid_alive(process.pid), f"process {process.pid} is still running"


def stop_jupyter_server(
    process: subprocess.Popen[bytes], url: str, token: str, timeout: float = 15.0
) -> None:
    """Ask a Jupyter server to shut down (`POST /api/shutdown`), then stop it by PID."""
    import httpx

    if process.poll() is None:
        try:
            httpx.post(
                f"{url}/api/shutdown", headers={"Authorization": f"token {token}"}, timeout=5
            )
            process.wait(timeout)
        except (httpx.HTTPError, subprocess.TimeoutExpired):
            pass
    stop_process(process, timeout)


class ServerProcess:
    """A test server run as a process of its own on a free loopback port, stopped by its PID.

    A subclass says how to run it (`command`, given `port`) and how to tell it answers
    (`ready`, which raises `OSError`, `http.client.HTTPException`, `ValueError` or
    `RuntimeError` until then). `start()` (or `with`) sets `port` and `url` and returns once
    it answers (within `start_timeout`, else `RuntimeError` with what the process wrote to
    stderr); `stop()` ends it by PID (SIGTERM, then SIGKILL).
    """

    name = "the server"
    start_timeout = 10.0

    def __init__(self) -> None:
        self.port, self.url = 0, ""
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    def command(self) -> list[str]:
        """The process's command line, to listen on `self.port`."""
        raise NotImplementedError

    def ready(self) -> None:
        """Return once the server answers; raise while it does not yet."""
        raise NotImplementedError

    def start(self) -> Self:
        """Start the process and wait (bounded) until it answers; returns self."""
        if self._process is not None:
            raise RuntimeError(f"{self.name} is already started")
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        stderr = self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - open while it runs
        process = self._process = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline and process.poll() is None:
            try:
                self.ready()
            except (OSError, http.client.HTTPException, ValueError, RuntimeError):
                time.sleep(0.01)
            else:
                return self
        stderr.seek(0)
        problem = f"exit status {process.poll()}; {stderr.read().decode('utf-8', 'replace')}"
        self.stop()
        raise RuntimeError(f"{self.name} is not up after {self.start_timeout} s: {problem}")

    def stop(self) -> None:
        """Stop the process by PID (idempotent)."""
        process, self._process = self._process, None
        if process is not None:
            stop_process(process)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def process(self) -> subprocess.Popen[bytes]:
        """The server process (while started)."""
        if self._process is None:
            raise RuntimeError(f"{self.name} is not running; call start()")
        return self._process

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.process.pid
