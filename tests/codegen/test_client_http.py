"""The committed generated client over real HTTP on loopback."""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Iterator
from typing import Any

import pytest
from support.capture_server import VOICE, CaptureServer, parse_multipart

from uponai_client import AuthenticatedClient
from uponai_client.api.voices import clone_voice
from uponai_client.errors import UnexpectedStatus
from uponai_client.models import CloneVoiceBody, CloneVoiceXActorType, Voice
from uponai_client.types import UNSET, File

TOKEN = "sk-http-test-token"


@pytest.fixture
def server() -> Iterator[CaptureServer]:
    with CaptureServer() as running:
        yield running


def body_with(*files: tuple[str, bytes, str]) -> CloneVoiceBody:
    return CloneVoiceBody(
        workspace_id=42,
        voice_provider="elevenlabs",
        voice_name="Ada Lovelace",
        files=[
            File(payload=io.BytesIO(data), file_name=name, mime_type=mime)
            for name, data, mime in files
        ],
    )


def test_multipart_has_three_fields_and_one_part_per_file(server: CaptureServer) -> None:
    one, two = os.urandom(70_000), b"RIFF" + os.urandom(1000)
    client = AuthenticatedClient(base_url=server.url, token=TOKEN)
    response = clone_voice.sync_detailed(
        client=client, body=body_with(("one.wav", one, "audio/wav"), ("two.mp3", two, "audio/mpeg"))
    )
    assert response.status_code == 201
    request = server.requests[0]
    assert request.path == "/api/voices/clone"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    parts = parse_multipart(request.headers["content-type"], request.body)
    fields = {p.name: p.data.decode() for p in parts if p.filename is None}
    assert fields == {
        "workspaceId": "42",
        "voiceProvider": "elevenlabs",
        "voiceName": "Ada Lovelace",
    }
    files = [(p.name, p.filename, p.content_type, p.data) for p in parts if p.filename is not None]
    assert files == [
        ("files", "one.wav", "audio/wav", one),
        ("files", "two.mp3", "audio/mpeg", two),
    ]


def test_optional_headers_are_sent_with_their_names_and_enum_values(server: CaptureServer) -> None:
    client = AuthenticatedClient(base_url=server.url, token=TOKEN)
    clone_voice.sync(
        client=client,
        body=body_with(("a.wav", b"RIFF....WAVE", "audio/wav")),
        x_actor_type=CloneVoiceXActorType.PLATFORM_ADMIN,
        x_provider_id=9,
        x_tenant_id=11,
        x_impersonation_reason="support ticket 77",
    )
    headers = server.requests[0].headers
    assert headers["x-actor-type"] == "platform_admin"
    assert headers["x-provider-id"] == "9"
    assert headers["x-tenant-id"] == "11"
    assert headers["x-impersonation-reason"] == "support ticket 77"


def test_optional_headers_are_absent_when_not_given(server: CaptureServer) -> None:
    clone_voice.sync(
        client=AuthenticatedClient(base_url=server.url, token=TOKEN),
        body=body_with(("a.wav", b"RIFF", "audio/wav")),
    )
    headers = server.requests[0].headers
    assert not {"x-actor-type", "x-provider-id", "x-tenant-id", "x-impersonation-reason"} & set(
        headers
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"playbackOverrideUrl": None}, None),
        ({}, UNSET),
        ({"playbackOverrideUrl": "https://cdn.test/p.mp3"}, "https://cdn.test/p.mp3"),
    ],
    ids=["null", "absent", "present"],
)
def test_201_parses_into_voice(
    server: CaptureServer, extra: dict[str, Any], expected: object
) -> None:
    payload = {k: v for k, v in VOICE.items() if k != "playbackOverrideUrl"} | extra
    payload["futureField"] = {"nested": True}
    server.responses.append((201, payload))
    voice = clone_voice.sync(
        client=AuthenticatedClient(base_url=server.url, token=TOKEN),
        body=body_with(("a.wav", b"RIFF", "audio/wav")),
    )
    assert isinstance(voice, Voice)
    assert voice.voice_id == "voice_123"
    assert voice.playback_override_url == expected
    assert voice.created_at == datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
    assert voice.updated_at is None
    assert voice.tags == ["demo"]
    assert voice.additional_properties == {"futureField": {"nested": True}}


def test_non_201_raises_unexpected_status_when_asked(server: CaptureServer) -> None:
    server.responses.append((401, {"error": "bad token"}))
    client = AuthenticatedClient(base_url=server.url, token=TOKEN, raise_on_unexpected_status=True)
    with pytest.raises(UnexpectedStatus) as caught:
        clone_voice.sync(client=client, body=body_with(("a.wav", b"RIFF", "audio/wav")))
    assert caught.value.status_code == 401
    assert TOKEN not in str(caught.value)


def test_non_201_returns_none_by_default(server: CaptureServer) -> None:
    server.responses.append((500, {"error": "boom"}))
    client = AuthenticatedClient(base_url=server.url, token=TOKEN)
    assert clone_voice.sync(client=client, body=body_with(("a.wav", b"RIFF", "audio/wav"))) is None


async def _clone_async(url: str) -> Voice | None:
    async with AuthenticatedClient(base_url=url, token=TOKEN) as client:
        return await clone_voice.asyncio(
            client=client, body=body_with(("a.wav", b"RIFF", "audio/wav"))
        )


def test_async_variant_sends_the_same_request(server: CaptureServer) -> None:
    import asyncio

    voice = asyncio.run(_clone_async(server.url))
    assert voice is not None
    assert voice.name == "Ada"
    parts = parse_multipart(server.requests[0].headers["content-type"], server.requests[0].body)
    assert [p.name for p in parts] == ["workspaceId", "voiceProvider", "voiceName", "files"]
