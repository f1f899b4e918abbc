"""A tiny loopback HTTP server that records raw requests, and a multipart reader independent of httpx."""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

VOICE: dict[str, Any] = {
    "voiceId": "voice_123",
    "name": "Ada",
    "provider": "elevenlabs",
    "previewUrl": "https://example.test/preview/voice_123.wav",
    "playbackOverrideUrl": None,
    "tags": ["demo"],
    "createdAt": "2026-11-25T10:00:00Z",
    "updatedAt": None,
}


@dataclass
class CapturedRequest:
    """One request as the server read it off the socket."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Part:
    """One multipart part."""

    name: str | None
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class CaptureServer:
    """Records every request; answers from a queue of (status, json) responses, default 201 VOICE."""

    responses: deque[tuple[int, Any]] = field(default_factory=deque)
    requests: list[CapturedRequest] = field(default_factory=list)

    def __enter__(self) -> CaptureServer:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 10  # bound every socket read

            def do_POST(self) -> None:
                body = self._read_body()
                recorder.requests.append(
                    CapturedRequest(
                        "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body
                    )
                )
                status, payload = (
                    recorder.responses.popleft() if recorder.responses else (201, VOICE)
                )
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _read_body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while size := int(self.rfile.readline().strip(), 16):
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    self.rfile.readline()
                    return b"".join(chunks)
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        assert not self._thread.is_alive()


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    """Split a multipart/form-data body with the standard library's MIME parser."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    assert message.is_multipart(), content_type
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts.append(
            Part(
                name=str(name) if name is not None else None,
                filename=part.get_filename(),
                content_type=part.get_content_type(),
                data=part.get_payload(decode=True),
            )
        )
    return parts


def boundary_of(content_type: str) -> str:
    """The boundary parameter of a multipart Content-Type."""
    message = email.parser.Parser(policy=email.policy.HTTP).parsestr(
        f"Content-Type: {content_type}\r\n\r\n"
    )
    return str(message.get_param("boundary"))
