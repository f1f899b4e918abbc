"""A small reverse proxy in front of the sandbox, run as its own process, and its driver.

    with ReverseProxy(sandbox.url, upstream_timeout=1.0) as proxy:
        proxy.configure(hold_after_upstream=0.3)   # the kill matrix's chosen points
        ...  # point a client at proxy.url; proxy.events() counts what happened

It does what production gateways do with a request: reads it whole from the client, sends it
upstream on a new connection, and relays the answer. When the upstream closes without an answer
it answers **502**; when the upstream takes longer than `upstream_timeout` to answer, **504**
(the upstream keeps the request and may still store it: this proxy lets it finish, as a
gateway does when the API does not notice the closed connection). Optional holds, in seconds, make the
instants a test wants to kill a client at last long enough: `hold_before_forward` (the request
is in the proxy, nothing reached the API), `hold_after_upstream` (the API answered: a voice is
stored, the client has heard nothing), `hold_after_status` (the client has the status line and
headers, not the body).

`/__proxy/config` (POST, JSON: the holds and `upstream_timeout`) and `/__proxy/events` (GET:
counts of `received`, `forwarded`, `upstream_answered`, `status_sent`, `answered`, `active`)
are the proxy's own. `python tests/support/proxy.py --upstream URL --port P --max-seconds S`
binds 127.0.0.1 only and exits after `--max-seconds` or on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from uponai_devtools.processes import ServerProcess

SCRIPT = Path(__file__).resolve()
HOST = "127.0.0.1"
HOLDS = ("hold_before_forward", "hold_after_upstream", "hold_after_status")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "upgrade"}
_REASONS = {502: "Bad Gateway", 504: "Gateway Timeout"}


class _Proxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or HOST, parts.port or 80)
        self.config: dict[str, float] = {name: 0.0 for name in HOLDS}
        self.config["upstream_timeout"] = 30.0
        self.events: Counter[str] = Counter()
        self._lingering: set[asyncio.Future[Any]] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.events["active"] += 1
        try:
            await self._serve(reader, writer)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass  # the client went away (a killed client): nothing to answer
        finally:
            self.events["active"] -= 1
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head, body = await _read_message(reader, request=True)
        request_line, headers = head
        method, target, _ = request_line.split(" ", 2)
        if target.startswith("/__proxy/"):
            await self._control(method, target, body, writer)
            return
        self.events["received"] += 1
        await asyncio.sleep(self.config["hold_before_forward"])
        status, answer_headers, answer = await self._forward(request_line, headers, body)
        if status is None:
            await _send(writer, answer_headers, answer)
            self.events["answered"] += 1
            return
        self.events["upstream_answered"] += 1
        await asyncio.sleep(self.config["hold_after_upstream"])
        head_bytes = _head(status, answer_headers, len(answer))
        writer.write(head_bytes)
        await writer.drain()
        self.events["status_sent"] += 1
        await asyncio.sleep(self.config["hold_after_status"])
        writer.write(answer)
        await writer.drain()
        self.events["answered"] += 1

    async def _forward(
        self, request_line: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[str | None, list[tuple[str, str]], bytes]:
        """(status line, headers, body) from the upstream, or (None, ...) of a 502 / 504."""
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        kept = [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]
        kept += [("Content-Length", str(len(body))), ("Connection", "close")]
        lines = [request_line, *(f"{k}: {v}" for k, v in kept)]
        up_writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await up_writer.drain()
        self.events["forwarded"] += 1
        reading = asyncio.ensure_future(_read_message(up_reader, request=False))
        reading.add_done_callback(lambda _: up_writer.close())
        done, _ = await asyncio.wait({reading}, timeout=self.config["upstream_timeout"])
        if not done:  # the upstream goes on with the request (and may store it)
            self._lingering.add(reading)
            reading.add_done_callback(self._lingering.discard)
            return None, *_gateway(504, "the upstream did not answer in time")
        try:
            (status, answer_headers), answer = reading.result()
        except (OSError, asyncio.IncompleteReadError, ValueError):
            return None, *_gateway(502, "the upstream closed the connection")
        return status, answer_headers, answer

    async def _control(
        self, method: str, target: str, body: bytes, writer: asyncio.StreamWriter
    ) -> None:
        if method == "POST" and target == "/__proxy/config":
            changes = json.loads(body or b"{}")
            unknown = set(changes) - set(self.config)
            if unknown or not all(isinstance(v, int | float) for v in changes.values()):
                raise ValueError(f"unknown or non-numeric settings: {sorted(unknown)}")
            self.config.update({k: float(v) for k, v in changes.items()})
            value: Any = self.config
        else:
            value = dict(self.events)
        payload = json.dumps(value).encode()
        await _send(writer, [("Content-Type", "application/json")], payload, status=200)


def _gateway(status: int, message: str) -> tuple[list[tuple[str, str]], bytes]:
    body = json.dumps({"error": {"message": message, "code": f"proxy_{status}"}}).encode()
    return [("Content-Type", "application/json"), ("X-Proxy-Status", str(status))], body


async def _send(
    writer: asyncio.StreamWriter,
    headers: list[tuple[str, str]],
    body: bytes,
    status: int | None = None,
) -> None:
    code = status or int(dict(headers).get("X-Proxy-Status", "502"))
    line = f"HTTP/1.1 {code} {_REASONS.get(code, 'OK')}"
    writer.write(_head(line, headers, len(body)) + body)
    await writer.drain()


def _head(status_line: str, headers: list[tuple[str, str]], length: int) -> bytes:
    kept = [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]
    kept += [("Content-Length", str(length)), ("Connection", "close")]
    lines = [status_line, *(f"{k}: {v}" for k, v in kept)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _read_message(
    reader: asyncio.StreamReader, *, request: bool
) -> tuple[tuple[str, list[tuple[str, str]]], bytes]:
    """A whole HTTP/1.1 message: (start line, headers) and the body (de-chunked)."""
    raw = await reader.readuntil(b"\r\n\r\n")
    first, *rest = raw.decode("latin-1").split("\r\n")
    headers = [tuple(line.split(":", 1)) for line in rest if ":" in line]
    pairs = [(k.strip(), v.strip()) for k, v in headers]
    fields = {k.lower(): v for k, v in pairs}
    if "chunked" in fields.get("transfer-encoding", "").lower():
        chunks = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        while (await reader.readuntil(b"\r\n")).strip():
            pass
        return (first, pairs), b"".join(chunks)
    if "content-length" in fields:
        return (first, pairs), await reader.readexactly(int(fields["content-length"]))
    if request:
        return (first, pairs), b""
    return (first, pairs), await reader.read()  # the answer ends with the connection


def serve(upstream: str, port: int, max_seconds: float) -> int:
    """Proxy 127.0.0.1:`port` to `upstream` until SIGTERM or `max_seconds`; return 0."""

    async def main() -> None:
        proxy = _Proxy(upstream)
        server = await asyncio.start_server(proxy.handle, HOST, port, backlog=128)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.call_later(max_seconds, stop.set)
        async with server:
            await stop.wait()

    asyncio.run(main())
    return 0


class ReverseProxy(ServerProcess):
    """Runs this module as a process in front of `upstream`, drives it and stops it by PID."""

    name = "the proxy"

    def __init__(self, upstream: str, *, max_seconds: float = 300.0, **config: float) -> None:
        super().__init__()
        self.upstream, self.max_seconds, self.initial = upstream, max_seconds, config

    def command(self) -> list[str]:
        """Run this module in front of `upstream`, with the port and the time limit."""
        command = [sys.executable, "-I", str(SCRIPT), "--upstream", self.upstream]
        return [*command, "--port", str(self.port), "--max-seconds", str(self.max_seconds)]

    def ready(self) -> None:
        """It answers once it takes its first settings."""
        self.configure(**self.initial)

    def _call(self, method: str, name: str, payload: Any = None) -> Any:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
        try:
            body = None if payload is None else json.dumps(payload).encode()
            connection.request(method, f"/__proxy/{name}", body=body)
            return json.loads(connection.getresponse().read())
        finally:
            connection.close()

    def configure(self, **settings: float) -> dict[str, float]:
        """Change holds (seconds) or `upstream_timeout`; returns the whole configuration."""
        config: dict[str, float] = self._call("POST", "config", settings)
        return config

    def events(self) -> dict[str, int]:
        """How many requests reached each point so far (`active`: connections open now)."""
        events: dict[str, int] = self._call("GET", "events")
        return events

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until no client connection is open (control requests aside)."""
        deadline = time.monotonic() + timeout
        while self.events().get("active", 0) > 1 and time.monotonic() < deadline:
            time.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    """The command line: `--upstream URL --port P --max-seconds S`."""
    parser = argparse.ArgumentParser(description="A reverse proxy for tests (502 / 504).")
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    args = parser.parse_args(argv)
    return serve(args.upstream, args.port, args.max_seconds)


if __name__ == "__main__":
    sys.exit(main())
