"""The generated `uponai_client` clones a voice against the sandbox, headers included."""

from __future__ import annotations

import io

from support.sandbox_http import assert_valid_voice, sha256

from uponai_client import AuthenticatedClient
from uponai_client.api.voices import clone_voice
from uponai_client.models import CloneVoiceBody, Voice
from uponai_client.models.clone_voice_x_actor_type import CloneVoiceXActorType
from uponai_client.types import File
from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_wav


def test_generated_client_clones_a_voice(sandbox: RunningSandbox) -> None:
    samples = [make_wav(0.3, freq=440), make_wav(0.4, freq=550)]
    body = CloneVoiceBody(
        workspace_id=11,
        voice_provider="elevenlabs",
        voice_name="Generated client voice",
        files=[
            File(payload=io.BytesIO(data), file_name=f"s{i}.wav", mime_type="audio/wav")
            for i, data in enumerate(samples)
        ],
    )
    with AuthenticatedClient(base_url=sandbox.url, token=sandbox.token) as client:
        response = clone_voice.sync_detailed(
            client=client,
            body=body,
            x_actor_type=CloneVoiceXActorType.PROVIDER_ADMIN,
            x_provider_id=5,
            x_tenant_id=99,
            x_impersonation_reason="support ticket 1234",
        )
    assert response.status_code == 201, response.content
    voice = response.parsed
    assert isinstance(voice, Voice)
    assert voice.name == "Generated client voice"
    assert voice.voice_id.startswith("voice_")
    assert_valid_voice(voice.to_dict())

    record = sandbox.voice_record(voice.voice_id)
    assert [s["sha256"] for s in record["samples"]] == [sha256(d) for d in samples]
    assert record["workspace_id"] == 99
    assert record["requested_workspace_id"] == 11
    assert record["workspace_source"] == "X-Tenant-Id"
    assert record["actor_type"] == "provider_admin"
    assert record["provider_id"] == 5
