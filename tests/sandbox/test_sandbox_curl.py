"""curl, a client nobody here wrote, clones a voice from two files."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from support.sandbox_http import CLONE, assert_valid_voice, sha256, sha256_file

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_wav, write_wav

CURL = shutil.which("curl") or "/usr/bin/curl"


@pytest.mark.skipif(not Path(CURL).exists(), reason="curl is not installed")
def test_curl_uploads_two_files_and_gets_a_valid_201(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    first = write_wav(tmp_path / "first take.wav", seconds=0.5, freq=440)
    second = tmp_path / "second.mp3"
    second.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + make_wav(0.2)[44:])
    config = tmp_path / "curl.cfg"  # keeps the token off curl's command line
    config.write_text(f'header = "Authorization: Bearer {sandbox.token}"\n')
    result = subprocess.run(
        [CURL, "--silent", "--show-error", "--max-time", "30", "--config", str(config),
         "--write-out", "\n%{http_code}",
         "-F", "workspaceId=42", "-F", "voiceProvider=elevenlabs", "-F", "voiceName=Curl voice",
         "-F", f"files=@{first};type=audio/wav", "-F", f"files=@{second};type=audio/mpeg",
         sandbox.url + CLONE],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    body_text, _, status = result.stdout.rpartition("\n")
    assert status == "201", result.stdout
    body = json.loads(body_text)
    assert_valid_voice(body)
    assert body["name"] == "Curl voice"
    assert body["provider"] == "elevenlabs"

    record = sandbox.voice_record(body["voiceId"])
    samples = record["samples"]
    assert [s["filename"] for s in samples] == ["first take.wav", "second.mp3"]
    assert [s["format"] for s in samples] == ["wav", "mp3"]
    for sample, source in zip(samples, (first, second), strict=True):
        assert sample["sha256"] == sha256(source.read_bytes())
        assert sha256_file(Path(sample["path"])) == sha256(source.read_bytes())
