"""Helpers for the reliability tests: voice JSON replies and small real WAV samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.raw_http import response
from uponai_devtools.wav import make_wav, write_wav
from uponai_widgets import RetryPolicy, connect
from uponai_widgets._connection import Connection

TOKEN = "sk-reliability-5d4c3b2a1f0e-SECRET"
REASON = "ticket 8812: tenant asked for the voice to be recloned"


def voice_json(name: str = "Ada", voice_id: str = "voice_raw_1") -> dict[str, Any]:
    """A spec-conforming `Voice` document."""
    return {
        "voiceId": voice_id,
        "name": name,
        "provider": "elevenlabs",
        "previewUrl": "http://127.0.0.1/preview/x",
        "playbackOverrideUrl": None,
        "tags": [],
        "createdAt": "2026-11-25T18:00:00Z",
        "updatedAt": None,
    }


def created_reply(name: str = "Ada", voice_id: str = "voice_raw_1") -> bytes:
    """A 201 with a voice, as raw bytes."""
    return response(201, json.dumps(voice_json(name, voice_id)).encode(), reason="Created")


def quick_connection(url: str, token: str = TOKEN, **policy: Any) -> Connection:
    """A connection whose retries wait a few ms."""
    retry = RetryPolicy(backoff_initial=0.005, backoff_max=0.01, **policy)
    return connect(url, token, retry=retry, timeout=10)


def wav_path(folder: Path, name: str, seconds: float = 0.2, freq: float = 300.0) -> Path:
    """A small real WAV file."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_wav(folder / name, seconds=seconds, freq=freq)


def wav_bytes(seconds: float = 0.1, freq: float = 330.0) -> bytes:
    """A small real WAV in memory."""
    return make_wav(seconds=seconds, freq=freq)
