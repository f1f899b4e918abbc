"""VoiceCloneWidget's "Prepare samples" without a browser: real preparation, real sandbox HTTP.

The samples are espeak-ng speech padded with silence (picked through the chunk protocol the
way the browser sends them); preparation runs in a worker thread under a running loop, the
players' audio comes back over the list view's comm, and the clone goes to the sandbox.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from ipywidgets.embed import dependency_state  # type: ignore[import-untyped]  # untyped
from support.browser_like import send_like_browser
from support.sandbox_http import sha256
from support.speech import speech

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_wav
from uponai_widgets import VoiceCloneWidget
from uponai_widgets._sizes import format_duration, format_size

SHORT = "Hello there. This is a short sentence for the voice cloning widget."


@pytest.fixture(scope="module")
def padded_speech(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """espeak-ng speech with 1.5 s of silence before and 1 s after, as WAV bytes."""
    folder = tmp_path_factory.mktemp("widget-prepare")
    voice, rate = sf.read(str(speech(folder / "short.wav", SHORT)), always_2d=True)
    signal = np.concatenate([np.zeros((round(1.5 * rate), 1)), voice * 0.1, np.zeros((rate, 1))])
    path = folder / "padded.wav"
    sf.write(str(path), signal, rate, subtype="PCM_16")
    return path.read_bytes()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sandbox: RunningSandbox) -> RunningSandbox:
    monkeypatch.setenv("UPONAI_BASE_URL", sandbox.url)
    monkeypatch.setenv("UPONAI_API_KEY", sandbox.token)
    return sandbox


def run(coro_factory: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return asyncio.run(coro_factory())


def prepared_files() -> set[Path]:
    """Every prepared file in this process's private temporary folder."""
    from uponai_widgets.audio import _prepare

    folder = _prepare._session_dir
    return set() if folder is None else set(folder.rglob("*.wav"))


def row(widget: VoiceCloneWidget, name: str) -> dict[str, Any]:
    (found,) = [r for r in widget.sample_list.view.rows if r["name"] == name]
    return found


async def settle(widget: VoiceCloneWidget, name: str, timeout: float = 30.0) -> dict[str, Any]:
    """Wait (on the loop, as the kernel does) until `name`'s preparation is no longer running."""
    for _ in range(int(timeout / 0.02)):
        if row(widget, name).get("prep_state") not in (None, "preparing"):
            return row(widget, name)
        await asyncio.sleep(0.02)
    raise AssertionError(f"{name} still preparing after {timeout} s")


def ask_audio(widget: VoiceCloneWidget, audio_id: str) -> tuple[list[dict[str, Any]], bytes]:
    """Ask for audio as the players do; returns the messages and the joined bytes."""
    sent: list[tuple[dict[str, Any], list[bytes]]] = []
    view = widget.sample_list.view
    original = view.send
    view.send = lambda content, buffers=None: sent.append((content, list(buffers or [])))
    try:
        view._handle_custom_msg({"type": "audio", "id": audio_id}, [])
    finally:
        view.send = original
    return [m for m, _ in sent], b"".join(b for _, bufs in sent for b in bufs)


def no_audio_in_state(widget: VoiceCloneWidget, *audio: bytes) -> None:
    state = dependency_state([widget])
    text = json.dumps(state)
    assert "UklGR" not in text  # base64 of "RIFF"
    assert "RIFF" not in text
    for model in state.values():
        assert not model.get("buffers")
    for data in audio:
        assert data[44:1044].hex() not in text


def test_toggle_on_prepares_in_a_thread_with_progress_and_players(padded_speech: bytes) -> None:
    widget = VoiceCloneWidget(workspace_id=11)
    assert widget.prepare_toggle.value is False
    assert "uponai-prepare" in widget.prepare_toggle._dom_classes
    send_like_browser(widget.picker, "take.wav", padded_speech)
    assert "prep_state" not in row(widget, "take.wav")  # off: nothing is prepared
    seen: list[dict[str, Any]] = []
    widget.sample_list.view.observe(lambda c: seen.extend(c["new"]), names="rows")

    async def scenario() -> dict[str, Any]:
        widget.prepare_toggle.value = True
        first = row(widget, "take.wav")
        assert first["prep_state"] == "preparing"  # started, not done inline: a worker thread
        return await settle(widget, "take.wav")

    done = run(scenario)
    assert done["prep_state"] == "ready", done.get("prep_text")
    fractions = [r["prep_progress"] for r in seen if r.get("prep_state") == "preparing"]
    assert any(0 < f < 1 for f in fractions)  # progress reached the row while it ran
    assert any("trimmed" in line for line in done["prep_changes"])
    assert done["prep_before_svg"].startswith("<svg")
    assert done["prep_after_svg"].startswith("<svg")
    prep = widget.sample_list.preparations.get(widget.sample_list.ready_refs()[0])
    assert prep is not None
    assert prep.prepared is not None
    prepared_bytes = prep.prepared.path.read_bytes()

    messages, after = ask_audio(widget, done["prep_after_audio"])
    assert after == prepared_bytes
    assert messages[-1]["final"] is True
    assert messages[-1]["mime"] == "audio/flac"
    _, before = ask_audio(widget, done["prep_before_audio"])
    assert before == padded_speech
    no_audio_in_state(widget, padded_speech, prepared_bytes)

    path = prep.prepared.path
    widget.close()
    assert not path.exists()  # close() removes the prepared files


def test_a_prepared_row_gives_the_size_and_length_of_what_clone_sends(
    padded_speech: bytes,
) -> None:
    widget = VoiceCloneWidget(workspace_id=11)
    send_like_browser(widget.picker, "take.wav", padded_speech)
    chosen = row(widget, "take.wav")
    original_length = sf.info(io.BytesIO(padded_speech)).duration
    assert chosen["size_text"] == format_size(len(padded_speech))
    assert chosen["duration_text"] == format_duration(original_length)

    async def scenario() -> dict[str, Any]:
        widget.prepare_toggle.value = True
        preparing = row(widget, "take.wav")
        assert preparing["size_text"] == chosen["size_text"]  # nothing to send yet but the file
        assert "prepared" not in widget.sample_list.view.footer
        return await settle(widget, "take.wav")

    done = run(scenario)
    assert done["prep_state"] == "ready"
    prep = widget.sample_list.preparations.get(widget.sample_list.ready_refs()[0])
    assert prep is not None
    assert prep.prepared is not None
    sent = prep.prepared.path
    sent_size, sent_length = sent.stat().st_size, sf.info(str(sent)).duration
    assert sent_length < original_length - 2  # the 2.5 s of silence were trimmed
    assert done["size_text"] == format_size(sent_size)
    assert done["duration_text"] == format_duration(sent_length)
    assert done["line_title"] == (
        f"Prepared: Clone sends {format_size(sent_size)}, {format_duration(sent_length)}. "
        f"The chosen file: {chosen['size_text']}, {chosen['duration_text']}."
    )
    assert widget.sample_list.view.footer == (
        f"1 file, {chosen['size_text']} in the kernel ({format_size(sent_size)} prepared)"
    )
    widget.prepare_toggle.value = False  # off: the row is the chosen file's again
    assert row(widget, "take.wav")["size_text"] == chosen["size_text"]
    assert "line_title" not in row(widget, "take.wav")
    assert "prepared" not in widget.sample_list.view.footer
    widget.close()


def test_cancel_leaves_no_file_and_clone_refuses(env: RunningSandbox, padded_speech: bytes) -> None:
    widget = VoiceCloneWidget(workspace_id=11)
    widget.form.inputs["name"].value = "Cancelled prep"
    send_like_browser(widget.picker, "take.wav", padded_speech)
    before = prepared_files()

    async def scenario() -> dict[str, Any]:
        widget.prepare_toggle.value = True
        widget.sample_list.view._handle_custom_msg(
            {"type": "cancel-prepare", "key": row(widget, "take.wav")["key"]}, []
        )
        return await settle(widget, "take.wav")

    done = run(scenario)
    assert done["prep_state"] == "cancelled"
    assert "cancelled" in done["prep_text"]
    assert prepared_files() - before == set()
    assert run(widget.clone) is None
    assert "take.wav was not prepared" in widget.error_message
    assert "Prepare samples off" in widget.error_message
    assert env.requests() == []
    widget.close()


def test_removing_the_row_while_preparing_leaves_no_file(padded_speech: bytes) -> None:
    widget = VoiceCloneWidget(workspace_id=11)
    send_like_browser(widget.picker, "take.wav", padded_speech)
    before = prepared_files()

    async def scenario() -> None:
        widget.prepare_toggle.value = True
        key = row(widget, "take.wav")["key"]
        widget.sample_list.view._handle_custom_msg({"type": "remove", "key": key}, [])
        assert widget.sample_list.view.rows == []
        await asyncio.sleep(1.0)  # let the worker thread finish or stop

    run(scenario)
    assert prepared_files() - before == set()
    widget.close()


def test_failed_preparation_is_shown_and_clone_refuses(env: RunningSandbox) -> None:
    widget = VoiceCloneWidget(workspace_id=11)
    widget.form.inputs["name"].value = "Tone"
    send_like_browser(widget.picker, "tone.wav", make_wav(seconds=3.0))

    async def scenario() -> dict[str, Any]:
        widget.prepare_toggle.value = True
        return await settle(widget, "tone.wav")

    done = run(scenario)
    assert done["prep_state"] == "failed"
    assert "no speech" in done["prep_text"]
    assert run(widget.clone) is None
    assert "tone.wav was not prepared (" in widget.error_message
    assert env.requests() == []
    widget.prepare_toggle.value = False  # off: the original is what Clone sends
    assert "prep_state" not in row(widget, "tone.wav")
    widget.close()


def test_clone_sends_the_prepared_file_and_removes_it(
    env: RunningSandbox, padded_speech: bytes
) -> None:
    widget = VoiceCloneWidget(workspace_id=11)
    widget.form.inputs["name"].value = "Prepared voice"
    send_like_browser(widget.picker, "take.wav", padded_speech)

    async def scenario() -> Any:
        widget.prepare_toggle.value = True
        widget.clone_button.click()  # before the preparation ends: Clone waits for it
        assert widget.task is not None
        return await widget.task

    made: list[tuple[Path, str]] = []  # each prepared file and its sha256, when it was written
    original = widget.sample_list.preparations._finish

    def spy(key: Any, prep: Any, outcome: Any) -> None:
        original(key, prep, outcome)
        if prep.prepared is not None:
            made.extend((p, sha256(p.read_bytes())) for p in prep.prepared.paths)

    widget.sample_list.preparations._finish = spy  # type: ignore[method-assign]  # test spy
    voice = run(scenario)
    assert voice is not None, widget.error_message
    ((prepared_path, digest),) = made
    (request,) = env.requests()
    stored = [(f["filename"], f["sha256"]) for f in request["files"]]
    assert stored == [(prepared_path.name, str(digest))]
    assert str(digest) != sha256(padded_speech)
    record = env.voice_record(voice.voice_id)
    assert [s["sha256"] for s in record["samples"]] == [str(digest)]
    assert not prepared_path.exists()  # removed after the clone
    assert widget.sample_list.view.rows == []
    widget.close()


def test_switching_off_deletes_the_prepared_file_and_clone_sends_the_original(
    env: RunningSandbox, padded_speech: bytes
) -> None:
    widget = VoiceCloneWidget(workspace_id=11)
    widget.form.inputs["name"].value = "Original voice"
    widget.set_samples([{"name": "entry.wav", "type": "audio/wav", "content": padded_speech}])

    async def scenario() -> Any:
        widget.prepare_toggle.value = True
        done = await settle(widget, "entry.wav")
        assert done["prep_state"] == "ready"
        _, before = ask_audio(widget, done["prep_before_audio"])
        assert before == padded_speech  # an in-memory entry plays from its content
        (prep,) = [widget.sample_list.preparations.get(r) for r in widget.sample_list.refs()]
        assert prep is not None
        assert prep.prepared is not None
        path = prep.prepared.path
        widget.prepare_toggle.value = False
        assert not path.exists()
        messages, data = ask_audio(widget, done["prep_after_audio"])
        assert data == b""
        assert "error" in messages[0]  # the player is told the audio is gone
        widget.clone_button.click()
        assert widget.prepare_toggle.disabled is True  # frozen while the clone runs
        assert widget.task is not None
        return await widget.task

    assert run(scenario) is not None, widget.error_message
    (request,) = env.requests()
    assert [f["sha256"] for f in request["files"]] == [sha256(padded_speech)]
    assert widget.prepare_toggle.disabled is False
    widget.close()
