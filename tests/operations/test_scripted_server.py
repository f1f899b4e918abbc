"""The scripted loopback server: every step kind and action, seen from a real httpx client."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator

import httpx
import pytest
from support.scripted_server import ScriptedServer

from uponai_devtools.processes import pid_alive


@pytest.fixture
def server(api: ScriptedServer) -> ScriptedServer:
    """The session's scripted server (tests/operations/conftest.py), queue and log empty."""
    return api


@pytest.fixture
def client(server: ScriptedServer) -> Iterator[httpx.Client]:
    """A plain httpx client on the server (no proxies from the environment)."""
    with httpx.Client(base_url=server.url, timeout=5, trust_env=False) as http:
        yield http


def test_an_empty_queue_answers_599_and_logs_the_request(
    server: ScriptedServer, client: httpx.Client
) -> None:
    response = client.get("/api/voices/v1")
    assert response.status_code == 599
    assert response.json()["error"]["code"] == "no_scripted_step"
    assert "GET /api/voices/v1" in response.json()["error"]["message"]
    assert [entry["path"] for entry in server.log()] == ["/api/voices/v1"]


def test_a_json_step_answers_and_the_log_describes_the_request(
    server: ScriptedServer, client: httpx.Client
) -> None:
    server.script({"status": 201, "headers": {"X-Request-Id": "r1"}, "json": {"voiceId": "v1"}})
    body = "héllo wörld".encode()
    response = client.post(
        "/api/voices?workspace=7&x=a%20b", content=body, headers={"X-Actor-Type": "end_user"}
    )
    assert response.status_code == 201
    assert response.json() == {"voiceId": "v1"}
    assert response.headers["x-request-id"] == "r1"
    assert response.headers["content-type"] == "application/json"
    (entry,) = server.log()  # the control requests are not logged
    assert entry["method"] == "POST"
    assert entry["path"] == "/api/voices"
    assert entry["query"] == "workspace=7&x=a%20b"
    assert entry["headers"]["x-actor-type"] == "end_user"
    assert entry["headers"]["content-length"] == str(len(body))
    assert all(name == name.lower() for name in entry["headers"])
    assert entry["body_size"] == len(body)
    assert entry["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert entry["body_text"] == "héllo wörld"


def test_a_raw_body_step_repeats_then_the_queue_runs_dry(
    server: ScriptedServer, client: httpx.Client
) -> None:
    server.script({"status": 200, "body": "plain text", "repeat": 3})
    assert server.pending() == 3
    for _ in range(3):
        response = client.delete("/api/voices/v1")
        assert (response.status_code, response.text) == (200, "plain text")
    assert server.pending() == 0
    assert client.delete("/api/voices/v1").status_code == 599
    assert len(server.log()) == 4


def test_a_step_that_does_not_match_stays_queued_and_names_what_it_expected(
    server: ScriptedServer, client: httpx.Client
) -> None:
    server.script({"match": "GET /api/voices", "json": {"ok": True}})
    wrong = client.post("/api/agents")
    assert wrong.status_code == 599
    assert "'GET /api/voices'" in wrong.json()["error"]["message"]
    assert "POST /api/agents" in wrong.json()["error"]["message"]
    assert client.get("/api/voices/discover").json() == {"ok": True}


def test_a_chunked_body_is_read_whole(server: ScriptedServer, client: httpx.Client) -> None:
    parts = [b"first,", b"second," * 5000, b"last"]
    server.script({"status": 204})
    response = client.post("/upload", content=iter(parts))
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 204
    (entry,) = server.log()
    assert entry["body_size"] == sum(map(len, parts))
    assert entry["body_sha256"] == hashlib.sha256(b"".join(parts)).hexdigest()
    assert len(entry["body_text"] or "") == 20000


def test_drop_before_reading_closes_without_an_answer(
    server: ScriptedServer, client: httpx.Client
) -> None:
    server.script({"action": "drop_before_reading"})
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        client.post("/upload", content=b"x" * 100_000)
    (entry,) = server.log()
    assert (entry["body_size"], entry["body_sha256"], entry["body_text"]) == (None, None, None)


def test_drop_after_reading_closes_after_the_whole_body(
    server: ScriptedServer, client: httpx.Client
) -> None:
    server.script({"action": "drop_after_reading"})
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        client.post("/upload", content=b"x" * 100_000)
    assert server.log()[0]["body_size"] == 100_000


def test_early_answer_reaches_the_client_during_a_large_upload(
    server: ScriptedServer, client: httpx.Client
) -> None:
    # Observed on Linux loopback (60 of 60 runs, 1 MB and 20 MB): the client gets the answer.
    # httpcore swallows the write error of the cut-off upload and reads the response.
    server.script({"action": "early_answer", "status": 413, "json": {"error": {"code": "big"}}})
    response = client.post("/upload", content=b"x" * 1_000_000)
    assert response.status_code == 413
    assert response.json() == {"error": {"code": "big"}}
    assert response.headers["connection"] == "close"
    assert server.log()[0]["body_size"] is None


def test_truncate_body_fails_while_the_client_reads_the_body(
    server: ScriptedServer, client: httpx.Client
) -> None:
    server.script({"action": "truncate_body", "json": {"voiceId": "v1", "name": "Ada"}})
    with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
        client.get("/api/voices/v1")


def test_hang_makes_the_client_time_out(server: ScriptedServer, client: httpx.Client) -> None:
    server.script({"action": "hang", "delay": 10})
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        client.post("/upload", content=b"abc", timeout=httpx.Timeout(5, read=0.1))
    assert time.monotonic() - started < 2
    assert server.log()[0]["body_size"] == 3


def test_delay_waits_before_answering(server: ScriptedServer, client: httpx.Client) -> None:
    server.script({"delay": 0.1, "json": []})
    started = time.monotonic()
    assert client.get("/slow").json() == []
    assert time.monotonic() - started >= 0.1


def test_reset_clears_the_queue_and_the_log(server: ScriptedServer, client: httpx.Client) -> None:
    server.script({"json": 1}, {"json": 2})
    assert client.get("/one").json() == 1
    server.reset()
    assert (server.pending(), server.log()) == (0, [])
    assert client.get("/two").status_code == 599


def test_a_bad_step_is_refused_and_nothing_is_queued(server: ScriptedServer) -> None:
    with pytest.raises(ValueError, match="step 1: action 'explode' is not one of drop_before"):
        server.script({"json": 1}, {"action": "explode"})
    with pytest.raises(ValueError, match="step 0: match 'voices' is not like"):
        server.script({"match": "voices"})
    with pytest.raises(ValueError, match="unknown key 'stauts'"):
        server.script({"stauts": 200})
    with pytest.raises(ValueError, match="`json` or `body`, not both"):
        server.script({"json": 1, "body": "1"})
    assert server.pending() == 0


def test_the_server_exits_by_itself_after_max_seconds() -> None:
    running = ScriptedServer(max_seconds=0.2).start()
    try:
        assert running.process.wait(timeout=5) == 0
        assert not pid_alive(running.pid)
    finally:
        running.stop()
