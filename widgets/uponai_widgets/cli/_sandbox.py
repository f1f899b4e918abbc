"""`uponai-voices sandbox`: the local UponAI API on loopback, and the lines that point at it.

The sandbox runs as a child process (`python -m uponai_sandbox`) with its key in the environment,
never on a command line. The key is `UPONAI_SANDBOX_TOKEN` when set, else one generated once and
kept in the data folder (mode 0600), so a restart prints the same export lines.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

import httpx

from .._extras import install_hint
from ._errors import FAILED, INTERRUPTED, OK, CliError

__all__ = ["KEY_FILE", "default_data_dir", "export_lines", "run_sandbox", "sandbox_key"]

LOOPBACK = "127.0.0.1"
KEY_FILE = "api-key"
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def default_data_dir() -> Path:
    """`$XDG_DATA_HOME/uponai-voices/sandbox` (default `~/.local/share/...`)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "uponai-voices" / "sandbox"


def sandbox_key(data_dir: Path) -> str:
    """`UPONAI_SANDBOX_TOKEN`, else the key kept in `data_dir` (created once, mode 0600)."""
    configured = os.environ.get("UPONAI_SANDBOX_TOKEN", "").strip()
    if configured:
        return configured
    path = data_dir / KEY_FILE
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
        if key:
            path.chmod(0o600)
            return key
    key = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def export_lines(url: str, key: str) -> str:
    """The two shell lines that point the SDK and `uponai-voices` at the sandbox."""
    return f"export UPONAI_BASE_URL={url}\nexport UPONAI_API_KEY={key}"


def _port_is_free(port: int) -> bool:
    """True when nothing listens on the port (closing connections do not count, as for uvicorn)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _wait_ready(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CliError(f"the sandbox exited with status {process.returncode}", FAILED)
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise CliError(f"the sandbox did not answer at {url} within {STARTUP_TIMEOUT:.0f} s", FAILED)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(STOP_TIMEOUT)


class _Terminated(Exception):
    """SIGTERM arrived: stop the sandbox and exit 0."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def run_sandbox(port: int, data_dir: Path | None) -> int:
    """Run the sandbox until Ctrl-C (exit 130) or SIGTERM (exit 0); print the export lines."""
    missing = [
        m for m in ("starlette", "uvicorn", "multipart") if importlib.util.find_spec(m) is None
    ]
    if missing:
        raise CliError(f"the sandbox needs the sandbox extra: {install_hint('sandbox')}")
    folder = (data_dir or default_data_dir()).expanduser().resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        key = sandbox_key(folder)
    except OSError as exc:
        raise CliError(
            f"{folder}: cannot use it as the sandbox's data folder ({exc.strerror})"
        ) from None
    if port == 0:
        port = _free_port()
    elif not _port_is_free(port):
        raise CliError(f"port {port} is already in use on {LOOPBACK}; choose another with --port")
    url = f"http://{LOOPBACK}:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("UPONAI_SANDBOX_")}
    env["UPONAI_SANDBOX_TOKEN"] = key
    command = [sys.executable, "-m", "uponai_sandbox", "--host", LOOPBACK, "--port", str(port),
               "--data-dir", str(folder), "--log-level", "warning"]  # fmt: skip
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    process: subprocess.Popen[bytes] | None = None
    try:
        process = subprocess.Popen(command, env=env, start_new_session=True)
        _wait_ready(process, url)
        print(export_lines(url, key), flush=True)
        print(
            f"UponAI sandbox at {url} (pid {process.pid}, data in {folder}). Paste the two "
            "export lines into another shell to point the SDK and uponai-voices at it. "
            "Ctrl-C stops it.",
            file=sys.stderr,
            flush=True,
        )
        status = process.wait()
        raise CliError(f"the sandbox exited with status {status}", FAILED)
    except KeyboardInterrupt:
        print("stopping the sandbox", file=sys.stderr, flush=True)
        return INTERRUPTED
    except _Terminated:
        return OK
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if process is not None:
            _stop(process)
        signal.signal(signal.SIGTERM, previous)
