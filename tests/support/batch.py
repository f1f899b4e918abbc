"""Helpers for the batch tests: speaker folders, fast-retry connections, a counting transport."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import httpx

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import write_wav
from uponai_widgets import RetryPolicy, connect
from uponai_widgets._connection import Connection

VOICE_JSON: dict[str, Any] = {
    "voiceId": "voice_fake",
    "name": "fake",
    "provider": "elevenlabs",
    "previewUrl": "http://api.test/preview/x",
    "playbackOverrideUrl": None,
    "tags": [],
    "createdAt": "2026-11-25T18:00:00Z",
    "updatedAt": None,
}


def sandbox_connection(sandbox: RunningSandbox, **policy: Any) -> Connection:
    """A connection to the sandbox whose retries wait 10 ms instead of seconds."""
    retry = RetryPolicy(backoff_initial=0.01, backoff_max=0.02, **policy)
    return connect(sandbox.url, sandbox.token, retry=retry)


def speaker_folders(root: Path, names: list[str], files_each: int = 2) -> Path:
    """`root/<name>/take-<i>.wav` for each speaker, every file a different tone."""
    for number, name in enumerate(names):
        folder = root / name
        folder.mkdir(parents=True)
        for index in range(files_each):
            write_wav(folder / f"take-{index}.wav", seconds=0.3, freq=200 + 40 * number + index)
    return root


def sample_jobs(tmp_path: Path, count: int, *, prefix: str = "voice") -> list[dict[str, Any]]:
    """`count` valid jobs named `<prefix>-<i>` with one distinct WAV file each."""
    jobs = []
    for index in range(count):
        path = write_wav(tmp_path / f"{prefix}-{index}.wav", seconds=0.2, freq=180 + 25 * index)
        jobs.append(
            {
                "name": f"{prefix}-{index}",
                "provider": "elevenlabs",
                "workspace_id": 7,
                "samples": [path],
            }
        )
    return jobs


def clones_by_name(sandbox: RunningSandbox) -> dict[str, list[dict[str, Any]]]:
    """The sandbox's logged requests grouped by the voiceName field."""
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in sandbox.requests():
        found.setdefault(str(entry["fields"].get("voiceName")), []).append(entry)
    return found


def open_fds_under(folder: Path) -> list[str]:
    """Paths under `folder` that this process holds open."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


class CountingTransport(httpx.AsyncBaseTransport):
    """Answers every clone with a 201 after `delay` s, recording the most requests in flight."""

    def __init__(self, delay: float = 0.05) -> None:
        self.delay = delay
        self.in_flight = 0
        self.max_in_flight = 0
        self.count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.count += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            assert isinstance(request.stream, httpx.AsyncByteStream)
            async for _chunk in request.stream:
                pass
            await asyncio.sleep(self.delay)
            return httpx.Response(201, json={**VOICE_JSON, "voiceId": f"voice_{self.count}"})
        finally:
            self.in_flight -= 1
