"""`make demo`: the UponAI sandbox and JupyterLab on loopback, `notebooks/clone_voice.ipynb` open.

Starts `python -m uponai_sandbox` (data in `.demo/sandbox/`), then JupyterLab with the repo's
`jupyter/` config on `JUPYTER_CONFIG_PATH` (it lifts the 10 MiB websocket message limit, so real
samples reach the kernel) and with `UPONAI_BASE_URL` / `UPONAI_API_KEY` pointing kernels at the
sandbox. JupyterLab serves a scratch copy of `notebooks/` (`.demo/lab/notebooks/`, ignored by
git), so using the demo never changes a tracked file. Prints the URL to open and the two `export`
lines that point a script or a terminal at the same sandbox; Ctrl-C (SIGINT) or SIGTERM stops
both servers by PID. Each server's own output goes to `.demo/logs/` (sandbox.log,
jupyterlab.log; mode 0600, as Lab logs its token): the console keeps to the URL, the export lines
and errors (with the end of the failing server's log). At every start the scratch notebooks lose
the outputs and widget state Lab autosaved, so the demo opens clean.

The ports, the sandbox key and JupyterLab's token are kept in `.demo/state.json` (mode 0600): a
restart comes back on the same URL with the same token (it waits for a port the last run has not
released yet) and the printed export lines keep working.

    python scripts/demo.py [--sandbox-port N] [--lab-port N] [--no-browser] [--data-dir DIR]
                           [--root-dir DIR]

Each flag has an environment variable: `UPONAI_DEMO_SANDBOX_PORT`, `UPONAI_DEMO_LAB_PORT`,
`UPONAI_DEMO_NO_BROWSER=1`, `UPONAI_DEMO_DATA_DIR`, `UPONAI_DEMO_ROOT_DIR`. Without a port flag
the last run's port is used, else 8765 / 8888; port 0 picks a free port. `--root-dir` serves that
folder as it is instead of the scratch copy; it must hold `notebooks/clone_voice.ipynb`.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
from demo_files import log_tail, scratch_notebooks, server_log

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = "notebooks/clone_voice.ipynb"
LOOPBACK = "127.0.0.1"
STOP_TIMEOUT = 15.0
PORT_WAIT = 20.0
DEFAULT_SANDBOX_PORT = 8765
DEFAULT_LAB_PORT = 8888
STATE_FILE = "state.json"


@dataclass(frozen=True)
class DemoOptions:
    """What the demo runs with (see `parse_options`); a port of None means "the last one"."""

    sandbox_port: int | None
    lab_port: int | None
    open_browser: bool
    data_dir: Path
    startup_timeout: float
    root_dir: Path | None = None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def parse_options(argv: Sequence[str] | None, env: Mapping[str, str]) -> DemoOptions:
    """Flags first, then `UPONAI_DEMO_*` variables, then defaults (8765, 8888, `.demo/`)."""
    parser = argparse.ArgumentParser(prog="scripts/demo.py", description=__doc__.splitlines()[0])
    parser.add_argument("--sandbox-port", type=int, default=_port(env, "SANDBOX_PORT"))
    parser.add_argument("--lab-port", type=int, default=_port(env, "LAB_PORT"))
    parser.add_argument(
        "--no-browser",
        action="store_true",
        default=_truthy(env.get("UPONAI_DEMO_NO_BROWSER")),
        help="print the URL only; do not open a browser",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path(env.get("UPONAI_DEMO_DATA_DIR", REPO / ".demo"))
    )
    root = env.get("UPONAI_DEMO_ROOT_DIR")
    parser.add_argument("--root-dir", type=Path, default=Path(root) if root else None)
    parser.add_argument("--startup-timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    return DemoOptions(
        sandbox_port=args.sandbox_port,
        lab_port=args.lab_port,
        open_browser=not args.no_browser,
        data_dir=args.data_dir.resolve(),
        startup_timeout=args.startup_timeout,
        root_dir=args.root_dir.resolve() if args.root_dir else None,
    )


def _port(env: Mapping[str, str], name: str) -> int | None:
    value = env.get(f"UPONAI_DEMO_{name}", "").strip()
    return int(value) if value else None


def port_is_free(port: int) -> bool:
    """True if nothing listens on 127.0.0.1:`port` (closing connections of a stopped server do
    not count: the servers bind with SO_REUSEADDR too)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def choose_port(wanted: int, wait: float = 0.0) -> int:
    """`wanted` once it is free (waiting up to `wait` s for a previous run to release it); a free
    port for 0; otherwise a free port instead (said so)."""
    deadline = time.monotonic() + wait
    while wanted:
        if port_is_free(wanted):
            return wanted
        if time.monotonic() >= deadline:
            break
        time.sleep(0.25)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port = int(sock.getsockname()[1])
    if wanted:
        print(f"port {wanted} is busy, using {port}", flush=True)
    return port


def sandbox_command(port: int, data_dir: Path) -> list[str]:
    """The sandbox command line (the token travels in the environment, not here)."""
    return [sys.executable, "-m", "uponai_sandbox", "--host", LOOPBACK, "--port", str(port),
            "--data-dir", str(data_dir / "sandbox")]  # fmt: skip


def load_state(data_dir: Path) -> dict[str, Any]:
    """What the last run kept in `data_dir/state.json` (ports, keys), or {}."""
    try:
        state = json.loads((data_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def save_state(data_dir: Path, state: Mapping[str, Any]) -> None:
    """Write `state.json` readable by its owner only (it holds the key and the Lab token)."""
    path = data_dir / STATE_FILE
    temp = path.with_name(f".{STATE_FILE}.{os.getpid()}")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(dict(state), handle, indent=1)
    os.replace(temp, path)
    path.chmod(0o600)


def _remembered(state: Mapping[str, Any], key: str, kind: type) -> Any:
    value = state.get(key)
    return value if isinstance(value, kind) and not isinstance(value, bool) and value else None


def export_lines(sandbox_url: str, api_key: str) -> str:
    """The shell lines that point the SDK and `uponai-voices` at the demo's sandbox."""
    return f"export UPONAI_BASE_URL={sandbox_url}\nexport UPONAI_API_KEY={api_key}"


def lab_command(port: int, *, open_browser: bool, root_dir: Path = REPO) -> list[str]:
    """JupyterLab on loopback serving `root_dir`, opening the clone notebook."""
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.ip={LOOPBACK}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}", f"--ServerApp.open_browser={open_browser}",
        f"--LabApp.default_url=/lab/tree/{NOTEBOOK}",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    return command


def sandbox_env(base: Mapping[str, str], token: str) -> dict[str, str]:
    """The sandbox's environment: the token, and no stray `UPONAI_SANDBOX_*` settings."""
    env = {k: v for k, v in base.items() if not k.startswith("UPONAI_SANDBOX_")}
    env["UPONAI_SANDBOX_TOKEN"] = token
    return env


def lab_env(
    base: Mapping[str, str], *, sandbox_url: str, api_key: str, lab_token: str
) -> dict[str, str]:
    """JupyterLab's environment, inherited by its kernels: the sandbox URL and key, the config."""
    env = dict(base)
    config_path = [str(REPO / "jupyter")]
    if env.get("JUPYTER_CONFIG_PATH"):
        config_path.append(env["JUPYTER_CONFIG_PATH"])
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(config_path)
    env["JUPYTER_TOKEN"] = lab_token
    env["UPONAI_BASE_URL"] = sandbox_url
    env["UPONAI_API_KEY"] = api_key
    env["PYTHONUNBUFFERED"] = "1"
    return env


def answers(url: str, headers: Mapping[str, str] | None = None) -> bool:
    """True once `url` answers 200."""
    try:
        return httpx.get(url, headers=dict(headers or {}), timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def wait_until_ready(
    name: str,
    process: subprocess.Popen[bytes],
    url: str,
    timeout: float,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Poll `url` until it answers; fail if the process exits or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with status {process.returncode}")
        if answers(url, headers):
            return
        time.sleep(0.2)
    raise TimeoutError(f"{name} did not answer at {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM by PID, then SIGKILL if it is still running after `timeout`."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout)


class _Stop(Exception):
    """Raised from the signal handler to leave the wait loop."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def run(options: DemoOptions, base_env: Mapping[str, str]) -> int:
    """Start both servers, print where they are, wait for Ctrl-C/SIGTERM, stop both."""
    options.data_dir.mkdir(parents=True, exist_ok=True)
    state = load_state(options.data_dir)
    api_key = (
        base_env.get("UPONAI_SANDBOX_TOKEN")
        or _remembered(state, "sandbox_key", str)
        or secrets.token_urlsafe(32)
    )
    lab_token = _remembered(state, "lab_token", str) or secrets.token_hex(24)
    ports = []
    for wanted, key, default in (
        (options.sandbox_port, "sandbox_port", DEFAULT_SANDBOX_PORT),
        (options.lab_port, "lab_port", DEFAULT_LAB_PORT),
    ):
        last = _remembered(state, key, int)
        port = wanted if wanted is not None else (last or default)
        # The last run's port may still be held for a moment: wait for it rather than move.
        ports.append(choose_port(port, wait=PORT_WAIT if port == last else 0.0))
    sandbox_port, lab_port = ports
    save_state(
        options.data_dir,
        {"sandbox_port": sandbox_port, "lab_port": lab_port, "sandbox_key": api_key,
         "lab_token": lab_token},
    )  # fmt: skip
    root_dir = options.root_dir or scratch_notebooks(options.data_dir)
    sandbox_url = f"http://{LOOPBACK}:{sandbox_port}"
    lab_url = f"http://{LOOPBACK}:{lab_port}"
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    processes: list[subprocess.Popen[bytes]] = []
    logs: dict[int, Path] = {}
    try:
        # Own sessions: a terminal Ctrl-C reaches only this script, which stops both in order.
        sandbox_log = server_log(options.data_dir, "sandbox")
        with sandbox_log.open("ab") as out:
            sandbox = subprocess.Popen(
                sandbox_command(sandbox_port, options.data_dir),
                env=sandbox_env(base_env, api_key),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        processes.append(sandbox)
        logs[sandbox.pid] = sandbox_log
        print(f"UponAI sandbox starting at {sandbox_url} (pid {sandbox.pid})", flush=True)
        wait_until_ready("the sandbox", sandbox, f"{sandbox_url}/healthz", options.startup_timeout)
        lab_log = server_log(options.data_dir, "jupyterlab")
        with lab_log.open("ab") as out:
            lab = subprocess.Popen(
                lab_command(lab_port, open_browser=options.open_browser, root_dir=root_dir),
                env=lab_env(
                    base_env, sandbox_url=sandbox_url, api_key=api_key, lab_token=lab_token
                ),
                cwd=root_dir,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        processes.append(lab)
        logs[lab.pid] = lab_log
        print(f"JupyterLab starting at {lab_url} (pid {lab.pid})", flush=True)
        auth = {"Authorization": f"token {lab_token}"}
        wait_until_ready("JupyterLab", lab, f"{lab_url}/api/status", options.startup_timeout, auth)
        if not (root_dir / NOTEBOOK).exists():
            print(
                f"note: {NOTEBOOK} is missing; JupyterLab shows the repository instead", flush=True
            )
        print(
            "\nReady. Open this URL (it carries JupyterLab's login token):\n\n"
            f"    {lab_url}/lab/tree/{NOTEBOOK}?token={lab_token}\n\n"
            f"JupyterLab serves a scratch copy of notebooks/ in {root_dir}.\n"
            "Kernels use the sandbox. To use it from a script, a terminal or uponai-voices:\n\n"
            f"{export_lines(sandbox_url, api_key)}\n\n"
            f"Server logs: {options.data_dir / 'logs'}\n"
            "Press Ctrl-C to stop both servers.",
            flush=True,
        )
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        gone = next(process for process in processes if process.poll() is not None)
        print(
            f"a server (pid {gone.pid}) exited with {gone.returncode}; stopping. "
            f"The end of {logs[gone.pid]}:\n{log_tail(logs[gone.pid])}",
            file=sys.stderr,
            flush=True,
        )
        return 1
    except _Stop as stopped:
        print(f"\n{stopped}: stopping JupyterLab and the sandbox", flush=True)
        return 0
    except (RuntimeError, TimeoutError) as error:
        tails = "".join(f"\nThe end of {path}:\n{log_tail(path)}" for path in logs.values())
        print(f"demo failed: {error}{tails}", file=sys.stderr, flush=True)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for process in reversed(processes):
            stop(process)
        print("stopped", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `make demo`."""
    return run(parse_options(argv, os.environ), os.environ)


if __name__ == "__main__":
    sys.exit(main())
