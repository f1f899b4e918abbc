"""Processes the harness starts: free loopback ports, liveness by PID, stopping by PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess

import httpx

__all__ = ["free_port", "pid_alive", "stop_jupyter_server", "stop_process"]


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
    if process.poll() is None:
        try:
            httpx.post(
                f"{url}/api/shutdown", headers={"Authorization": f"token {token}"}, timeout=5
            )
            process.wait(timeout)
        except (httpx.HTTPError, subprocess.TimeoutExpired):
            pass
    stop_process(process, timeout)
