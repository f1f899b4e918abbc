"""previewUrl serves the first sample without a token, with its audio type and byte ranges."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from support.sandbox_http import clone

from uponai_devtools.sandbox import RunningSandbox, SandboxFactory
from uponai_devtools.wav import make_wav

FLAC = b"fLaC\x00\x00\x00\x22" + bytes(range(256)) * 4


@pytest.fixture
def wav_voice(sandbox: RunningSandbox) -> tuple[str, bytes]:
    first = make_wav(0.5, freq=330)
    response = clone(sandbox, [("first.wav", first), ("second.wav", make_wav(0.2))])
    assert response.status_code == 201
    return response.json()["previewUrl"], first


def test_preview_plays_without_a_token(
    sandbox: RunningSandbox, wav_voice: tuple[str, bytes]
) -> None:
    url, first = wav_voice
    assert url.startswith(sandbox.url + "/preview/")
    response = httpx.get(url)  # no Authorization header, like an <audio> element
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    assert response.headers["accept-ranges"] == "bytes"
    assert int(response.headers["content-length"]) == len(first)
    assert response.content == first
    assert response.headers["access-control-allow-origin"] == "*"


def test_preview_id_is_unguessable(sandbox: RunningSandbox, wav_voice: tuple[str, bytes]) -> None:
    url, _ = wav_voice
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 32  # 256 random bits, URL-safe base64
    other = clone(sandbox, [("x.wav", make_wav(0.1))]).json()["previewUrl"]
    assert other != url
    assert httpx.get(url[:-1] + ("A" if url[-1] != "A" else "B")).status_code == 404


@pytest.mark.parametrize(
    ("range_header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", None, None)],
)
def test_byte_ranges(
    wav_voice: tuple[str, bytes], range_header: str, start: int | None, end: int | None
) -> None:
    url, first = wav_voice
    response = httpx.get(url, headers={"Range": range_header})
    assert response.status_code == 206
    assert response.headers["content-type"] == "audio/wav"
    if start is None:
        expected, first_byte = first[-50:], len(first) - 50
    else:
        last = len(first) - 1 if end is None else end
        expected, first_byte = first[start : last + 1], start
    assert response.content == expected
    last_byte = first_byte + len(expected) - 1
    assert response.headers["content-range"] == f"bytes {first_byte}-{last_byte}/{len(first)}"


def test_unsatisfiable_range(wav_voice: tuple[str, bytes]) -> None:
    url, first = wav_voice
    response = httpx.get(url, headers={"Range": f"bytes={len(first) + 10}-"})
    assert response.status_code == 416


def test_head_and_content_type_follow_the_content(sandbox: RunningSandbox) -> None:
    response = clone(sandbox, [("named-like-a.wav", FLAC)])
    assert response.status_code == 201
    url = response.json()["previewUrl"]
    head = httpx.head(url)
    assert head.status_code == 200
    assert head.headers["content-type"] == "audio/flac"
    assert int(head.headers["content-length"]) == len(FLAC)


def test_unknown_preview_is_a_json_404(sandbox: RunningSandbox) -> None:
    response = httpx.get(sandbox.url + "/preview/does-not-exist")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_public_url_sets_the_preview_base(sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    behind_proxy = sandbox_factory(
        tmp_path / "data", extra_args=["--public-url", "https://sandbox.example.test/"]
    )
    response = clone(behind_proxy, [("a.wav", make_wav(0.1))])
    assert response.json()["previewUrl"].startswith("https://sandbox.example.test/preview/")


def test_discarded_samples_are_hashed_and_measured_but_never_kept(
    sandbox_factory: SandboxFactory,
) -> None:
    """`--discard-samples` (benchmarks): the record has each sample's size and sha256 as
    received, nothing is written under the data directory, and the voice has no preview."""
    running = sandbox_factory(extra_args=["--discard-samples"])
    samples = [("one.wav", make_wav(0.5, freq=330)), ("two.wav", make_wav(0.3, freq=440))]
    response = clone(running, samples)
    assert response.status_code == 201
    record = running.voice_record(response.json()["voiceId"])
    assert sorted((s["filename"], s["size"], s["sha256"]) for s in record["samples"]) == sorted(
        (name, len(data), hashlib.sha256(data).hexdigest()) for name, data in samples
    )
    assert not any(Path(s["path"]).exists() for s in record["samples"])
    assert [p for p in running.data_dir.rglob("*") if p.is_file() and ".sample" in p.name] == []
    assert httpx.get(response.json()["previewUrl"]).status_code == 404
