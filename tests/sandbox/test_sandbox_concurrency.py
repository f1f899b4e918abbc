"""50 concurrent uploads all land, each stored sample byte-identical to what was sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from support.sandbox_http import CLONE, multipart_files, sha256, sha256_file

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_wav

UPLOADS = 50


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_fifty_concurrent_uploads_lose_nothing(sandbox: RunningSandbox) -> None:
    # Every upload carries two different WAVs of different lengths (distinct hashes).
    payloads = [
        [
            (f"u{i}-a.wav", make_wav(0.2 + i / 500, freq=200 + 7 * i)),
            (f"u{i}-b.wav", make_wav(0.1 + i / 1000, freq=900 - 5 * i)),
        ]
        for i in range(UPLOADS)
    ]

    async def upload_all() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=UPLOADS)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:

            async def one(i: int) -> httpx.Response:
                fields = {"workspaceId": "7", "voiceProvider": "sandbox", "voiceName": f"v{i}"}
                return await client.post(
                    sandbox.url + CLONE,
                    data=fields,
                    files=multipart_files(payloads[i]),
                    headers=sandbox.auth_headers,
                )

            return list(await asyncio.gather(*(one(i) for i in range(UPLOADS))))

    responses = asyncio.run(upload_all())
    assert [r.status_code for r in responses] == [201] * UPLOADS, [r.text for r in responses]
    voice_ids = [r.json()["voiceId"] for r in responses]
    assert len(set(voice_ids)) == UPLOADS

    lost = []
    for i, voice_id in enumerate(voice_ids):
        record = sandbox.voice_record(voice_id)
        assert record["name"] == f"v{i}"
        sent = [sha256(data) for _, data in payloads[i]]
        stored = [sha256_file(Path(sample["path"])) for sample in record["samples"]]
        if stored != sent or [s["sha256"] for s in record["samples"]] != sent:
            lost.append(voice_id)
    assert lost == []
