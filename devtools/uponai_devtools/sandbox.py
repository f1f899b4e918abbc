"""Run the UponAI sandbox as a subprocess on 127.0.0.1 for tests.

    with start_sandbox(tmp_path / "data") as sandbox:
        sandbox.inject_fault(status=503, count=1)   # /_sandbox/* calls carry the token
        ...  # talk to sandbox.url with sandbox.token
        assert sandbox.requests()[0]["files"][0]["sha256"] == expected

The process gets its token through the environment (never on the command line), binds a free
port, and is stopped by PID on exit: SIGTERM, then SIGKILL after a bound; exit asserts it is gone.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

STOP_TIMEOUT = 10.0


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


@dataclass
class RunningSandbox:
    """A sandbox process under test: where it listens, its token, data and PID."""

    url: str
    token: str
    data_dir: Path
    pid: int
    log_path: Path
    _http: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # The /_sandbox/* routes need the same bearer token as the API.
        self._http = httpx.Client(timeout=10, headers=self.auth_headers)

    @property
    def auth_headers(self) -> dict[str, str]:
        """`Authorization: Bearer <token>`: for API calls and the `/_sandbox/*` routes."""
        return {"Authorization": f"Bearer {self.token}"}

    def sandbox_get(self, path: str, **params: str) -> httpx.Response:
        """GET a test-mode route (`path` under `/_sandbox/`) with the token, unchecked."""
        return self._http.get(f"{self.url}/_sandbox/{path.lstrip('/')}", params=params)

    def faults(self) -> dict[str, Any]:
        """`GET /_sandbox/faults`: the queued faults and the standing latency."""
        response = self.sandbox_get("faults")
        response.raise_for_status()
        listing: dict[str, Any] = response.json()
        return listing

    def inject_fault(self, **fault: Any) -> dict[str, Any]:
        """Queue a fault, e.g. `inject_fault(status=429, count=2, retry_after=1)`."""
        response = self._http.post(f"{self.url}/_sandbox/faults", json=fault)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def clear_faults(self) -> None:
        """Forget every queued fault (and a standing latency)."""
        self._http.delete(f"{self.url}/_sandbox/faults").raise_for_status()

    def requests(self) -> list[dict[str, Any]]:
        """What the sandbox received on the API path, oldest first (headers minus Authorization)."""
        response = self._http.get(f"{self.url}/_sandbox/requests")
        response.raise_for_status()
        entries: list[dict[str, Any]] = response.json()
        return entries

    def clear_requests(self) -> None:
        """Empty the request log."""
        self._http.delete(f"{self.url}/_sandbox/requests").raise_for_status()

    def voice_record(self, voice_id: str) -> dict[str, Any]:
        """The stored record of a voice: workspace, actor, samples with paths and sha256."""
        response = self._http.get(f"{self.url}/_sandbox/voices/{voice_id}")
        response.raise_for_status()
        record: dict[str, Any] = response.json()
        return record

    def voice_ids(self, name: str | None = None) -> list[str]:
        """Ids of every stored voice (only those named `name`, when given), oldest first."""
        params = {} if name is None else {"name": name}
        response = self._http.get(f"{self.url}/_sandbox/voices", params=params)
        response.raise_for_status()
        ids: list[str] = response.json()
        return ids

    def voices(self, name: str | None = None) -> list[dict[str, Any]]:
        """Every stored record (as `voice_record`), only those named `name` when given."""
        params = {"records": "1"} | ({} if name is None else {"name": name})
        response = self._http.get(f"{self.url}/_sandbox/voices", params=params)
        response.raise_for_status()
        records: list[dict[str, Any]] = response.json()
        return records

    def voice_counts(self) -> dict[str, int]:
        """How many stored voices carry each name: a duplicate shows as a count above 1."""
        return dict(Counter(record["name"] for record in self.voices()))

    def log_text(self) -> str:
        """Everything the process printed so far."""
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        """Close the helper HTTP client."""
        self._http.close()


def _wait_ready(process: subprocess.Popen[bytes], url: str, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"sandbox exited with {process.returncode}:\n{log_path.read_text(errors='replace')}"
            )
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise TimeoutError(
        f"sandbox not ready after {timeout} s:\n{log_path.read_text(errors='replace')}"
    )


def stop_process(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM by PID, SIGKILL after `timeout`, then assert the PID is gone."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout)
    assert not pid_alive(process.pid), f"process {process.pid} is still running"


@contextmanager
def start_sandbox(
    data_dir: Path,
    *,
    token: str | None = None,
    test_mode: bool = True,
    extra_args: Sequence[str] = (),
    startup_timeout: float = 20,
    env: Mapping[str, str] | None = None,
) -> Iterator[RunningSandbox]:
    """Run `python -m uponai_sandbox` on 127.0.0.1 (free port) until the block exits.

    `env` adds variables (e.g. `UPONAI_SANDBOX_HEADER_TIMEOUT`) to the process's environment,
    from which every `UPONAI_SANDBOX_*` of the test run itself is removed.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    token = token or secrets.token_urlsafe(24)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "uponai_sandbox", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--data-dir", str(data_dir), "--log-level", "warning"]
    if test_mode:
        args.append("--test-mode")
    args += list(extra_args)
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("UPONAI_SANDBOX_")}
    child_env |= dict(env or {})
    child_env["UPONAI_SANDBOX_TOKEN"] = token
    log_path = data_dir.parent / f"sandbox-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=child_env)
    try:
        _wait_ready(process, url, log_path, startup_timeout)
        running = RunningSandbox(
            url=url, token=token, data_dir=data_dir, pid=process.pid, log_path=log_path
        )
        try:
            yield running
        finally:
            running.close()
    finally:
        stop_process(process)


class SandboxFactory:
    """Starts dedicated sandboxes and stops them all on `close()` (see the `sandbox_factory` fixture).

    `factory(data_dir=None, **start_sandbox_kwargs)` starts one; `factory.stop(running)` stops it
    early, e.g. to restart another on the same data directory.
    """

    def __init__(self, default_data_dir: Path) -> None:
        self.default_data_dir = default_data_dir
        self._stacks: dict[int, ExitStack] = {}

    def __call__(self, data_dir: Path | None = None, **kwargs: Any) -> RunningSandbox:
        """Start a sandbox (test mode by default) and wait until it answers."""
        stack = ExitStack()
        running = stack.enter_context(start_sandbox(data_dir or self.default_data_dir, **kwargs))
        self._stacks[running.pid] = stack
        return running

    def stop(self, running: RunningSandbox) -> None:
        """Stop one sandbox by PID and assert it is gone."""
        self._stacks.pop(running.pid).close()

    def close(self) -> None:
        """Stop every sandbox still running."""
        while self._stacks:
            _, stack = self._stacks.popitem()
            stack.close()
