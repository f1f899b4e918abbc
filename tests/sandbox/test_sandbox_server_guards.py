"""The sandbox as a server: read timeouts, a connection limit, test routes behind the token,
nothing of an unauthenticated request logged, private data files."""

from __future__ import annotations

import json
import socket
import stat
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from support.sandbox_http import CLONE, DEFAULT_FIELDS, assert_error, clone

from uponai_devtools.sandbox import RunningSandbox, SandboxFactory, start_sandbox
from uponai_devtools.wav import make_wav

WAV = make_wav(0.1)
TIMEOUT = 1.0
"""Header and body timeouts of the `guarded` sandbox (seconds)."""


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """A sandbox with 1 s header and body timeouts, set through the environment."""
    env = {
        "UPONAI_SANDBOX_HEADER_TIMEOUT": str(TIMEOUT),
        "UPONAI_SANDBOX_BODY_TIMEOUT": str(TIMEOUT),
    }
    with start_sandbox(tmp_path_factory.mktemp("guarded") / "data", env=env) as running:
        yield running


def connect(sandbox: RunningSandbox) -> socket.socket:
    host, port = sandbox.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def seconds_until_closed(sock: socket.socket, limit: float = 8.0) -> tuple[float, bytes]:
    """How long until the server closes `sock`, and what it sent before (bounded by `limit`)."""
    started = time.monotonic()
    sock.settimeout(limit)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        return float("inf"), received
    return time.monotonic() - started, received


def request_head(sandbox: RunningSandbox, content_length: int) -> bytes:
    return (
        f"POST {CLONE} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {sandbox.token}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\n"
        f"Content-Length: {content_length}\r\n\r\n"
    ).encode()


@pytest.mark.parametrize("sent", [b"", b"POST /api/voices/clone HTTP/1.1\r\nHost: 127"])
def test_unfinished_request_head_is_closed_after_the_header_timeout(
    guarded: RunningSandbox, sent: bytes
) -> None:
    with connect(guarded) as sock:
        sock.sendall(sent)
        elapsed, reply = seconds_until_closed(sock)
    assert TIMEOUT * 0.8 <= elapsed <= TIMEOUT + 3, elapsed
    assert reply.startswith(b"HTTP/1.1 408 ")


def test_trickled_request_head_is_closed_at_the_header_deadline(guarded: RunningSandbox) -> None:
    with connect(guarded) as sock:
        started = time.monotonic()
        try:
            for byte in b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 30:
                sock.sendall(bytes([byte]))
                time.sleep(0.1)  # each byte well within the timeout, the head never done
        except (BrokenPipeError, ConnectionResetError):
            pass
        elapsed, _ = seconds_until_closed(sock)
    assert time.monotonic() - started <= TIMEOUT + 3
    assert elapsed != float("inf")


def test_body_that_stops_is_closed_after_the_body_timeout(guarded: RunningSandbox) -> None:
    with connect(guarded) as sock:
        sock.sendall(request_head(guarded, 100_000) + b"--xyz\r\n" + b"x" * 1000)
        elapsed, reply = seconds_until_closed(sock)
    assert TIMEOUT * 0.8 <= elapsed <= TIMEOUT + 3, elapsed
    assert reply == b""
    entry = guarded.requests()[-1]
    assert entry["complete"] is False
    assert entry["error"] == "client_disconnected"


@pytest.mark.slow
def test_a_slow_body_that_keeps_coming_is_not_cut(guarded: RunningSandbox) -> None:
    def slow_body() -> Iterator[bytes]:
        boundary = "slow"
        for key, value in DEFAULT_FIELDS.items():
            time.sleep(0.5)  # 6 pauses of half the timeout: 3 s in all
            yield f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        time.sleep(0.5)
        yield b'--slow\r\nContent-Disposition: form-data; name="files"; filename="a.wav"\r\n\r\n'
        for index in range(0, len(WAV), len(WAV) // 3 + 1):
            time.sleep(0.5)
            yield WAV[index : index + len(WAV) // 3 + 1]
        yield b"\r\n--slow--\r\n"

    headers = guarded.auth_headers | {"Content-Type": "multipart/form-data; boundary=slow"}
    response = httpx.post(guarded.url + CLONE, content=slow_body(), headers=headers, timeout=30)
    assert response.status_code == 201, response.text


@pytest.mark.slow
def test_server_side_latency_does_not_count_against_the_client(guarded: RunningSandbox) -> None:
    big = make_wav(10.0)  # 320 kB: more than uvicorn buffers before it stops reading
    guarded.inject_fault(latency_ms=int(TIMEOUT * 2500), count=1)
    response = clone(guarded, [("big.wav", big)])
    assert response.status_code == 201, response.text


def read_health(sock: socket.socket) -> bytes:
    """One whole `/healthz` response (its JSON body ends with `}`)."""
    received = b""
    while not received.endswith(b"}"):
        chunk = sock.recv(4096)
        assert chunk, f"closed after {received!r}"
        received += chunk
    return received


def test_idle_keep_alive_connection_outlives_the_header_timeout(guarded: RunningSandbox) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with connect(guarded) as sock:
        sock.sendall(request)
        assert read_health(sock).startswith(b"HTTP/1.1 200 ")
        time.sleep(TIMEOUT * 1.6)  # idle: uvicorn's keep-alive timeout (5 s) applies
        sock.sendall(request)
        assert read_health(sock).startswith(b"HTTP/1.1 200 ")


def test_beyond_the_connection_limit_new_connections_get_503(
    sandbox_factory: SandboxFactory,
) -> None:
    limited = sandbox_factory(env={"UPONAI_SANDBOX_MAX_CONNECTIONS": "2"})
    with ExitStack() as stack:
        for _ in range(2):
            stack.enter_context(connect(limited)).sendall(b"GET /healthz HTTP/1.1\r\n")
        time.sleep(0.2)
        response = httpx.get(limited.url + "/healthz", timeout=5)
        body = assert_error(response, 503)
        assert body["code"] == "too_many_connections"
        assert response.headers["connection"] == "close"
    deadline = time.monotonic() + 5
    while httpx.get(limited.url + "/healthz", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, "the limit was not released"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/_sandbox/faults"), ("GET", "/_sandbox/faults"), ("DELETE", "/_sandbox/faults"),
     ("GET", "/_sandbox/requests"), ("DELETE", "/_sandbox/requests"),
     ("GET", "/_sandbox/voices"), ("GET", "/_sandbox/voices/voice_x")],
)  # fmt: skip
def test_sandbox_routes_need_the_token(sandbox: RunningSandbox, method: str, path: str) -> None:
    for headers in ({}, {"Authorization": f"Bearer {sandbox.token}-not"}):
        response = httpx.request(method, sandbox.url + path, json={"status": 500}, headers=headers)
        assert_error(response, 401)
    assert sandbox.faults()["faults"] == []  # nothing was queued
    with_token = httpx.request(
        method, sandbox.url + path, json={"status": 500}, headers=sandbox.auth_headers
    )
    assert with_token.status_code in (200, 201, 404)


def test_unauthenticated_request_leaves_none_of_its_headers_in_the_log(
    sandbox_factory: SandboxFactory,
) -> None:
    sandbox = sandbox_factory(extra_args=["--log-level", "debug"])
    reason = "ticket-4711-secret-impersonation-reason"
    headers = {
        "Authorization": "Bearer wrong",
        "X-Actor-Type": "platform_admin",
        "X-Impersonation-Reason": reason,
        "X-Tenant-Id": "9",
    }
    response = clone(sandbox, [("a.wav", WAV)], headers=headers, auth=False)
    assert_error(response, 401)
    (entry,) = sandbox.requests()
    assert entry["status"] == 401
    assert entry["authenticated"] is False
    assert entry["headers"] == {}
    assert reason not in json.dumps(sandbox.requests())
    assert reason not in sandbox.log_text()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_directory_and_files_are_private(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    sandbox = sandbox_factory(data_dir)
    voice_id = clone(sandbox, [("a.wav", WAV), ("b.wav", make_wav(0.2))]).json()["voiceId"]
    directories = [data_dir, data_dir / "voices", data_dir / "tmp", data_dir / "voices" / voice_id]
    assert {str(d): mode(d) for d in directories} == {str(d): 0o700 for d in directories}
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name == "sandbox.sqlite3" for p in files)
    assert any(p.suffix == ".sample" for p in files)
    assert {str(p): mode(p) for p in files} == {str(p): 0o600 for p in files}


def test_data_of_an_older_sandbox_is_made_private_on_start(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    first = sandbox_factory(data_dir)
    voice_id = clone(first, [("a.wav", WAV)]).json()["voiceId"]
    sandbox_factory.stop(first)
    for path in [data_dir, *data_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    second = sandbox_factory(data_dir)
    assert second.voice_record(voice_id)["name"] == DEFAULT_FIELDS["voiceName"]
    for path in [data_dir, *data_dir.rglob("*")]:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path
