"""The selection is the contract: a click on Clone while files arrive waits and sends exactly them.

No browser: the picker gets the messages its front end sends (``select`` with the whole
selection first, then ``begin`` / ``chunk`` / ``end`` per file); clones go to the sandbox.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest
from support.speech import READING, speech

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_wav
from uponai_widgets import AudioPicker, VoiceCloneWidget

CHUNK = 1000


def msg(picker: AudioPicker, content: dict[str, Any], data: bytes | None = None) -> None:
    buffers = [memoryview(bytearray(data))] if data is not None else []
    picker._on_chunk_message(picker, content, buffers)


def select(picker: AudioPicker, files: dict[str, bytes]) -> None:
    entries = [
        {"id": name, "name": name, "size": len(data), "mime": "audio/wav"}
        for name, data in files.items()
    ]
    msg(picker, {"type": "select", "selection": "s", "files": entries})


def send(
    picker: AudioPicker, name: str, data: bytes, start: int = 0, stop: int | None = None
) -> None:
    """Send bytes [start, stop) of `name`; `end` once the last byte went."""
    stop = len(data) if stop is None else stop
    if start == 0:
        msg(picker, {"type": "begin", "id": name, "name": name, "size": len(data)})
    for offset in range(start, stop, CHUNK):
        piece = data[offset : min(offset + CHUNK, stop)]
        msg(picker, {"type": "chunk", "id": name, "offset": offset}, piece)
    if stop == len(data):
        msg(picker, {"type": "end", "id": name})


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sandbox: RunningSandbox) -> RunningSandbox:
    monkeypatch.setenv("UPONAI_BASE_URL", sandbox.url)
    monkeypatch.setenv("UPONAI_API_KEY", sandbox.token)
    return sandbox


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_click_while_arriving_waits_then_sends_exactly_the_chosen_set(env: RunningSandbox) -> None:
    one = make_wav(seconds=1.0, freq=300)
    long = make_wav(seconds=20.0, freq=200)  # 320044 bytes at 8 kHz
    later = make_wav(seconds=0.5, freq=500)
    widget = VoiceCloneWidget(workspace_id=3)
    picker = widget.picker
    select(picker, {"one.wav": one, "ada_long.wav": long})
    assert [r["name"] for r in widget.sample_list.view.rows] == ["one.wav", "ada_long.wav"]
    send(picker, "one.wav", one)
    part = int(len(long) * 0.35) // CHUNK * CHUNK + CHUNK  # just over 35 %
    send(picker, "ada_long.wav", long, 0, part)
    widget.form.inputs["name"].value = "Arriving"
    percent = int(100 * part / len(long))

    async def scenario() -> Any:
        widget.clone_button.click()
        await asyncio.sleep(0.3)
        assert widget.busy
        assert (
            f"Uploading 2 samples and cloning as they arrive: waiting for ada_long.wav "
            f"({percent} %)"
        ) in widget.status.value
        # The upload did not wait: what has landed is on its way (the bar shows it).
        assert len(one) < widget.progress.value < len(one) + part + 2000
        assert widget.error_message == ""
        assert widget.cancel_button.disabled is False
        # A file chosen after the click belongs to the next clone.
        select(picker, {"later.wav": later})
        send(picker, "later.wav", later)
        await asyncio.sleep(0.15)
        send(picker, "ada_long.wav", long, part)
        assert widget.task is not None
        return await asyncio.wait_for(widget.task, 60)

    voice = asyncio.run(scenario())
    assert voice is not None, widget.error_message
    (request,) = env.requests()
    assert sorted((f["filename"], f["sha256"]) for f in request["files"]) == sorted(
        [("one.wav", sha(one)), ("ada_long.wav", sha(long))]
    )
    assert "from 2 samples" in widget.status.value
    # The later file is kept (not cancelled) for the next clone.
    assert [s.name for s in widget.samples] == ["later.wav"]
    assert [r["name"] for r in widget.sample_list.view.rows] == ["later.wav"]
    assert widget.picker.samples[0].path.read_bytes() == later
    widget.close()


def test_a_chosen_file_that_fails_to_arrive_stops_the_clone(env: RunningSandbox) -> None:
    one = make_wav(seconds=1.0)
    long = make_wav(seconds=2.0)
    widget = VoiceCloneWidget(workspace_id=3)
    picker = widget.picker
    select(picker, {"one.wav": one, "ada_long.wav": long})
    send(picker, "one.wav", one)
    send(picker, "ada_long.wav", long, 0, 5 * CHUNK)
    widget.form.inputs["name"].value = "Never"

    async def scenario() -> Any:
        widget.clone_button.click()
        await asyncio.sleep(0.3)
        assert "waiting for ada_long.wav" in widget.status.value
        # The browser gives up on it (e.g. the file became unreadable).
        msg(picker, {"type": "abort", "id": "ada_long.wav", "reason": "the file could not be read"})
        assert widget.task is not None
        return await asyncio.wait_for(widget.task, 10)

    assert asyncio.run(scenario()) is None
    message = widget.error_message
    assert "ada_long.wav did not arrive: the file could not be read" in message
    assert "no voice was created" in message
    # The upload had started; it stopped before the body's end: never a voice from a subset.
    assert env.voices("Never") == []
    (request,) = env.requests()
    assert (request["complete"], request["error"]) == (False, "client_disconnected")
    assert len(one) < request["bodyBytes"] < len(one) + len(long)
    assert widget.clone_button.disabled is False
    assert [s.name for s in widget.samples] == ["one.wav"]  # the arrived one stays
    rows = {r["name"]: r for r in widget.sample_list.view.rows}
    assert rows["ada_long.wav"]["state"] == "failed"
    widget.close()


def test_no_samples_and_no_name_are_both_reported_on_the_first_click(env: RunningSandbox) -> None:
    widget = VoiceCloneWidget(workspace_id=None)
    widget.form.inputs["workspace_id"].value = ""
    widget.form.inputs["name"].value = ""
    assert asyncio.run(widget.clone()) is None
    message = widget.error_message
    assert "No audio samples" in message
    assert "name" in message
    assert "Workspace id: required" in message
    assert message.count("<li>") == 3
    assert env.requests() == []


def test_each_clone_starts_with_fresh_status_and_progress(env: RunningSandbox) -> None:
    widget = VoiceCloneWidget(workspace_id=3)
    wav = make_wav(seconds=1.0)
    select(widget.picker, {"a.wav": wav})
    send(widget.picker, "a.wav", wav)
    widget.form.inputs["name"].value = "First"
    assert asyncio.run(widget.clone()) is not None
    assert widget.progress.value == widget.progress.max > 1
    widget.form.inputs["name"].value = ""
    assert asyncio.run(widget.clone()) is None  # nothing chosen, no name
    assert "Cloned voice" not in widget.status.value
    assert widget.progress.value == 0
    assert widget.progress_label.value == ""
    assert len(widget.result.children) == 1  # the first card stays
    widget.close()


@pytest.mark.slow
def test_a_short_take_counts_toward_a_long_enough_set_in_its_row(tmp_path: Path) -> None:
    widget = VoiceCloneWidget(workspace_id=3)
    takes = {
        "short.wav": speech(tmp_path / "short.wav").read_bytes(),  # about 8 s of speech
        "long-1.wav": speech(tmp_path / "l1.wav", " ".join(READING)).read_bytes(),
        "long-2.wav": speech(tmp_path / "l2.wav", " ".join(reversed(READING))).read_bytes(),
    }
    select(widget.picker, takes)
    for name, data in takes.items():
        send(widget.picker, name, data)
    rows = {r["name"]: r for r in widget.sample_list.view.rows}
    assert widget.overall is not None
    assert widget.overall.speech_s >= 60
    short = rows["short.wav"]
    alone = widget.reports[0]
    assert alone is not None
    assert alone.verdict == "warn"  # on its own the take is short
    assert all(reason.startswith("short:") for reason in alone.reasons)
    assert "uponai-badge-good" in short["badge_html"]  # not "too short" next to a good set
    assert "counts toward" in short["summary"]
    assert "counts toward" in short["report_html"]
    assert short["waveform_svg"].startswith("<svg")
    alone = VoiceCloneWidget(workspace_id=3)
    select(alone.picker, {"short.wav": takes["short.wav"]})
    send(alone.picker, "short.wav", takes["short.wav"])
    (row,) = alone.sample_list.view.rows
    assert "uponai-badge-warn" in row["badge_html"]  # alone, the same take is too short
    widget.close()
    alone.close()
