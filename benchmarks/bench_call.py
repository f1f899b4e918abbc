"""`uw.call` against the raw generated `sync`: GETs to a loopback server, in one run.

.venv/bin/python benchmarks/bench_call.py [--requests 1000] [--rounds 5] [--warmup 200]
    [--no-target] [--profile]

The committed client has no GET operation, so this writes a one-operation spec
(`GET /api/voices/{voiceId}`, `getVoice`, a small `Voice` object, bearer auth) to a temporary
folder and generates a client from it with the project's own pipeline (`scripts/regenerate.py`).
The generated package uses relative imports only; it is renamed `bench_client` and loaded from
its folder with `importlib` (nothing is added to the import path).

A loopback server in a child process (`ThreadingHTTPServer`, HTTP/1.1 keep-alive, Nagle off,
backlog 128; stopped by PID, and it exits by itself after 15 minutes or once its parent is gone)
answers each GET with a small JSON body that echoes the voice ID from the path, after checking
the bearer token. Both modes use the same `uw.connect()` connection, so the same httpx pool:

- raw: `bench_client.api.voices.get_voice.sync(voice_id=..., client=connection.client)`
- call: `uw.call(connection, get_voice, voice_id=...)`

After a warm-up of each, the rounds alternate the modes (and which goes first), each round
timing `--requests` sequential GETs; every answer must be a parsed `Voice` carrying the ID that
was asked for. Reported per mode: best and median seconds per 1,000 GETs (wall time, and the
client's CPU time); the ratio call/raw of the best rounds and of the medians; the load average. Exit status 1 when the ratio of the best
rounds is above 1.10 (unless `--no-target`), 2 when the setup fails. `--profile` prints
cProfile's heaviest functions of each mode instead of timing it.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import http.server
import importlib
import importlib.util
import json
import os
import pstats
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import uponai_widgets as uw
from uponai_devtools.processes import free_port, stop_process

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = ROOT / "scripts" / "regenerate.py"
PACKAGE = "bench_client"
OPERATION = f"{PACKAGE}.api.voices.get_voice"
TARGET = 1.10
TOKEN_VARIABLE = "UPONAI_BENCH_CALL_TOKEN"
PATH_PREFIX = "/api/voices/"

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "bench_call", "version": "1"},
    "security": [{"bearerAuth": []}],
    "paths": {
        "/api/voices/{voiceId}": {
            "get": {
                "operationId": "getVoice",
                "tags": ["voices"],
                "summary": "Get a voice",
                "parameters": [
                    {
                        "name": "voiceId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The voice",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Voice"}}
                        },
                    }
                },
            }
        }
    },
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Voice": {
                "type": "object",
                "required": ["voiceId", "name"],
                "properties": {
                    "voiceId": {"type": "string"},
                    "name": {"type": "string"},
                    "provider": {"type": "string"},
                    "language": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
    },
}


# The loopback server (run as `bench_call.py --serve PORT` in a child process).


def serve(port: int, lifetime: float) -> int:
    """Answer `GET /api/voices/{id}` on 127.0.0.1:`port` for at most `lifetime` seconds."""
    authorization = f"Bearer {os.environ[TOKEN_VARIABLE]}"

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: every answer has a Content-Length
        disable_nagle_algorithm = True  # headers and body leave at once, not after an ACK

        def do_GET(self) -> None:
            voice_id = self.path[len(PATH_PREFIX) :]
            if self.headers.get("Authorization") != authorization:
                self._answer(401, {"message": "missing or wrong bearer token"})
            elif not self.path.startswith(PATH_PREFIX) or not voice_id.isalnum():
                self._answer(404, {"message": "no such voice"})
            else:
                voice = {"voiceId": voice_id, "name": "Ada", "provider": "bench"}
                self._answer(200, {**voice, "language": "en", "tags": ["warm", "calm"]})

        def _answer(self, status: int, document: dict[str, Any]) -> None:
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: a line per request would cost more than the request."""

    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = 128
        daemon_threads = True

    parent, deadline = os.getppid(), time.monotonic() + lifetime

    def watch(server: Server) -> None:
        """Stop at the deadline, or as soon as the benchmark that started us is gone."""
        while time.monotonic() < deadline and os.getppid() == parent:
            time.sleep(0.5)
        server.shutdown()

    with Server(("127.0.0.1", port), Handler) as server:
        threading.Thread(target=watch, args=(server,), daemon=True).start()
        server.serve_forever(poll_interval=0.2)
    return 0


def start_server(token: str, lifetime: float) -> tuple[subprocess.Popen[bytes], str]:
    """The server process and its base URL, once it accepts connections."""
    port = free_port()
    command = [sys.executable, __file__, "--serve", str(port), "--server-lifetime", str(lifetime)]
    process = subprocess.Popen(command, env={**os.environ, TOKEN_VARIABLE: token})
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the loopback server exited with status {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            time.sleep(0.05)
            continue
        return process, f"http://127.0.0.1:{port}"
    stop_process(process)
    raise RuntimeError("the loopback server did not accept connections within 15 s")


# The generated client.


def generate_client(folder: Path) -> tuple[ModuleType, float]:
    """`bench_client.api.voices.get_voice`, generated by the project's pipeline into `folder`."""
    spec_path, names = folder / "bench-spec.json", folder / "names.json"
    spec_path.write_text(json.dumps(SPEC, indent=2), encoding="utf-8")
    names.write_text(json.dumps({"$comment": "none"}), encoding="utf-8")
    generated = folder / "generated_client" / "uponai_client"
    command = [sys.executable, str(REGENERATE), "--spec", str(spec_path), "--name-map", str(names)]
    command += ["--package-dir", str(generated)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"scripts/regenerate.py failed ({done.returncode}):\n{done.stderr}")
    package = folder / PACKAGE
    shutil.move(generated, package)
    location = importlib.util.spec_from_file_location(
        PACKAGE, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    if location is None or location.loader is None:
        raise RuntimeError(f"cannot load the generated package from {package}")
    module = importlib.util.module_from_spec(location)
    sys.modules[PACKAGE] = module
    location.loader.exec_module(module)
    return importlib.import_module(OPERATION), seconds


# The measurement.


def raw_mode(connection: uw.Connection, operation: Any) -> Callable[[str], Any]:
    """One GET through the generated `sync`, on the connection's own generated client."""
    client = connection.client

    def get(voice_id: str) -> Any:
        return operation.sync(voice_id=voice_id, client=client)

    return get


def call_mode(connection: uw.Connection, operation: Any) -> Callable[[str], Any]:
    """One GET through `uw.call` (retries, typed errors, redaction, timeouts by kind)."""

    def get(voice_id: str) -> Any:
        return uw.call(connection, operation, voice_id=voice_id)

    return get


def run_round(get: Callable[[str], Any], voice_ids: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (this process: the client) for one GET per ID; every answer must
    be the `Voice` asked for."""
    gc.collect()
    cpu, started = time.process_time(), time.perf_counter()
    for voice_id in voice_ids:
        voice = get(voice_id)
        if voice.voice_id != voice_id:
            raise RuntimeError(f"asked for {voice_id}, got {voice!r}")
    return time.perf_counter() - started, time.process_time() - cpu


def measure(
    modes: dict[str, Callable[[str], Any]], requests: int, rounds: int, warmup: int
) -> dict[str, list[tuple[float, float]]]:
    """Wall and CPU seconds per round of each mode, interleaved; the order alternates."""
    for get in modes.values():
        run_round(get, [f"w{index}" for index in range(warmup)])
    voice_ids = [f"v{index}" for index in range(requests)]
    seconds: dict[str, list[tuple[float, float]]] = {name: [] for name in modes}
    names = list(modes)
    for number in range(rounds):
        for name in names if number % 2 == 0 else names[::-1]:
            seconds[name].append(run_round(modes[name], voice_ids))
    return seconds


def profile(modes: dict[str, Callable[[str], Any]], requests: int, warmup: int) -> None:
    """cProfile's heaviest functions (own time) for each mode, after a warm-up."""
    voice_ids = [f"v{index}" for index in range(requests)]
    for name, get in modes.items():
        run_round(get, voice_ids[:warmup])
        profiler = cProfile.Profile()
        profiler.runcall(run_round, get, voice_ids)
        print(f"== {name}: {requests} GETs under cProfile, by own time")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def report(seconds: dict[str, list[tuple[float, float]]], requests: int) -> float:
    """Print the figures per mode and the ratios; returns the ratio of the best rounds."""
    scale = 1000 / requests
    per_1000 = {name: [wall * scale for wall, _ in runs] for name, runs in seconds.items()}
    cpu = {name: [used * scale for _, used in runs] for name, runs in seconds.items()}
    labels = {"raw": "raw get_voice.sync", "call": "uw.call          "}
    for name, runs in per_1000.items():
        listed = ", ".join(f"{run:.3f}" for run in runs)
        print(
            f"{labels[name]}: best {min(runs):.3f} s, median {statistics.median(runs):.3f} s "
            f"per 1,000 GETs (rounds {listed}); client CPU best {min(cpu[name]):.3f} s, "
            f"median {statistics.median(cpu[name]):.3f} s"
        )
    best = min(per_1000["call"]) / min(per_1000["raw"])
    medians = statistics.median(per_1000["call"]) / statistics.median(per_1000["raw"])
    print(
        f"ratio call/raw: {best:.3f}x of the best rounds, {medians:.3f}x of the medians "
        f"(target <= {TARGET:.2f}x of the best rounds)"
    )
    return best


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="GETs per round and mode")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per mode (best-of)")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up GETs per mode")
    parser.add_argument("--no-target", action="store_true", help="exit 0 even above 1.10x")
    parser.add_argument("--profile", action="store_true", help="profile each mode, no timing")
    parser.add_argument("--server-lifetime", type=float, default=900.0, help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.requests < 1 or options.rounds < 1 or options.warmup < 0:
        parser.error("--requests and --rounds must be 1 or more, --warmup 0 or more")
    return options


def main() -> int:
    """Generate, serve, measure, report; the exit status says whether the target was met."""
    options = parse_args()
    if options.serve is not None:
        return serve(options.serve, options.server_lifetime)
    python = os.path.relpath(sys.executable, ROOT)
    print(f"command: {python} benchmarks/bench_call.py {shlex.join(sys.argv[1:])}".rstrip())
    print(f"load average at the start: {load_average()}")
    token = "bench-" + os.urandom(8).hex()
    with tempfile.TemporaryDirectory(prefix="bench-call-") as folder:
        try:
            operation, generation = generate_client(Path(folder))
            server, url = start_server(token, options.server_lifetime)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"client generated by scripts/regenerate.py in {generation:.1f} s: {OPERATION}")
        try:
            with uw.connect(url, token) as connection:
                modes = {
                    "raw": raw_mode(connection, operation),
                    "call": call_mode(connection, operation),
                }
                if options.profile:
                    profile(modes, options.requests, options.warmup)
                    return 0
                seconds = measure(modes, options.requests, options.rounds, options.warmup)
        finally:
            stop_process(server)
    print(
        f"{options.requests} sequential GETs per round, {options.rounds} rounds per mode, "
        f"interleaved, after {options.warmup} warm-up GETs each"
    )
    ratio = report(seconds, options.requests)
    print(f"load average at the end: {load_average()}")
    if ratio > TARGET and not options.no_target:
        print(
            f"target missed: uw.call took {ratio:.3f}x the raw generated sync on its best round "
            f"(target <= {TARGET:.2f}x)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
