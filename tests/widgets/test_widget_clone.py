"""VoiceCloneWidget without a browser: picker messages, Button.click() and trait assertions.

Clones run against the session sandbox (real HTTP); the busy/cancel/progress paths use a
controllable stand-in for `clone_voice_async` so the test decides when the upload finishes.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import os
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from support.browser_like import send_like_browser

import uponai_widgets.jupyter._clone_widget as clone_widget_module
from uponai_client import AuthenticatedClient
from uponai_client.models import Voice
from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_wav
from uponai_widgets import AudioPicker, Connection, VoiceCard, VoiceCloneWidget
from uponai_widgets.jupyter._samples_html import EMPTY_SELECTION_HINT


def run(coro_factory: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return asyncio.run(coro_factory())


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sandbox: RunningSandbox) -> RunningSandbox:
    monkeypatch.setenv("UPONAI_BASE_URL", sandbox.url)
    monkeypatch.setenv("UPONAI_API_KEY", sandbox.token)
    return sandbox


def pick(widget: VoiceCloneWidget, *wavs: tuple[str, bytes]) -> None:
    for name, data in wavs:
        send_like_browser(widget.picker, name, data)


def test_css_classes_for_tests_are_present() -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    expected = {
        widget.picker: "uponai-picker",
        widget.sample_list.view: "uponai-samples",
        widget.form.inputs["name"]: "uponai-name",
        widget.form.inputs["provider"]: "uponai-provider",
        widget.form.inputs["workspace_id"]: "uponai-workspace",
        widget.form.advanced: "uponai-advanced",
        widget.clone_button: "uponai-clone",
        widget.cancel_button: "uponai-cancel",
        widget.progress: "uponai-progress",
        widget.error: "uponai-error",
    }
    for child, css in expected.items():
        assert css in child._dom_classes
    assert widget.picker.multiple is True
    assert "audio/*" in widget.picker.accept
    assert "uponai-files" in widget.picker._esm  # the chooser button's class, set in the view
    assert widget.form.inputs["workspace_id"].value == "1"


def test_picked_files_are_listed_from_disk_and_synced_state_has_no_audio() -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    wav = make_wav(seconds=1.5, rate=8000)
    pick(widget, ("one.wav", wav), ("two.wav", make_wav(seconds=0.5, rate=8000)))
    state = widget.picker.get_state()
    state = {k: v for k, v in state.items() if k not in ("_esm", "_css")}  # code, not data
    assert [f["name"] for f in state["files"]] == ["one.wav", "two.wav"]
    assert {f["state"] for f in state["files"]} == {"ready"}
    assert "content" not in str(state)
    assert "RIFF" not in str(state)
    stored = widget.picker.samples
    assert stored[0].path.read_bytes() == wav
    assert [s.name for s in widget.samples] == ["one.wav", "two.wav"]
    assert widget.samples[0].duration == pytest.approx(1.5)
    rows = widget.sample_list.view.rows  # one row per sample
    assert [(r["name"], r["state"], r["duration_text"]) for r in rows] == [
        ("one.wav", "ready", "0:01.5"),
        ("two.wav", "ready", "0:00.5"),
    ]


def test_no_samples_asks_for_files(env: RunningSandbox) -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    widget.form.inputs["name"].value = "Nobody"
    assert run(widget.clone) is None
    assert "Choose audio files" in widget.error_message
    assert "10 MiB" not in widget.error_message
    assert widget.error.layout.display == "block"
    assert EMPTY_SELECTION_HINT[:40] in widget.error_message
    assert env.requests() == []


def test_validation_problems_inline_and_nothing_sent(env: RunningSandbox) -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    wav = make_wav(seconds=0.5)
    pick(widget, ("a.wav", wav), ("b.wav", wav), ("notes.txt", b"hello, not audio"))
    widget.form.inputs["name"].value = "   "
    widget.form.inputs["workspace_id"].value = "abc"
    widget.form.inputs["actor_type"].value = "platform_admin"
    assert run(widget.clone) is None
    message = widget.error_message
    # Workspace, name, duplicate content, not audio and the missing impersonation reason:
    # all named on the first click, fields by the form's labels.
    assert "Workspace id: must be a positive integer" in message
    assert "Voice name: required" in message
    assert "notes.txt" in message
    assert "b.wav" in message
    assert "Impersonation reason: required when actor_type is platform_admin" in message
    assert env.requests() == []
    assert widget.clone_button.disabled is False


def test_click_clones_against_sandbox_and_shows_card(env: RunningSandbox) -> None:
    widget = VoiceCloneWidget(workspace_id=3, provider="elevenlabs")
    one, two = make_wav(seconds=1.0, freq=300), make_wav(seconds=1.0, freq=500)
    pick(widget, ("one.wav", one), ("two.wav", two))
    widget.form.inputs["name"].value = "Widget voice"

    async def scenario() -> Any:
        widget.clone_button.click()
        assert widget.task is not None
        assert widget.clone_button.disabled is True
        return await widget.task

    voice = run(scenario)
    assert isinstance(voice, Voice)
    assert widget.voice is voice
    assert widget.voices == [voice]
    assert widget.error_message == ""
    assert widget.clone_button.disabled is False
    assert widget.cancel_button.disabled is True
    assert widget.progress.value == widget.progress.max
    assert widget.progress.max >= len(one) + len(two)
    card = widget.result.children[0]
    assert isinstance(card, VoiceCard)
    assert voice.voice_id in card.value
    (request,) = env.requests()
    received = sorted((f["filename"], f["sha256"]) for f in request["files"])
    assert received == [
        ("one.wav", hashlib.sha256(one).hexdigest()),
        ("two.wav", hashlib.sha256(two).hexdigest()),
    ]
    assert widget.samples == []  # consumed
    assert widget.picker.samples == ()
    assert list(widget.picker.store.directory.iterdir()) == []  # temporary files removed


def test_wrong_token_shows_readable_401(
    monkeypatch: pytest.MonkeyPatch, env: RunningSandbox
) -> None:
    wrong = "wrong-token-0123456789"
    monkeypatch.setenv("UPONAI_API_KEY", wrong)
    widget = VoiceCloneWidget(workspace_id=1)
    pick(widget, ("one.wav", make_wav()))
    widget.form.inputs["name"].value = "Denied"
    widget.form.inputs["actor_type"].value = "platform_admin"
    widget.form.inputs["impersonation_reason"].value = "support ticket 42"
    assert run(widget.clone) is None
    message = widget.error_message
    assert "401" in message
    assert "Traceback" not in message
    assert wrong not in message
    assert widget.form.inputs["impersonation_reason"].value == ""
    assert widget.voice is None
    assert [s.name for s in widget.samples] == ["one.wav"]  # kept for a retry


async def until(condition: Callable[[], bool]) -> None:
    """Return once `condition()` holds (callers bound the wait)."""
    while not condition():
        await asyncio.sleep(0.01)


class Gate:
    """A stand-in for clone_voice_async that reports progress and waits to be released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, connection: Any, **kwargs: Any) -> Voice:
        self.calls.append(kwargs)
        on_progress = kwargs["on_progress"]
        total = sum(os.path.getsize(path) for _name, path, _mime in kwargs["samples"])
        on_progress(0, total)
        on_progress(total // 2, total)
        self.started.set()
        await self.release.wait()
        on_progress(total, total)
        return Voice(voice_id="v_gate", name=kwargs["name"], created_at=datetime.datetime.now())


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Gate:
    fake = Gate()
    monkeypatch.setattr(clone_widget_module, "clone_voice_async", fake)
    unused = AuthenticatedClient(base_url="http://127.0.0.1:9", token="unused-token")
    monkeypatch.setattr(clone_widget_module, "connect", lambda: Connection(unused))
    return fake


def test_busy_disables_controls_no_double_clone_and_progress(gate: Gate) -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    wav = make_wav(seconds=1.0)
    pick(widget, ("one.wav", wav))
    widget.form.inputs["name"].value = "Gated"

    async def scenario() -> None:
        widget.clone_button.click()
        await asyncio.wait_for(gate.started.wait(), 5)
        assert widget.busy
        assert widget.clone_button.disabled is True
        assert widget.cancel_button.disabled is False
        assert widget.picker.disabled is False  # files chosen now are for the next clone
        assert widget.form.inputs["name"].disabled is True
        assert widget.progress.max == len(wav)
        # Reported right after the first value: shown once the bar's interval has passed.
        assert widget.progress.value == 0
        await asyncio.wait_for(until(lambda: widget.progress.value == len(wav) // 2), 5)
        assert "/" in widget.progress_label.value
        first = widget.task
        widget.clone_button.click()  # a second click while busy is ignored
        assert widget.task is first
        gate.release.set()
        assert widget.task is not None
        await widget.task

    run(scenario)
    assert len(gate.calls) == 1
    assert widget.progress.value == widget.progress.max == len(wav)
    assert widget.voice.voice_id == "v_gate"
    assert widget.clone_button.disabled is False
    assert widget.picker.disabled is False
    # A second clone (new samples) is added to widget.voices; widget.voice is the latest.
    pick(widget, ("two.wav", make_wav(seconds=0.3)))
    widget.form.inputs["name"].value = "Gated again"
    gate.release.set()
    second = run(widget.clone)
    assert second.name == "Gated again"
    assert widget.voice is second
    assert [v.name for v in widget.voices] == ["Gated", "Gated again"]


def test_cancel_stops_the_clone_and_reenables(gate: Gate) -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    pick(widget, ("one.wav", make_wav()))
    widget.form.inputs["name"].value = "Cancelled"

    async def scenario() -> None:
        widget.clone_button.click()
        await asyncio.wait_for(gate.started.wait(), 5)
        widget.cancel_button.click()
        assert widget.task is not None
        with pytest.raises(asyncio.CancelledError):
            await widget.task

    run(scenario)
    assert widget.voice is None
    assert "Cancelled" in widget.status.value
    assert widget.clone_button.disabled is False
    assert widget.cancel_button.disabled is True
    assert [s.name for s in widget.samples] == ["one.wav"]


def test_unexpected_error_is_one_line_without_token(
    monkeypatch: pytest.MonkeyPatch, gate: Gate
) -> None:
    monkeypatch.setenv("UPONAI_API_KEY", "secret-token-xyz")

    async def boom(connection: Any, **kwargs: Any) -> Voice:
        raise RuntimeError("socket said secret-token-xyz")

    monkeypatch.setattr(clone_widget_module, "clone_voice_async", boom)
    widget = VoiceCloneWidget(workspace_id=1)
    pick(widget, ("one.wav", make_wav()))
    widget.form.inputs["name"].value = "Boom"
    assert run(widget.clone) is None
    assert "RuntimeError" in widget.error_message
    assert "secret-token-xyz" not in widget.error_message
    assert "[redacted]" in widget.error_message


def test_click_outside_an_event_loop_explains() -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    widget.clone_button.click()
    assert widget.task is None
    assert "event loop" in widget.error_message or "asyncio loop" in widget.error_message


def test_picker_never_serialises_audio_towards_the_front_end() -> None:
    picker = AudioPicker()
    wav = make_wav(seconds=0.2)
    send_like_browser(picker, "a.wav", wav)
    picker.value = ({"name": "b.wav", "type": "audio/wav", "content": memoryview(wav)},)
    assert picker.value == ()
    assert [f.path.read_bytes() for f in picker.samples] == [wav, wav]  # the kernel got it...
    state, _paths, buffers = ipywidgets_state(picker)
    assert [f["name"] for f in state["files"]] == ["a.wav", "b.wav"]
    assert buffers == []  # ...and never sends it back out
    assert "value" not in state
    assert "samples" not in state
    picker.close()
    assert not picker.store.directory.exists()


def ipywidgets_state(widget: Any) -> tuple[dict[str, Any], list[Any], list[Any]]:
    from ipywidgets.widgets.widget import _remove_buffers

    state, paths, buffers = _remove_buffers(widget.get_state())
    return state, paths, buffers


def test_missing_token_is_named_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UPONAI_API_KEY", raising=False)
    widget = VoiceCloneWidget(workspace_id=1)
    pick(widget, ("one.wav", make_wav()))
    widget.form.inputs["name"].value = "No token"
    assert run(widget.clone) is None
    assert "UPONAI_API_KEY" in widget.error_message
    assert "Traceback" not in widget.error_message
    assert widget.clone_button.disabled is False


def test_upload_bar_moves_a_few_times_a_second_and_ends_on_the_latest_value() -> None:
    """A burst of reports moves the bar once per interval; the latest value is shown after it
    even when no report follows (the bar of a stalled upload says how far it got)."""
    widget = VoiceCloneWidget(workspace_id=1)
    moves: list[int] = []
    widget.progress.observe(lambda change: moves.append(change["new"]), names="value")
    total = 1_000_000

    async def scenario() -> None:
        widget.upload_bar.reset()
        moves.clear()
        for sent in range(1000, total // 2 + 1, 1000):  # 500 reports in a burst
            widget.upload_bar.report(sent, total)
        assert moves == [1000]
        await asyncio.wait_for(until(lambda: moves[-1] == total // 2), 5)
        await asyncio.sleep(0.3)  # nothing more to show: no further move
        assert moves == [1000, total // 2]
        assert widget.progress_label.value == "488.3 KiB / 976.6 KiB"
        widget.upload_bar.report(total, total)  # the end is shown at once
        assert moves[-1] == total

    run(scenario)
