"""The widget keeps secrets out of what it shows: its connection's token and the reason."""

from __future__ import annotations

import asyncio
import traceback
from typing import Any

import pytest

import uponai_widgets.jupyter._clone_widget as clone_widget_module
from uponai_client import AuthenticatedClient
from uponai_client.models import Voice
from uponai_devtools.wav import make_wav
from uponai_widgets import Connection, Secret, VoiceCloneWidget

TOKEN = "conn-tok"  # short on purpose: the widget's old redaction skipped short secrets
REASON = "ticket 77: the customer asked"


def feed(widget: VoiceCloneWidget, name: str, data: bytes) -> None:
    picker = widget.picker
    begin = {"type": "begin", "id": name, "name": name, "size": len(data), "mime": "audio/wav"}
    picker._on_chunk_message(picker, begin, [])
    chunk = {"type": "chunk", "id": name, "offset": 0}
    picker._on_chunk_message(picker, chunk, [memoryview(data)])
    picker._on_chunk_message(picker, {"type": "end", "id": name}, [])


def test_errors_are_redacted_with_the_connections_own_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UPONAI_API_KEY", "some-other-env-token")

    async def leaky(connection: Any, **kwargs: Any) -> Voice:
        raise RuntimeError(f"proxy said: Authorization: Bearer {TOKEN}")

    monkeypatch.setattr(clone_widget_module, "clone_voice_async", leaky)
    client = AuthenticatedClient(base_url="http://127.0.0.1:9", token=TOKEN)
    widget = VoiceCloneWidget(Connection(client), workspace_id=1)
    feed(widget, "one.wav", make_wav())
    widget.form.inputs["name"].value = "Leaky"
    assert asyncio.run(widget.clone()) is None
    assert "RuntimeError" in widget.error_message
    assert TOKEN not in widget.error_message
    assert "[redacted]" in widget.error_message


def test_repr_holds_no_reason_token_or_sample_bytes() -> None:
    client = AuthenticatedClient(base_url="http://127.0.0.1:9", token=TOKEN)
    widget = VoiceCloneWidget(client, workspace_id=1)
    widget.form.inputs["name"].value = "Repr voice"
    widget.form.inputs["actor_type"].value = "platform_admin"
    widget.form.inputs["impersonation_reason"].value = REASON  # typed, not yet clicked
    wav = make_wav(seconds=0.2)
    widget.set_samples([{"name": "mem.wav", "type": "audio/wav", "content": wav}])
    feed(widget, "picked.wav", wav)
    text = repr(widget)
    assert "Repr voice" in text
    assert REASON not in text
    assert TOKEN not in text
    assert "RIFF" not in text
    assert "\\x00" not in text
    widget.close()


def test_the_reason_is_a_secret_in_every_frame_of_the_widget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From the click to the upload the widget holds the reason as a `Secret`: a traceback that
    shows every frame's local variables (here an interrupt during the upload) never shows it."""
    handed: dict[str, Any] = {}

    async def interrupted(connection: Any, **kwargs: Any) -> Voice:
        handed.update(kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(clone_widget_module, "clone_voice_async", interrupted)
    client = AuthenticatedClient(base_url="http://127.0.0.1:9", token=TOKEN)
    widget = VoiceCloneWidget(Connection(client), workspace_id=1)
    feed(widget, "one.wav", make_wav())
    widget.form.inputs["name"].value = "Admin voice"
    widget.form.inputs["actor_type"].value = "platform_admin"
    widget.form.inputs["impersonation_reason"].value = REASON
    with pytest.raises(KeyboardInterrupt) as info:
        asyncio.run(widget.clone())
    assert isinstance(handed["impersonation_reason"], Secret)
    assert handed["impersonation_reason"].reveal() == REASON
    shown = traceback.TracebackException.from_exception(info.value, capture_locals=True)
    text = "".join(shown.format())
    assert "in _upload" in text
    assert "in _clone" in text
    assert REASON not in text
    widget.close()
