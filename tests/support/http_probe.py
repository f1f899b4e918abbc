"""Run the security scenarios against the `uponai_client` found in argv[1]; print JSON.

Run in a subprocess (`python -m support.http_probe DIR`, with DIR first on PYTHONPATH) so the
committed client and an unfixed generation can both be probed.
"""

from __future__ import annotations

import io
import json
import sys

import uponai_client
from support.capture_server import CaptureServer, boundary_of, parse_multipart
from uponai_client import AuthenticatedClient
from uponai_client.api.voices import clone_voice
from uponai_client.models import CloneVoiceBody
from uponai_client.types import File

INJECTION = (
    b"RIFF\x00\x00\x00\x00WAVE"
    b'\r\n--+++\r\nContent-Disposition: form-data; name="workspaceId"\r\n\r\n666'
    b"\r\n--+++--\r\n"
)
TOKEN = "sk-probe-secret-123"


def main() -> None:
    assert uponai_client.__file__.startswith(sys.argv[1]), uponai_client.__file__
    with CaptureServer() as server:
        client = AuthenticatedClient(base_url=server.url, token=TOKEN)
        repr_before = repr(client) + str(client)
        for _ in range(2):
            body = CloneVoiceBody(
                workspace_id=7,
                voice_provider="elevenlabs",
                voice_name="Ada",
                files=[
                    File(payload=io.BytesIO(INJECTION), file_name="a.wav", mime_type="audio/wav")
                ],
            )
            clone_voice.sync_detailed(client=client, body=body)
        repr_after = repr(client) + str(client)
    first = server.requests[0]
    parts = parse_multipart(first.headers["content-type"], first.body)
    print(
        json.dumps(
            {
                "parts": [[p.name, p.filename] for p in parts],
                "workspace_ids": [p.data.decode() for p in parts if p.name == "workspaceId"],
                "boundaries": [boundary_of(r.headers["content-type"]) for r in server.requests],
                "token_in_repr_before": TOKEN in repr_before,
                "token_in_repr_after": TOKEN in repr_after,
            }
        )
    )


if __name__ == "__main__":
    main()
