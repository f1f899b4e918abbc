"""Quick checks that the shared fixtures and the sandbox work together."""

from __future__ import annotations

import hashlib

import httpx

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_wav


def test_clone_two_wavs_and_request_log(sandbox: RunningSandbox) -> None:
    first, second = make_wav(0.2), make_wav(0.3, freq=330)
    files = [("files", ("a.wav", first, "audio/wav")), ("files", ("b.wav", second, "audio/wav"))]
    data = {"workspaceId": "7", "voiceProvider": "elevenlabs", "voiceName": "Ada"}
    response = httpx.post(
        f"{sandbox.url}/api/voices/clone", data=data, files=files, headers=sandbox.auth_headers
    )
    assert response.status_code == 201, response.text
    log = sandbox.requests()
    assert [f["sha256"] for f in log[0]["files"]] == [
        hashlib.sha256(first).hexdigest(),
        hashlib.sha256(second).hexdigest(),
    ]
    assert "authorization" not in log[0]["headers"]
