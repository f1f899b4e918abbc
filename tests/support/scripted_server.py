"""A scripted loopback HTTP/1.1 server, run as its own process, and the helper that drives it.

    with ScriptedServer() as server:
        server.script({"match": "GET /api/voices", "json": {"items": []}}, {"status": 404})
        ...  # point a client at server.url, then check server.log()

The server (standard library only) answers each request outside `/__control/` with the next
step of a FIFO queue, or 599 when the queue is empty. A step is an object with optional keys:
`status` (200), `headers`, `json` (any value) or `body` (text), `delay` (seconds before
answering), `repeat` (answer N requests alike), `match` ("GET /api/voices": method and path
prefix; a mismatch gets 599 naming it and the step stays queued) and `action`:

    drop_before_reading  close without reading the body or answering
    drop_after_reading   read the whole body, close without answering
    early_answer         answer (Connection: close) without reading the body, then close
    truncate_body        read the body, declare all of the answer, send about half, close
    hang                 read the body, sleep `delay` seconds (60), close without answering

Requests are logged before they are answered (`LoggedRequest`; an unread body is None, one the
client cut short is what came). Control endpoints, never logged: `POST /__control/script` (a
JSON list of steps, appended), `POST /__control/reset` (queue and log), `GET /__control/log`,
`GET /__control/pending`. `python tests/support/scripted_server.py --port P --max-seconds 120`
binds 127.0.0.1 only and exits with status 0 after `--max-seconds` or on SIGTERM.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn, TypedDict, cast

from uponai_devtools.processes import ServerProcess

__all__ = ["ACTIONS", "LoggedRequest", "ScriptedServer", "check_step", "main"]

SCRIPT = Path(__file__).resolve()
HOST = "127.0.0.1"
CONTROL_PREFIX = "/__control/"
NO_STEP_STATUS = 599
ACTIONS = ("drop_before_reading", "drop_after_reading", "early_answer", "truncate_body", "hang")
JSON_TYPE = "application/json"
DEFAULT_HANG_SECONDS, SOCKET_TIMEOUT, BODY_TEXT_CHARS, MAX_LINE = 60.0, 10.0, 20000, 65536


class LoggedRequest(TypedDict):
    """One request as logged: raw query, header names in lower case, the body's first 20000 chars."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body_size: int | None
    body_sha256: str | None
    body_text: str | None


def _number(value: Any, low: float, high: float = 1e9) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high


def _strings(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(t, str) for t in [*value, *value.values()])


def parse_match(match: Any) -> tuple[str | None, str] | None:
    """`"GET /api/voices"` -> `("GET", "/api/voices")`, `"/api"` -> `(None, "/api")`, else None."""
    parts = match.split() if isinstance(match, str) else []
    if 1 <= len(parts) <= 2 and parts[-1].startswith("/"):
        return (parts[0].upper() if len(parts) == 2 else None), parts[-1]
    return None


STEP_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "status": (lambda value: isinstance(value, int) and _number(value, 100, 999), "100-999"),
    "headers": (_strings, "an object of strings"),
    "json": (lambda value: True, "any JSON value"),
    "body": (lambda value: isinstance(value, str), "text"),
    "delay": (lambda value: _number(value, 0), "a number of seconds >= 0"),
    "match": (lambda value: parse_match(value) is not None, 'like "GET /api" or "/api"'),
    "action": (lambda value: value in ACTIONS, f"one of {', '.join(ACTIONS)}"),
    "repeat": (lambda value: isinstance(value, int) and _number(value, 1), "an integer >= 1"),
}


def check_step(raw: Any, index: int = 0) -> dict[str, Any]:
    """`raw` as a step, or `ValueError` saying what is wrong with step number `index`."""
    if not isinstance(raw, dict) or ("json" in raw and "body" in raw):
        raise ValueError(f"step {index}: a step is an object with `json` or `body`, not both")
    for key, value in raw.items():
        if key not in STEP_RULES:
            raise ValueError(f"step {index}: unknown key {key!r}; known: {', '.join(STEP_RULES)}")
        accept, expected = STEP_RULES[key]
        if not accept(value):
            raise ValueError(f"step {index}: {key} {value!r} is not {expected}")
    return dict(raw)


class ScriptedHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1 holding the step queue and the request log."""

    request_queue_size = 128
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, port: int) -> None:
        self.lock = threading.Lock()
        self.queue: deque[list[Any]] = deque()  # [step, requests it still answers]
        self.requests: list[LoggedRequest] = []
        super().__init__((HOST, port), ScriptedHandler)

    def take(self, method: str, path: str) -> tuple[dict[str, Any] | None, str]:
        """The step answering `method path` (used up), or None and why there is none."""
        with self.lock:
            if not self.queue:
                return None, f"no scripted step for {method} {path}"
            head = self.queue[0]
            step: dict[str, Any] = head[0]
            if "match" in step:
                want_method, prefix = parse_match(step["match"]) or (None, "")
                if want_method not in (None, method) or not path.startswith(prefix):
                    expected = f"the next scripted step expects {step['match']!r}"
                    return None, f"{expected}, got {method} {path}"
            head[1] -= 1
            if head[1] == 0:
                self.queue.popleft()
            return step, ""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that went away; report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class ScriptedHandler(BaseHTTPRequestHandler):
    """Answers control requests, and every other request from the script."""

    protocol_version = "HTTP/1.1"
    timeout = SOCKET_TIMEOUT
    disable_nagle_algorithm = True
    server: ScriptedHTTPServer

    def __getattr__(self, name: str) -> Callable[[], None]:
        if name.startswith("do_"):  # `do_<METHOD>`: every method is answered alike
            return self._dispatch
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: tests read `/__control/log`."""

    def _dispatch(self) -> None:
        path, _, query = self.path.partition("?")
        if path.startswith(CONTROL_PREFIX):
            self._control(path.removeprefix(CONTROL_PREFIX))
            return
        step, problem = self.server.take(self.command, path)
        action = step.get("action") if step is not None else None
        unread = action in ("drop_before_reading", "early_answer")
        entry = self._entry(path, query, None if unread else self._read_body())
        with self.server.lock:
            self.server.requests.append(entry)
        if step is None:
            error = {"error": {"message": problem, "code": "no_scripted_step"}}
            self._send({"status": NO_STEP_STATUS, "json": error}, "No Scripted Step")
            return
        time.sleep(float(step.get("delay", DEFAULT_HANG_SECONDS if action == "hang" else 0)))
        if action == "early_answer":
            step = {**step, "headers": {**step.get("headers", {}), "Connection": "close"}}
        if action in (None, "early_answer", "truncate_body"):
            self._send(step, cut=action == "truncate_body")
        if action is not None:
            self.close_connection = True

    def _control(self, name: str) -> None:
        body, server, what = self._read_body(), self.server, f"{self.command} {name}"
        status, value = 200, cast(Any, None)
        with server.lock:
            if what == "POST script":
                try:
                    steps = json.loads(body)
                    if not isinstance(steps, list):
                        raise ValueError("the script must be a JSON list of steps")
                    checked = [check_step(step, index) for index, step in enumerate(steps)]
                    server.queue.extend([step, step.get("repeat", 1)] for step in checked)
                except ValueError as exc:
                    status, value = 400, {"error": {"message": str(exc), "code": "bad_script"}}
            elif what == "POST reset":
                server.queue.clear()
                server.requests.clear()
            elif what == "GET log":
                value = list(server.requests)
            elif what != "GET pending":
                status, value = 404, {"error": {"message": f"no control endpoint {what}"}}
            if value is None:
                value = {"pending": sum(remaining for _, remaining in server.queue)}
        self._send({"status": status, "json": value})

    def _read_body(self) -> bytes:
        """The request body (chunked or Content-Length); what arrived if the client went away."""
        chunks: list[bytes] = []
        try:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                while size := int(self.rfile.readline(MAX_LINE).split(b";")[0] or b"0", 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline(MAX_LINE)  # the CRLF closing the chunk
                while self.rfile.readline(MAX_LINE).strip():
                    pass  # trailer fields
            else:
                chunks.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        except (OSError, ValueError):  # a timeout, a reset, or a malformed chunk header
            self.close_connection = True
        return b"".join(chunks)

    def _entry(self, path: str, query: str, body: bytes | None) -> LoggedRequest:
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        text = None if body is None else body[: 4 * BODY_TEXT_CHARS].decode("utf-8", "replace")
        return LoggedRequest(
            method=self.command,
            path=path,
            query=query,
            headers=headers,
            body_size=None if body is None else len(body),
            body_sha256=None if body is None else hashlib.sha256(body).hexdigest(),
            body_text=None if text is None else text[:BODY_TEXT_CHARS],
        )

    def _send(self, step: Mapping[str, Any], reason: str | None = None, cut: bool = False) -> None:
        """Answer as `step` says; `cut` declares the whole body, sends about half, then closes."""
        headers = dict(step.get("headers", {}))
        given = {name.lower() for name in headers}
        raw = json.dumps(step["json"]).encode() if "json" in step else b""
        if "body" in step:
            raw = str(step["body"]).encode()
        if raw and "content-type" not in given:
            headers["Content-Type"] = "text/plain; charset=utf-8" if "body" in step else JSON_TYPE
        status = int(step.get("status", 200))
        bodiless = status < 200 or status in (204, 304)
        if cut:
            headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
            headers["Content-Length"] = str(len(raw) if len(raw) >= 2 else len(raw) + 16)
            raw = raw[: len(raw) // 2]
        elif "content-length" not in given and not bodiless:
            headers["Content-Length"] = str(len(raw))
        self.send_response(status, reason)
        for name, content in headers.items():
            self.send_header(name, content)
        self.end_headers()
        if not bodiless and self.command != "HEAD":
            self.wfile.write(raw)
        self.wfile.flush()
        if cut or headers.get("Connection", "").lower() == "close":
            self.close_connection = True


def _exit_now(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(0)


def serve(port: int, max_seconds: float) -> int:
    """Serve on 127.0.0.1:`port` until `max_seconds` pass or SIGTERM arrives; return 0."""
    server = ScriptedHTTPServer(port)
    signal.signal(signal.SIGTERM, _exit_now)
    signal.signal(signal.SIGALRM, _exit_now)
    signal.setitimer(signal.ITIMER_REAL, max_seconds)
    try:
        server.serve_forever(poll_interval=0.25)
    finally:  # SystemExit(0) from the signal handlers
        server.server_close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """The command line: `--port P --max-seconds S`."""
    parser = argparse.ArgumentParser(description="A scripted loopback HTTP/1.1 server for tests.")
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="exit after this long")
    args = parser.parse_args(argv)
    return serve(args.port, args.max_seconds)


class ScriptedServer(ServerProcess):
    """Runs this module as a server process on a free loopback port, drives it, stops it.

    `start()` (or `with`) picks a free port, sets `port` and `url` and returns once the server
    answers (within `start_timeout`); `stop()` ends it by PID (SIGTERM, then SIGKILL). The
    process also exits by itself after `max_seconds`.
    """

    name = "the scripted server"

    def __init__(self, *, max_seconds: float = 120.0, start_timeout: float = 10.0) -> None:
        super().__init__()
        self.max_seconds, self.start_timeout = max_seconds, start_timeout

    def command(self) -> list[str]:
        """Run this module with the port and the time limit."""
        command = [sys.executable, "-I", str(SCRIPT), "--port", str(self.port)]
        return [*command, "--max-seconds", str(self.max_seconds)]

    def ready(self) -> None:
        """It answers once its control endpoint does."""
        self.pending()

    def _control(self, method: str, name: str, payload: Any = None) -> Any:
        """The JSON answer of `/__control/<name>`; `ValueError` for a refused script."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
        try:
            body = None if payload is None else json.dumps(payload).encode()
            connection.request(method, CONTROL_PREFIX + name, body=body)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        if response.status == 400:
            raise ValueError(json.loads(data)["error"]["message"])
        if response.status != 200:
            raise RuntimeError(f"{method} {CONTROL_PREFIX}{name}: {response.status} {data!r}")
        return json.loads(data)

    def script(self, *steps: Mapping[str, Any]) -> None:
        """Append steps to the queue (see the module docstring); `ValueError` for a bad one."""
        self._control("POST", "script", [dict(step) for step in steps])

    def reset(self) -> None:
        """Clear the queue and the log."""
        self._control("POST", "reset", {})

    def log(self) -> list[LoggedRequest]:
        """Every request answered (or dropped) since the last reset, oldest first."""
        return cast(list[LoggedRequest], self._control("GET", "log"))

    def pending(self) -> int:
        """How many requests the queued steps still answer (0: the script was used up)."""
        return int(self._control("GET", "pending")["pending"])


if __name__ == "__main__":
    sys.exit(main())
