"""Bad input never gives a 500: each case is a 4xx JSON error naming the field or file."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.sandbox_http import CLONE, DEFAULT_FIELDS, assert_error, clone

from uponai_devtools.sandbox import RunningSandbox, start_sandbox
from uponai_devtools.wav import make_wav

KIB = 1024
WAV = make_wav(0.1)


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """A sandbox with small limits: 3 files, 64 KiB per file, 160 KiB per request."""
    limits = ["--max-files", "3", "--max-file-size", "64KiB", "--max-request-size", "160KiB"]
    with start_sandbox(tmp_path_factory.mktemp("limited") / "data", extra_args=limits) as sb:
        yield sb


def voices_on_disk(sandbox: RunningSandbox) -> list[Path]:
    """Sample directories and leftover temporary uploads in the data directory."""
    return sorted((sandbox.data_dir / "voices").iterdir()) + sorted(
        (sandbox.data_dir / "tmp").iterdir()
    )


@pytest.mark.parametrize("missing", ["workspaceId", "voiceProvider", "voiceName"])
def test_missing_field_is_named(sandbox: RunningSandbox, missing: str) -> None:
    fields = {k: v for k, v in DEFAULT_FIELDS.items() if k != missing}
    assert_error(clone(sandbox, [("a.wav", WAV)], fields=fields), 400, field=missing)


@pytest.mark.parametrize("value", ["abc", "1.5", "", "12abc", "99999999999999999999"])
def test_non_integer_workspace_id(sandbox: RunningSandbox, value: str) -> None:
    fields = DEFAULT_FIELDS | {"workspaceId": value}
    assert_error(clone(sandbox, [("a.wav", WAV)], fields=fields), 422, field="workspaceId")


@pytest.mark.parametrize("name", ["voiceName", "voiceProvider"])
def test_blank_names_are_rejected(sandbox: RunningSandbox, name: str) -> None:
    fields = DEFAULT_FIELDS | {name: "   "}
    assert_error(clone(sandbox, [("a.wav", WAV)], fields=fields), 422, field=name)


def test_repeated_field_is_rejected(sandbox: RunningSandbox) -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="workspaceId"\r\n\r\n1\r\n'
        b'--b\r\nContent-Disposition: form-data; name="workspaceId"\r\n\r\n2\r\n--b--\r\n'
    )
    headers = sandbox.auth_headers | {"Content-Type": "multipart/form-data; boundary=b"}
    response = httpx.post(sandbox.url + CLONE, content=body, headers=headers)
    assert_error(response, 422, field="workspaceId")


def test_no_files(sandbox: RunningSandbox) -> None:
    boundary = "fields-only"
    body = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in DEFAULT_FIELDS.items()
        )
        + f"--{boundary}--\r\n"
    )
    headers = sandbox.auth_headers | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    response = httpx.post(sandbox.url + CLONE, content=body.encode(), headers=headers)
    assert_error(response, 400, field="files")


def test_url_encoded_form_is_unsupported(sandbox: RunningSandbox) -> None:
    assert_error(clone(sandbox, []), 415)


def test_empty_file_is_named(sandbox: RunningSandbox) -> None:
    body = assert_error(clone(sandbox, [("a.wav", WAV), ("empty.wav", b"")]), 400, field="files")
    assert body["file"] == "empty.wav"


@pytest.mark.parametrize(
    "content",
    [b"hello, this is text", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"RIFF\x00\x00\x00\x00AVI x"],
)
def test_content_that_is_not_audio_is_named(sandbox: RunningSandbox, content: bytes) -> None:
    # The name says .wav: the check is by content.
    response = clone(sandbox, [("ok.wav", WAV), ("fake.wav", content, "audio/wav")])
    assert assert_error(response, 415, field="files")["file"] == "fake.wav"


def test_unnamed_bad_file_is_named_by_position(sandbox: RunningSandbox) -> None:
    response = clone(sandbox, [("ok.wav", WAV), ("", b"not audio")])
    assert assert_error(response, 415)["file"] in ("files[1]", "upload")


def test_too_many_files(limited: RunningSandbox) -> None:
    response = clone(limited, [(f"{i}.wav", WAV) for i in range(4)])
    assert_error(response, 400, field="files")
    assert "3" in response.json()["message"]


def test_file_over_the_per_file_limit_is_named(limited: RunningSandbox) -> None:
    big = make_wav(2.5)  # ~80 KB > 64 KiB
    assert len(big) > 64 * KIB
    response = clone(limited, [("small.wav", WAV), ("big.wav", big)])
    assert assert_error(response, 413, field="files")["file"] == "big.wav"


def test_request_over_the_total_limit(limited: RunningSandbox) -> None:
    parts = [(f"{i}.wav", make_wav(1.8)) for i in range(3)]  # 3 x ~58 KB > 160 KiB
    assert all(len(p[1]) < 64 * KIB for p in parts)
    assert_error(clone(limited, parts), 413)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Provider-Id", "seven"),
        ("X-Provider-Id", "1.5"),
        ("X-Tenant-Id", "abc"),
        ("X-Tenant-Id", ""),
        ("X-Actor-Type", "superuser"),
    ],
)
def test_invalid_headers_are_named(sandbox: RunningSandbox, header: str, value: str) -> None:
    response = clone(sandbox, [("a.wav", WAV)], headers={header: value})
    assert_error(response, 422, field=header)


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("application/json", b'{"workspaceId": 1}', 415),
        ("text/plain", b"hello", 415),
        ("multipart/form-data", b"--x--\r\n", 400),
        ("multipart/form-data; boundary=x", b"--x\r\nno headers here", 400),
        ("multipart/form-data; boundary=x", b"garbage without boundary", 400),
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Type: a/b\r\n\r\nv\r\n--x--", 400),
    ],
)
def test_malformed_bodies(
    sandbox: RunningSandbox, content_type: str, body: bytes, status: int
) -> None:
    headers = sandbox.auth_headers | {"Content-Type": content_type}
    assert_error(httpx.post(sandbox.url + CLONE, content=body, headers=headers), status)


def test_unknown_routes_and_methods_are_json(sandbox: RunningSandbox) -> None:
    assert_error(httpx.get(sandbox.url + "/nope"), 404)
    response = httpx.get(sandbox.url + CLONE, headers=sandbox.auth_headers)
    assert_error(response, 405)
    assert "POST" in response.headers["allow"]


def test_failure_half_way_leaves_no_voice(limited: RunningSandbox) -> None:
    """The first files were already streamed to disk when the third turns out not to be audio."""
    before = limited.requests()
    on_disk = voices_on_disk(limited)
    response = clone(limited, [("a.wav", WAV), ("b.wav", make_wav(0.2)), ("c.wav", b"text")])
    assert_error(response, 415)
    entry = limited.requests()[len(before)]
    assert [f["filename"] for f in entry["files"]] == ["a.wav", "b.wav", "c.wav"]
    assert entry.get("voiceId") is None
    assert voices_on_disk(limited) == on_disk
    # and the sandbox is fine afterwards
    assert clone(limited, [("a.wav", WAV)]).status_code == 201


def test_file_in_another_field_is_named(sandbox: RunningSandbox) -> None:
    response = httpx.post(
        sandbox.url + CLONE,
        data=DEFAULT_FIELDS,
        files=[("file", ("a.wav", WAV, "audio/wav"))],
        headers=sandbox.auth_headers,
    )
    assert_error(response, 400, field="file")


def test_too_many_fields(sandbox: RunningSandbox) -> None:
    fields = DEFAULT_FIELDS | {f"extra{i}": "x" for i in range(100)}
    assert_error(clone(sandbox, [("a.wav", WAV)], fields=fields), 400)


def test_hostile_file_names_never_reach_the_file_system(sandbox: RunningSandbox) -> None:
    names = ["../../escape.wav", "/etc/passwd", "a\\b.wav", "ünïcode name.wav"]
    response = clone(sandbox, [(name, WAV) for name in names])
    assert response.status_code == 201, response.text
    record = sandbox.voice_record(response.json()["voiceId"])
    assert [s["filename"] for s in record["samples"]] == names
    voices = (sandbox.data_dir / "voices").resolve()
    for sample in record["samples"]:
        assert Path(sample["path"]).resolve().parent.parent == voices
    assert not (sandbox.data_dir.parent / "escape.wav").exists()


def test_client_abort_half_way_leaves_nothing(limited: RunningSandbox) -> None:
    """A client that goes away mid-upload: no voice, no temporary files, the log says so."""
    voices_before = voices_on_disk(limited)
    boundary = "abort"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="workspaceId"\r\n\r\n1\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="voiceProvider"\r\n\r\np\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="voiceName"\r\n\r\nn\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.wav"\r\n\r\n'
    ).encode() + WAV[:2000]
    request = (
        f"POST {CLONE} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {limited.token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + 50_000}\r\n\r\n"
    ).encode() + head
    host, port = limited.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        time.sleep(0.3)  # let the sandbox stream the first part to disk
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not limited.requests()[-1].get("status"):
        time.sleep(0.05)
    entry = limited.requests()[-1]
    assert entry["status"] == 400
    assert entry["error"] == "client_disconnected"
    assert entry["files"][0]["filename"] == "a.wav"
    assert voices_on_disk(limited) == voices_before
