"""A raw TCP server on 127.0.0.1 that answers HTTP requests with scripted bytes.

    with RawServer() as server:
        server.script = [Answer(reply=b"HTTP/1.1 201 Created\\r\\n...")]
        ...  # connect(server.url, token)

Unlike `httpx.MockTransport`, the client's real socket, h11 parser and decoders are used: a
reply can be any bytes (broken gzip, a truncated body, a malformed status line), and a
connection can be closed before, during or after the request body is read. Each connection
takes the next `Answer` (the last one repeats). The server is a thread of the test process: it
binds a free loopback port, starts within `start_timeout`, and `close()` stops it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field
from types import TracebackType

START_TIMEOUT = 5.0


@dataclass
class Answer:
    """What the server does with one connection.

    read_body: None reads the whole body; a number reads at most that many body bytes.
    reply: the bytes sent back after reading (nothing for a drop).
    """

    reply: bytes = b""
    read_body: int | None = None


@dataclass
class Received:
    """One request as the server read it."""

    head: bytes
    body_bytes: int
    complete: bool


@dataclass
class RawServer:
    """The scripted server; `received` lists the requests in arrival order."""

    script: list[Answer] = field(default_factory=lambda: [Answer()])
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="raw-http", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            raise TimeoutError("the raw HTTP server did not start")

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def _next(self) -> Answer:
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def _serve(self) -> None:
        self._ready.set()
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5.0)
                with contextlib.suppress(OSError):
                    self._handle(conn, self._next())

    def _handle(self, conn: socket.socket, answer: Answer) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length, chunked = _body_framing(head)
        limit = answer.read_body
        received, complete = self._read_body(conn, rest, length, chunked, limit)
        self.received.append(Received(head, received, complete))
        if answer.reply:
            conn.sendall(answer.reply)
        conn.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _read_body(
        conn: socket.socket, rest: bytes, length: int | None, chunked: bool, limit: int | None
    ) -> tuple[int, bool]:
        total, tail = len(rest), rest[-16:]
        while True:
            if limit is not None and total >= limit:
                return total, False
            if length is not None and total >= length:
                return total, True
            if chunked and (tail.endswith(b"\r\n0\r\n\r\n") or tail == b"0\r\n\r\n"):
                return total, True
            if length is None and not chunked:
                return total, True
            chunk = conn.recv(65536)
            if not chunk:
                return total, False
            total += len(chunk)
            tail = (tail + chunk)[-16:]

    def close(self) -> None:
        """Stop accepting and wait for the thread."""
        self._stop.set()
        self._sock.close()
        self._thread.join(START_TIMEOUT)

    def __enter__(self) -> RawServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _body_framing(head: bytes) -> tuple[int | None, bool]:
    length: int | None = None
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        key = name.strip().lower()
        if key == b"content-length":
            length = int(value.strip())
        elif key == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    return length, chunked


def response(
    status: int = 201,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    content_length: int | None = None,
    reason: str = "OK",
) -> bytes:
    """An HTTP/1.1 response as bytes; `content_length` may lie about the body's length."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    merged = {"Content-Type": "application/json", "Connection": "close", **(headers or {})}
    merged["Content-Length"] = str(len(body) if content_length is None else content_length)
    lines.extend(f"{key}: {value}" for key, value in merged.items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
