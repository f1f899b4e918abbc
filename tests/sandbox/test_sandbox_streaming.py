"""Uploads stream to disk: a large body does not grow the sandbox's memory."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from support.sandbox_http import CLONE, sha256_file

from uponai_devtools.sandbox import SandboxFactory
from uponai_devtools.wav import make_large_wav

MIB = 1024 * 1024
SIZE = 40 * MIB


def peak_rss(pid: int) -> int:
    """Peak resident set size (VmHWM) of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc status")


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_large_upload_is_streamed_not_buffered(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    sandbox = sandbox_factory(tmp_path / "data")
    big = make_large_wav(tmp_path / "big.wav", SIZE)
    # warm up the code path, then measure the peak over a large upload
    small = make_large_wav(tmp_path / "small.wav", MIB)
    fields = {"workspaceId": "1", "voiceProvider": "p", "voiceName": "big"}
    with small.open("rb") as handle:
        warm = httpx.post(
            sandbox.url + CLONE,
            data=fields,
            files=[("files", ("small.wav", handle, "audio/wav"))],
            headers=sandbox.auth_headers,
        )
    assert warm.status_code == 201
    before = peak_rss(sandbox.pid)
    with big.open("rb") as handle:
        response = httpx.post(
            sandbox.url + CLONE,
            data=fields,
            files=[("files", ("big.wav", handle, "audio/wav"))],
            headers=sandbox.auth_headers,
            timeout=60,
        )
    assert response.status_code == 201, response.text
    grown = peak_rss(sandbox.pid) - before
    assert grown < 16 * MIB, (
        f"peak RSS grew by {grown / MIB:.1f} MiB for an {SIZE // MIB} MiB upload"
    )
    (sample,) = sandbox.voice_record(response.json()["voiceId"])["samples"]
    assert sample["size"] == SIZE
    assert sha256_file(Path(sample["path"])) == sha256_file(big)
