"""Voices and samples survive a restart; crash leftovers are cleaned up, never served."""

from __future__ import annotations

from pathlib import Path

import httpx
from support.sandbox_http import assert_valid_voice, clone, sha256, sha256_file

from uponai_devtools.sandbox import SandboxFactory
from uponai_devtools.wav import make_wav


def test_voices_survive_a_restart(sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = sandbox_factory(data_dir)
    samples = {
        "alpha": [("a1.wav", make_wav(0.3, freq=300)), ("a2.wav", make_wav(0.2, freq=310))],
        "beta": [("b1.wav", make_wav(0.25, freq=600))],
    }
    created = {}
    for name, files in samples.items():
        response = clone(
            first, files, fields={"workspaceId": "3", "voiceProvider": "p", "voiceName": name}
        )
        assert response.status_code == 201
        created[name] = response.json()
    sandbox_factory.stop(first)

    # What a crash could leave behind: a half-received upload and a directory never committed.
    (data_dir / "tmp" / "half-received").mkdir()
    (data_dir / "tmp" / "half-received" / "000.sample").write_bytes(b"RIFF....")
    (data_dir / "voices" / "voice_never_committed").mkdir()
    (data_dir / "voices" / "voice_never_committed" / "000.sample").write_bytes(b"RIFF....")

    second = sandbox_factory(data_dir)
    assert second.pid != first.pid
    assert sorted(second.voice_ids()) == sorted(voice["voiceId"] for voice in created.values())
    for name, voice in created.items():
        record = second.voice_record(voice["voiceId"])
        assert record["name"] == name
        sent = [sha256(data) for _, data in samples[name]]
        assert [sha256_file(Path(s["path"])) for s in record["samples"]] == sent
        # the preview token is stored: the same path plays on the new server
        path = voice["previewUrl"].split("/preview/", 1)[1]
        preview = httpx.get(f"{second.url}/preview/{path}")
        assert preview.status_code == 200
        assert preview.content == samples[name][0][1]
    assert list((data_dir / "tmp").iterdir()) == []
    assert not (data_dir / "voices" / "voice_never_committed").exists()

    # and it keeps working
    response = clone(second, [("c.wav", make_wav(0.1))])
    assert response.status_code == 201
    assert_valid_voice(response.json())
