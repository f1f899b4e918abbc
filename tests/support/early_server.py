"""A loopback server that answers as soon as a request's head is in, before reading its body.

    with EarlyServer(status=413, then="stall") as server:
        ...  # send an upload to server.url
        server.body_bytes()  # per connection, the body bytes it read after answering

The first `first_ok` requests are read whole and answered 201 (a voice, keep-alive). Every later
one is answered `status` as soon as its head is in (a JSON error, `Connection: close`), as a
proxy with a body limit or an API that refuses a token from the headers does, and then:

    stall   reads nothing more; keeps the connection open `stall_seconds`, then closes it
    drain   reads and discards the body, at most `drain_rate` bytes a second, until the client
            stops sending (or `stall_seconds` pass), then closes

Each connection's count of body bytes read is appended to a log file (one JSON line). It runs as
its own process (standard library only), binds 127.0.0.1, exits after `--max-seconds` or on
SIGTERM, and `stop()` ends it by PID. With `tls=(certificate, key)` (PEM files) it speaks HTTPS.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType
from typing import NoReturn

__all__ = ["EarlyServer", "main"]

SCRIPT = Path(__file__).resolve()
HOST = "127.0.0.1"
REASONS = {401: "Unauthorized", 403: "Forbidden", 413: "Content Too Large", 503: "Unavailable"}
MESSAGE = "refused from the request head, before its body"
VOICE = {
    "voiceId": "voice_early_1",
    "name": "Ada",
    "provider": "elevenlabs",
    "previewUrl": "http://127.0.0.1/preview/x",
    "playbackOverrideUrl": None,
    "tags": [],
    "createdAt": "2026-12-03T15:00:00Z",
    "updatedAt": None,
}


def answer(status: int) -> bytes:
    """The whole answer: a JSON error whose message says when it was sent."""
    body = json.dumps({"error": {"message": f"{status}: {MESSAGE}", "code": "early"}}).encode()
    head = (
        f"HTTP/1.1 {status} {REASONS.get(status, 'Refused')}\r\n"
        "Content-Type: application/json\r\nConnection: close\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class EarlyHandler(socketserver.BaseRequestHandler):
    """One connection: the head, the early answer, then `stall` or `drain`."""

    server: EarlyTCPServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(self.server.stall_seconds)
        pending = b""
        while True:
            while b"\r\n\r\n" not in pending:
                chunk = sock.recv(65536)
                if not chunk:
                    return  # a probe, or a client that went away
                pending += chunk
            head, _, pending = pending.partition(b"\r\n\r\n")
            if not self.server.take_ok():
                break
            pending = self._read_body(sock, head, pending)
            body = json.dumps(VOICE).encode()
            sock.sendall(
                b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )
        read = len(pending)
        sock.sendall(answer(self.server.status))
        if self.server.then == "drain":
            read += self._drain(sock)
        else:
            time.sleep(self.server.stall_seconds)
        self.server.record(read)

    @staticmethod
    def _read_body(sock: socket.socket, head: bytes, pending: bytes) -> bytes:
        """Read the body `head` declares; what came after it."""
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(pending) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            pending += chunk
        return pending[length:]

    def _drain(self, sock: socket.socket) -> int:
        read, started = 0, time.monotonic()
        rate = self.server.drain_rate
        try:
            while chunk := sock.recv(min(65536, rate)):
                read += len(chunk)
                ahead = read / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
        except OSError:  # a reset or the stall timeout: the client stopped
            pass
        return read


class EarlyTCPServer(socketserver.ThreadingTCPServer):
    """The listening socket and the settings every connection shares."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, port: int, args: argparse.Namespace) -> None:
        self.status, self.then = int(args.status), str(args.then)
        self.stall_seconds, self.drain_rate = float(args.stall_seconds), int(args.drain_rate)
        self.log, self.lock = Path(args.log), threading.Lock()
        self.ok_left = int(args.first_ok)
        self.tls: ssl.SSLContext | None = None
        if args.tls_cert:
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(args.tls_cert, args.tls_key)
        super().__init__((HOST, port), EarlyHandler)

    def get_request(self) -> tuple[socket.socket, object]:
        """The next connection, inside TLS when the server speaks HTTPS."""
        sock, address = super().get_request()
        if self.tls is None:
            return sock, address
        # The handshake happens at the first read, in the connection's own thread.
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def take_ok(self) -> bool:
        """True for a request still answered 201 (one of the first `first_ok`)."""
        with self.lock:
            self.ok_left -= 1
            return self.ok_left >= 0

    def record(self, body_bytes: int) -> None:
        """Append one connection's count to the log."""
        with self.lock, self.log.open("a", encoding="utf-8") as log:
            log.write(json.dumps({"body_bytes": body_bytes}) + "\n")


def _exit_now(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    """`--port P --status S --then stall|drain --log FILE [--max-seconds N ...]`."""
    parser = argparse.ArgumentParser(description="Answers before reading the request body.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--status", type=int, required=True)
    parser.add_argument("--then", choices=("stall", "drain"), required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--stall-seconds", type=float, default=10.0)
    parser.add_argument("--drain-rate", type=int, default=2 * 1024 * 1024)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--first-ok", type=int, default=0)
    parser.add_argument("--tls-cert", default="")
    parser.add_argument("--tls-key", default="")
    args = parser.parse_args(argv)
    server = EarlyTCPServer(args.port, args)
    signal.signal(signal.SIGTERM, _exit_now)
    signal.signal(signal.SIGALRM, _exit_now)
    signal.setitimer(signal.ITIMER_REAL, args.max_seconds)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    return 0


class EarlyServer:
    """Runs this module as a server process on a free loopback port; `stop()` ends it by PID."""

    def __init__(
        self,
        *,
        status: int,
        then: str,
        first_ok: int = 0,
        stall_seconds: float = 10.0,
        max_seconds: float = 120.0,
        drain_rate: int = 2 * 1024 * 1024,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        self.options = [f"--status={status}", f"--then={then}", f"--stall-seconds={stall_seconds}"]
        self.options += [f"--max-seconds={max_seconds}", f"--first-ok={first_ok}"]
        self.options += [f"--drain-rate={drain_rate}"]
        if tls is not None:
            self.options += [f"--tls-cert={tls[0]}", f"--tls-key={tls[1]}"]
        self._folder = tempfile.TemporaryDirectory()
        self.log = Path(self._folder.name) / "connections.jsonl"
        self.url = ""
        self._tls = tls is not None
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> EarlyServer:
        """Start the process and wait (bounded) until it accepts connections."""
        from uponai_devtools.processes import free_port

        port = free_port()
        self.url = f"{'https' if self._tls else 'http'}://{HOST}:{port}"
        command = [sys.executable, "-I", str(SCRIPT), f"--port={port}", f"--log={self.log}"]
        self._process = subprocess.Popen([*command, *self.options], stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
            except OSError:
                time.sleep(0.02)
            else:
                return self
        self.stop()
        raise RuntimeError(f"the early-answer server is not up after {timeout} s")

    def body_bytes(self, connections: int = 1, timeout: float = 15.0) -> list[int]:
        """The body bytes read on each connection, once `connections` of them have ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self.log.read_text().splitlines() if self.log.exists() else []
            if len(lines) >= connections:
                return [int(json.loads(line)["body_bytes"]) for line in lines]
            time.sleep(0.05)
        raise AssertionError(f"fewer than {connections} connections ended in {timeout} s")

    def stop(self) -> None:
        """Stop the process by PID (idempotent) and remove its log."""
        from uponai_devtools.processes import stop_process

        process, self._process = self._process, None
        if process is not None:
            stop_process(process)
        self._folder.cleanup()

    def __enter__(self) -> EarlyServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


if __name__ == "__main__":
    sys.exit(main())
