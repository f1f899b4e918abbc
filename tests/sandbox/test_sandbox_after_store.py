"""The `after-store` drop: the voice is stored, then the connection closes before any reply byte.

Also the store listing a test uses to count voices by name and read each sample's sha256, and
faults aimed at one voice name (so they hit one job of a concurrent batch).
"""

from __future__ import annotations

import socket
import uuid

import httpx
import pytest
from support.sandbox_http import CLONE, DEFAULT_FIELDS, assert_error, clone, sha256

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_wav

WAV = make_wav(0.2)


def unique(prefix: str) -> str:
    """A voice name no other test in this session uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def raw_clone(sandbox: RunningSandbox, name: str, data: bytes) -> bytes:
    """POST a clone over a plain socket and return every byte the server sent back."""
    boundary = "b0undary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in (DEFAULT_FIELDS | {"voiceName": name}).items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.wav"\r\n'
        "Content-Type: audio/wav\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    body = b"".join(parts)
    host_port = sandbox.url.removeprefix("http://")
    head = (
        f"POST {CLONE} HTTP/1.1\r\nHost: {host_port}\r\n"
        f"Authorization: Bearer {sandbox.token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    host, port = host_port.split(":")
    received = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head + body)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    return received


def test_after_store_stores_then_closes_before_any_reply_byte(sandbox: RunningSandbox) -> None:
    name = unique("after-store")
    sandbox.inject_fault(drop="after-store")
    assert raw_clone(sandbox, name, WAV) == b""
    (record,) = sandbox.voices(name)
    assert [s["sha256"] for s in record["samples"]] == [sha256(WAV)]
    (entry,) = sandbox.requests()
    assert entry["dropped"] is True
    assert entry["status"] is None
    assert entry["complete"] is True
    assert entry["voiceId"] == record["voice_id"]
    assert entry["fault"]["drop"] == "after-store"
    # one use only: the next request is answered normally
    assert clone(sandbox, [("a.wav", WAV)]).status_code == 201


def test_after_store_seen_by_httpx_as_a_lost_reply(sandbox: RunningSandbox) -> None:
    name = unique("httpx")
    sandbox.inject_fault(drop="after-store", count=2)
    fields = DEFAULT_FIELDS | {"voiceName": name}
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            clone(sandbox, [("a.wav", WAV)], fields=fields)
    assert sandbox.voice_counts()[name] == 2  # each resend stored another voice
    assert len(sandbox.voice_ids(name)) == 2
    assert sandbox.voice_record(sandbox.voice_ids(name)[0])["name"] == name


def test_a_fault_aimed_at_a_voice_name_waits_for_it(sandbox: RunningSandbox) -> None:
    names = [unique("job") for _ in range(3)]
    sandbox.inject_fault(drop="after-store", voice_name=names[1])
    queued = sandbox.inject_fault(status=503, voice_name=names[2])["faults"]
    assert [fault["voice_name"] for fault in queued] == names[1:]
    outcomes: list[int | None] = []
    for name in [names[0], names[2], names[1], names[0]]:
        try:
            response = clone(sandbox, [("a.wav", WAV)], fields=DEFAULT_FIELDS | {"voiceName": name})
            outcomes.append(response.status_code)
        except httpx.RemoteProtocolError:
            outcomes.append(None)
    assert outcomes == [201, 503, None, 201]
    counts = sandbox.voice_counts()
    assert [counts.get(name, 0) for name in names] == [2, 1, 0]
    assert sandbox.requests()[1]["fault"]["voice_name"] == names[2]
    assert sandbox.faults()["faults"] == []


def test_untargeted_faults_keep_their_order_beside_targeted_ones(sandbox: RunningSandbox) -> None:
    target = unique("target")
    sandbox.inject_fault(status=500, voice_name=target)
    sandbox.inject_fault(status=429)
    assert_error(clone(sandbox, [("a.wav", WAV)]), 429)  # the queue is not blocked
    assert_error(
        clone(sandbox, [("a.wav", WAV)], fields=DEFAULT_FIELDS | {"voiceName": target}), 500
    )
    assert clone(sandbox, [("a.wav", WAV)]).status_code == 201


@pytest.mark.parametrize(
    "fault",
    [
        {"drop": "mid-body", "voice_name": "x"},
        {"latency_ms": 10, "voice_name": "x"},
        {"status": 500, "voice_name": ""},
        {"status": 500, "voice_name": 3},
    ],
)
def test_invalid_targeted_faults_are_400(sandbox: RunningSandbox, fault: dict[str, object]) -> None:
    response = httpx.post(
        sandbox.url + "/_sandbox/faults", json=fault, headers=sandbox.auth_headers
    )
    assert_error(response, 400)


def test_store_listing_gives_names_and_sample_hashes(sandbox: RunningSandbox) -> None:
    name = unique("listing")
    samples = [("one.wav", WAV), ("two.wav", make_wav(0.1, freq=880))]
    created = clone(sandbox, samples, fields=DEFAULT_FIELDS | {"voiceName": name}).json()
    (record,) = sandbox.voices(name)
    assert record["voice_id"] == created["voiceId"]
    assert [(s["filename"], s["sha256"]) for s in record["samples"]] == [
        (file_name, sha256(data)) for file_name, data in samples
    ]
    assert created["voiceId"] in sandbox.voice_ids()
    assert any(r["voice_id"] == created["voiceId"] for r in sandbox.voices())
    assert sandbox.voice_ids(unique("nobody")) == []
