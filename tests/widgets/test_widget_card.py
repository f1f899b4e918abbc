"""VoiceCard, the Voice HTML formatter and the pure sample helpers (no kernel, no browser)."""

from __future__ import annotations

import datetime
import html
import subprocess
import sys

import pytest
from IPython.core.formatters import DisplayFormatter

from uponai_client.models import Voice
from uponai_devtools.wav import make_wav
from uponai_widgets import VoiceCard
from uponai_widgets._errors import redact
from uponai_widgets._sizes import format_duration, format_size
from uponai_widgets.jupyter._card import playable_url, voice_card_html
from uponai_widgets.jupyter._card_html import register_voice_formatter, voice_html
from uponai_widgets.jupyter._samples_html import (
    EMPTY_SELECTION_HINT,
    describe_upload_entry,
    wav_duration,
)


def full_voice(**overrides: object) -> Voice:
    fields: dict[str, object] = {
        "voice_id": "vc_123abc",
        "name": "Narrator",
        "gender": "female",
        "language": "en-GB",
        "accent": "british",
        "description": "Calm narration",
        "provider": "elevenlabs",
        "preview_url": "http://127.0.0.1:9/preview/abc.wav",
        "playback_override_url": None,
        "tags": ["calm", "clone"],
        "created_at": datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC),
        "updated_at": None,
    }
    fields.update(overrides)
    return Voice(**fields)  # type: ignore[arg-type]  # test helper passes loosely typed fields


def test_card_shows_every_field_and_preview_player() -> None:
    card = voice_card_html(full_voice())
    for text in ("Narrator", "vc_123abc", "female", "en-GB", "british", "Calm narration"):
        assert text in card
    assert "elevenlabs" in card
    assert "calm, clone" in card
    # A readable time (UTC until the browser localizes it), machine time in the attribute.
    assert 'datetime="2026-11-25T12:00:00+00:00"' in card
    assert ">25 Nov 2026, 12:00 UTC</time>" in card
    assert '<audio class="uponai-audio" controls' in card
    assert 'src="http://127.0.0.1:9/preview/abc.wav"' in card
    # updatedAt is None: left out, not shown as "None" or "missing"
    assert "None" not in card
    assert "Updated" not in card
    assert "missing" not in card
    assert 'class="uponai-voice-id"' in card


def test_card_prefers_playback_override_url() -> None:
    voice = full_voice(playback_override_url="https://cdn.example/override.mp3")
    assert playable_url(voice) == "https://cdn.example/override.mp3"
    assert 'src="https://cdn.example/override.mp3"' in voice_card_html(voice)


def test_card_leaves_out_fields_the_api_did_not_send_and_has_no_player() -> None:
    card = voice_card_html(Voice(voice_id="v1", name="Bare"))
    for label in ("Provider", "Language", "Accent", "Gender", "Tags", "Created", "Updated"):
        assert f"<th>{label}</th>" not in card
    assert "missing" not in card
    assert "<audio" not in card
    assert "Unset" not in card
    assert "uponai-copy" in card  # the id is there, with its copy button


def test_widget_card_and_display_card_are_the_same_card() -> None:
    voice = full_voice()
    shown = voice_html(voice)
    assert VoiceCard(voice).value in shown
    assert shown.count("<style>") == 1  # the one card style travels with the card
    assert ".uponai-voice" in shown
    assert "var(--jp-" in shown  # theme colours, not fixed ones


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:audio/wav;base64,AAAA", "/rel.wav"])
def test_card_refuses_non_http_audio_urls(url: str) -> None:
    voice = full_voice(preview_url=url)
    assert playable_url(voice) is None
    assert url not in voice_card_html(voice)


def test_card_escapes_everything() -> None:
    evil = '<script>alert("x")</script>'
    voice = full_voice(
        name=evil,
        voice_id='"><img src=x onerror=alert(1)>',
        description=evil,
        tags=[evil],
        preview_url='http://127.0.0.1/a.wav" onerror="alert(1)',
    )
    card = voice_card_html(voice)
    assert "<script>" not in card
    assert "<img" not in card
    assert html.escape(evil) in card
    assert 'onerror="alert(1)' not in card


def test_voice_card_widget_has_class_and_voice() -> None:
    voice = full_voice()
    card = VoiceCard(voice)
    assert "uponai-card" in card._dom_classes
    assert card.voice is voice
    assert "vc_123abc" in card.value


def test_html_formatter_registered_by_name_renders_voice() -> None:
    class Shell:
        display_formatter = DisplayFormatter()

    shell = Shell()
    assert register_voice_formatter(shell)
    data, _ = shell.display_formatter.format(full_voice(name="<b>x</b>"))
    assert data["text/html"] == voice_html(full_voice(name="<b>x</b>"))
    assert "&lt;b&gt;x&lt;/b&gt;" in data["text/html"]
    assert data["text/html"].startswith('<div class="uponai-card">')


def test_register_without_ipython_is_a_no_op() -> None:
    assert register_voice_formatter() is False


def test_sizes_and_durations() -> None:
    assert format_size(512) == "512 B"
    assert format_size(1536) == "1.5 KiB"
    assert format_size(50 * 1024 * 1024) == "50.0 MiB"
    assert format_duration(None) == "\u2014"
    assert format_duration(61.25) == "1:01.2"


def test_wav_duration_and_upload_entry_description() -> None:
    wav = make_wav(seconds=2.0, rate=8000)
    assert wav_duration(wav) == pytest.approx(2.0)
    assert wav_duration(b"ID3\x03" + b"\x00" * 100) is None
    assert wav_duration(b"RIFF\x00\x00\x00\x00WAVEjunk") is None
    entry = {"name": "a.wav", "type": "audio/wav", "size": len(wav), "content": memoryview(wav)}
    info = describe_upload_entry(entry)
    assert (info.name, info.size, info.mime) == ("a.wav", len(wav), "audio/wav")
    assert info.duration == pytest.approx(2.0)
    unknown = describe_upload_entry({"name": "<x>.mp3", "content": b"ID3"})
    assert (unknown.name, unknown.size, unknown.duration) == ("<x>.mp3", 3, None)


def test_hint_asks_for_files_without_a_size_ceiling() -> None:
    assert "Choose audio files" in EMPTY_SELECTION_HINT
    assert "10 MiB" not in EMPTY_SELECTION_HINT


def test_redact_is_the_core_one_and_covers_short_secrets() -> None:
    assert redact("token abcdef leaked", ["abcdef", None, ""]) == "token [redacted] leaked"
    assert "abc" not in redact("short abc here", ["abc"])  # the widget's copy skipped < 4 chars


def test_display_module_does_not_import_ipywidgets() -> None:
    code = "import sys, uponai_widgets.jupyter._card_html; print('ipywidgets' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
