"""Test-mode fault injection and the request log, as client tests use them (issue 4, item 5)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from support.sandbox_http import CLONE, assert_error, clone, sha256

from uponai_devtools.sandbox import RunningSandbox, SandboxFactory
from uponai_devtools.wav import make_large_wav, make_wav

WAV = make_wav(0.2)


def test_429_with_retry_after_then_success(sandbox: RunningSandbox) -> None:
    sandbox.inject_fault(status=429, count=2, retry_after=1)
    first, second, third = (clone(sandbox, [("a.wav", WAV)]) for _ in range(3))
    for response in (first, second):
        assert_error(response, 429)
        assert response.headers["retry-after"] == "1"
    assert third.status_code == 201
    log = sandbox.requests()
    assert [entry["status"] for entry in log] == [429, 429, 201]
    assert log[0]["fault"]["status"] == 429


def test_retry_after_ms_and_http_date(sandbox: RunningSandbox) -> None:
    date = "Wed, 25 Nov 2026 20:00:00 GMT"
    sandbox.inject_fault(status=429, retry_after=date, retry_after_ms=1500)
    response = clone(sandbox, [("a.wav", WAV)])
    assert response.headers["retry-after"] == date
    assert response.headers["retry-after-ms"] == "1500"


@pytest.mark.parametrize("status", [503, 500])
def test_server_error_then_success_bodies_compare(sandbox: RunningSandbox, status: int) -> None:
    sandbox.inject_fault(status=status, count=1)
    samples = [("one.wav", WAV), ("two.wav", make_wav(0.3, freq=300))]
    assert_error(clone(sandbox, samples), status)
    assert clone(sandbox, samples).status_code == 201
    failed, succeeded = sandbox.requests()
    for key in ("fields", "files", "bodyBytes"):
        assert failed[key] == succeeded[key]
    assert [f["sha256"] for f in failed["files"]] == [sha256(d) for _, d in samples]
    assert failed.get("voiceId") is None
    assert succeeded["voiceId"]


def test_drop_mid_body(sandbox: RunningSandbox, tmp_path: Path) -> None:
    big = make_large_wav(tmp_path / "big.wav", 4 * 1024 * 1024)
    voices_before = set((sandbox.data_dir / "voices").iterdir())
    sandbox.inject_fault(drop="mid-body", count=1)
    with big.open("rb") as handle, pytest.raises(httpx.TransportError):
        httpx.post(
            sandbox.url + CLONE,
            data={"workspaceId": "1", "voiceProvider": "p", "voiceName": "n"},
            files=[("files", ("big.wav", handle, "audio/wav"))],
            headers=sandbox.auth_headers,
            timeout=30,
        )
    entry = sandbox.requests()[-1]
    assert entry["dropped"] is True
    assert entry["status"] is None
    assert 0 < entry["bodyBytes"] < big.stat().st_size
    assert set((sandbox.data_dir / "voices").iterdir()) == voices_before
    assert list((sandbox.data_dir / "tmp").iterdir()) == []
    assert clone(sandbox, [("a.wav", WAV)]).status_code == 201  # only one request dropped


def test_standing_latency_until_cleared(sandbox: RunningSandbox) -> None:
    sandbox.inject_fault(latency_ms=400)
    for _ in range(2):
        started = time.monotonic()
        assert clone(sandbox, [("a.wav", WAV)]).status_code == 201
        assert time.monotonic() - started >= 0.4
    sandbox.clear_faults()
    assert sandbox.faults() == {"faults": [], "latency_ms": 0}


def test_faults_wait_for_an_authenticated_request(sandbox: RunningSandbox) -> None:
    sandbox.inject_fault(status=503)
    assert_error(clone(sandbox, [("a.wav", WAV)], auth=False), 401)
    assert_error(clone(sandbox, [("a.wav", WAV)]), 503)


def test_faults_can_be_queued_as_a_list_and_cleared(sandbox: RunningSandbox) -> None:
    response = httpx.post(
        sandbox.url + "/_sandbox/faults",
        json=[{"status": 500}, {"status": 503, "count": 2}],
        headers=sandbox.auth_headers,
    )
    assert response.status_code == 201
    assert [f["status"] for f in response.json()["faults"]] == [500, 503]
    cleared = httpx.delete(sandbox.url + "/_sandbox/faults", headers=sandbox.auth_headers).json()
    assert cleared == {"cleared": 2}
    assert clone(sandbox, [("a.wav", WAV)]).status_code == 201


@pytest.mark.parametrize(
    "fault",
    [
        {},
        {"status": 200},
        {"status": "500"},
        {"status": 500, "count": 0},
        {"drop": "sometimes"},
        {"status": 500, "drop": "mid-body"},
        {"latency_ms": -1},
        {"status": 429, "retry_after": [1]},
        {"teapot": True},
        [1, 2],
    ],
)
def test_invalid_faults_are_400(sandbox: RunningSandbox, fault: object) -> None:
    response = httpx.post(
        sandbox.url + "/_sandbox/faults", json=fault, headers=sandbox.auth_headers
    )
    assert_error(response, 400)
    assert sandbox.faults()["faults"] == []


def test_request_log_shows_fields_files_and_headers(sandbox: RunningSandbox) -> None:
    samples = [("a.wav", WAV), ("b.wav", make_wav(0.1, freq=880))]
    headers = {"X-Actor-Type": "end_user", "X-Request-Tag": "t1"}
    assert clone(sandbox, samples, headers=headers).status_code == 201
    (entry,) = sandbox.requests()
    assert entry["method"] == "POST"
    assert entry["path"] == CLONE
    assert entry["fields"] == {
        "workspaceId": "42",
        "voiceProvider": "elevenlabs",
        "voiceName": "Test voice",
    }
    assert [(f["filename"], f["size"], f["sha256"]) for f in entry["files"]] == [
        (name, len(data), sha256(data)) for name, data in samples
    ]
    assert entry["headers"]["x-actor-type"] == "end_user"
    assert entry["headers"]["x-request-tag"] == "t1"
    assert "authorization" not in entry["headers"]
    assert entry["complete"] is True
    cleared = httpx.delete(sandbox.url + "/_sandbox/requests", headers=sandbox.auth_headers)
    assert cleared.json() == {"cleared": 1}
    assert sandbox.requests() == []


def test_test_routes_are_absent_without_test_mode(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    plain = sandbox_factory(tmp_path / "data", test_mode=False)
    for method, path in [
        ("POST", "/_sandbox/faults"),
        ("GET", "/_sandbox/faults"),
        ("DELETE", "/_sandbox/faults"),
        ("GET", "/_sandbox/requests"),
        ("DELETE", "/_sandbox/requests"),
        ("GET", "/_sandbox/voices"),
    ]:
        for headers in ({}, plain.auth_headers):
            response = httpx.request(
                method, plain.url + path, json={"status": 500}, headers=headers
            )
            assert_error(response, 404)
    assert clone(plain, [("a.wav", WAV)]).status_code == 201


def test_injected_status_wins_over_a_bad_body(sandbox: RunningSandbox) -> None:
    sandbox.inject_fault(status=503, count=1)
    assert_error(clone(sandbox, [("a.wav", b"not audio")]), 503)
    assert_error(clone(sandbox, [("a.wav", b"not audio")]), 415)
