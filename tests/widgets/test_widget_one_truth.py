"""One widget, one truth (no browser): one measure of audio, verdicts of what Clone sends, words
that match the verdict, badge names as the API spells them.

Samples arrive through the chunk protocol as the browser sends them; with no running loop the
analysis and the preparation run inline, so each assertion sees the settled widget.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import re
from typing import Any, get_args

import ipywidgets  # type: ignore[import-untyped]  # ipywidgets ships no type information
import numpy as np
import pytest
import soundfile as sf
from support.browser_like import send_like_browser
from support.speech import speech
from test_widget_clone import Gate, gate

from uponai_devtools.wav import make_wav
from uponai_widgets import VoiceCloneWidget
from uponai_widgets import _clone as clone_module
from uponai_widgets.audio._verdict import Verdict
from uponai_widgets.jupyter import _clone_form as clone_form_module
from uponai_widgets.jupyter import _clone_widget as clone_widget_module
from uponai_widgets.jupyter._batch_view import BatchProgressView, counts_text
from uponai_widgets.jupyter._sample_sources import EntrySource, ReceivedSource
from uponai_widgets.jupyter._samples_html import EMPTY_LIST_TEXT
from uponai_widgets.jupyter._selection import Selection

__all__ = ["gate"]  # the fixture, imported for this module's tests

SENTENCE = "Hello there. This is a sentence for the voice cloning widget, said slowly."


@pytest.fixture(scope="module")
def late_speech(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """espeak-ng speech after 4 s of silence (over the 3 s that asks for a trim), as WAV bytes."""
    folder = tmp_path_factory.mktemp("one-truth")
    voice, rate = sf.read(str(speech(folder / "said.wav", SENTENCE)), always_2d=True)
    signal = np.concatenate([np.zeros((4 * rate, 1)), voice * 0.3, np.zeros((rate // 2, 1))])
    path = folder / "late.wav"
    sf.write(str(path), signal, rate, subtype="PCM_16")
    return path.read_bytes()


def shown_text(widget: VoiceCloneWidget) -> str:
    """Every text the widget shows about its samples: rows, reports and the overall line."""
    assert widget.sample_list.verdict_view in widget.children
    parts: list[Any] = [widget.sample_list.verdict_view.value]
    for row in widget.sample_list.view.rows:
        parts += [row.get("badge_html", ""), row.get("report_html", ""), row.get("summary", "")]
    return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(str(p) for p in parts)))


BADGE = re.compile(r'class="uponai-badge [^>]*>([^<]*)<')


def badges(widget: VoiceCloneWidget) -> list[str]:
    found = BADGE.findall(widget.sample_list.verdict_view.value)
    for row in widget.sample_list.view.rows:
        found += BADGE.findall(str(row.get("badge_html", "")))
    return found


def test_the_overall_line_counts_speech_the_one_measure_of_audio(late_speech: bytes) -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    send_like_browser(widget.picker, "late.wav", late_speech)
    send_like_browser(widget.picker, "tone.wav", make_wav(seconds=5.0))
    overall = widget.overall
    assert overall is not None
    line = shown_text(widget)
    assert f"{overall.speech_s:.1f} s of speech" in line
    assert "of sound" not in line
    assert f"{overall.total_duration_s:.1f} s." not in line  # no second, contradicting measure
    assert "2 samples" in line


def test_badges_say_the_verdict_names_of_the_api(late_speech: bytes) -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    send_like_browser(widget.picker, "late.wav", late_speech)  # a warning: leading silence
    send_like_browser(widget.picker, "tone.wav", make_wav(seconds=3.0))  # bad: no speech
    assert widget.overall is not None
    names = badges(widget)
    assert set(names) == {"warn", "bad"}
    assert set(names) <= set(get_args(Verdict))


def test_words_match_the_verdict_when_a_sample_is_bad() -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    send_like_browser(widget.picker, "notes.wav", b"this is a text file, not audio\n" * 40)
    assert widget.overall is not None
    assert widget.overall.verdict == "bad"
    line = str(widget.sample_list.verdict_view.value)
    assert "do not block" not in line
    assert "Ready to clone" not in line
    assert "Samples marked bad make a poor clone or cannot be sent" in line


def test_with_prepare_on_verdicts_and_reasons_describe_the_prepared_file(
    late_speech: bytes,
) -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    send_like_browser(widget.picker, "late.wav", late_speech)
    original = widget.reports[0]
    assert original is not None
    assert any(r.startswith("leading silence") for r in original.reasons)
    assert "leading silence" in shown_text(widget)

    widget.prepare_toggle.value = True  # no running loop: prepared inline
    (row,) = widget.sample_list.view.rows
    assert row["prep_state"] == "ready", row.get("prep_text")
    prep = widget.sample_list.preparations.get(widget.sample_list.ready_refs()[0])
    assert prep is not None
    assert prep.prepared is not None
    after = prep.prepared.after
    text = shown_text(widget)
    assert "leading silence" not in text  # the prepared file has none
    assert "prepared file (what Clone sends)" in text
    overall = widget.overall
    assert overall is not None
    assert overall.speech_s == pytest.approx(sum(r.speech_s or 0.0 for r in after))
    assert f"{overall.speech_s:.1f} s of speech" in text

    widget.prepare_toggle.value = False
    assert "leading silence" in shown_text(widget)  # back to what the original sends


def test_no_microphone_is_cleared_by_the_next_action(gate: Gate) -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    no_microphone = "No microphone: Permission denied"
    widget.recorder.set_state({"notice": no_microphone})  # what the browser reports
    assert widget.recorder.notice == no_microphone
    send_like_browser(widget.picker, "one.wav", make_wav(seconds=1.0))
    assert widget.recorder.notice == ""  # a sample arrived: the message is stale

    widget.recorder.set_state({"notice": no_microphone})
    widget.form.inputs["name"].value = "After a refusal"
    gate.release.set()

    async def click_and_wait() -> None:
        widget.clone_button.click()
        assert widget.recorder.notice == ""  # cleared at the click, before the upload
        assert widget.task is not None
        await widget.task

    asyncio.run(click_and_wait())
    assert widget.voice is not None


def test_the_empty_list_says_the_same_before_and_after_a_clone(gate: Gate) -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    before = widget.sample_list.view.empty_text
    assert before == EMPTY_LIST_TEXT
    send_like_browser(widget.picker, "one.wav", make_wav(seconds=1.0))
    widget.form.inputs["name"].value = "Once"
    gate.release.set()
    asyncio.run(widget.clone())
    assert widget.sample_list.view.rows == []
    assert widget.sample_list.view.empty_text == before


def test_counts_name_one_thing_in_the_singular(gate: Gate) -> None:
    assert counts_text(0, 0, 1, 0) == "0 / 1 job done, 0 failed, 0 B sent"
    assert counts_text(1, 0, 2, 0).startswith("1 / 2 jobs done")
    view = BatchProgressView(total=1)
    assert "1 jobs" not in view.counts.value
    widget = VoiceCloneWidget(workspace_id=1)
    send_like_browser(widget.picker, "one.wav", make_wav(seconds=1.0))
    assert widget.sample_list.view.footer.startswith("1 file, ")
    widget.form.inputs["name"].value = "Single"
    gate.release.set()
    asyncio.run(widget.clone())
    assert widget.status.value.endswith("from 1 sample.")


def test_the_same_file_chosen_twice_is_not_named_twice() -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    wav = make_wav(seconds=1.0)
    widget.set_samples([{"name": "a.wav", "content": wav}, {"name": "a.wav", "content": wav}])
    widget.form.inputs["name"].value = "Twice"
    _kwargs, problems = widget.form.collect(widget.sample_list.samples, None, None)
    (line,) = problems
    assert line.count("a.wav") == 1, line
    assert "chosen twice" in line


def test_prepare_samples_is_a_switch_not_a_button() -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    switch = widget.prepare_toggle
    assert isinstance(switch, ipywidgets.Checkbox)  # on/off state, not a button to press
    assert not isinstance(switch, ipywidgets.Button | ipywidgets.ToggleButton)
    assert {"uponai-prepare", "uponai-switch"} <= set(switch._dom_classes)
    assert switch.description == "Prepare samples"
    send_like_browser(widget.picker, "one.wav", make_wav(seconds=1.0))
    switch.set_state({"value": True})  # as the browser flips it
    assert widget.sample_list.prepare is True
    assert widget.sample_list.view.rows[0]["prep_state"] != "none"


def test_a_click_validates_the_request_once(
    gate: Gate, monkeypatch: pytest.MonkeyPatch, late_speech: bytes
) -> None:
    calls: list[str] = []
    real = clone_module.check_request

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append("sdk")
        return real(*args, **kwargs)

    real_form = clone_form_module.validate_clone

    def counted_form(*args: Any, **kwargs: Any) -> Any:
        calls.append("form")
        return real_form(*args, **kwargs)

    monkeypatch.setattr(clone_module, "check_request", counted)
    monkeypatch.setattr(clone_form_module, "validate_clone", counted_form)
    monkeypatch.setattr(clone_widget_module, "clone_voice_async", clone_module.clone_voice_async)
    widget = VoiceCloneWidget(workspace_id=1)
    send_like_browser(widget.picker, "late.wav", late_speech)
    send_like_browser(widget.picker, "notes.wav", b"plain text, not audio\n" * 40)
    widget.form.inputs["name"].value = ""

    async def click() -> None:
        widget.clone_button.click()
        assert widget.task is not None
        await widget.task

    asyncio.run(click())
    assert calls == ["sdk"]  # once, by the SDK, before a byte is sent
    shown = widget.error_message
    assert "Voice name" in shown  # every problem at once: the field and the sample
    assert "notes.wav" in shown
    assert widget.voice is None

    # A valid request: still one validation (the upload then finds no server on port 9).
    (notes,) = [r for r in widget.sample_list.view.rows if r["name"] == "notes.wav"]
    widget.sample_list.remove(notes["key"])
    widget.form.inputs["name"].value = "Once"
    asyncio.run(click())
    assert calls == ["sdk", "sdk"]
    assert "Voice name" not in widget.error_message


def test_each_sample_names_its_typed_source_and_removal_goes_through_it() -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    samples = widget.sample_list
    widget.set_samples([{"name": "entry.wav", "content": make_wav(seconds=1.0)}])
    send_like_browser(widget.picker, "picked.wav", make_wav(seconds=1.0))
    send_like_browser(widget.recorder, "recorded.webm", make_wav(seconds=1.0))
    refs = samples.refs()
    assert [type(ref.source) for ref in refs] == [EntrySource, ReceivedSource, ReceivedSource]
    assert [samples.info(ref).name for ref in refs] == ["entry.wav", "picked.wav", "recorded.webm"]
    assert not hasattr(refs[0], "kind")
    for ref in refs:  # what the row's remove button sends, one kind after the other
        samples.view._handle_custom_msg({"type": "remove", "key": ref.key}, [])
        assert samples.state(ref) == "removed"
    assert samples.view.rows == []
    assert not list(widget.picker.store.files)
    assert not list(widget.recorder.store.files)


def test_a_selection_is_frozen_and_later_choices_stay_out_of_it() -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    send_like_browser(widget.picker, "first.wav", make_wav(seconds=1.0))
    selection = Selection.of(widget.sample_list)
    send_like_browser(widget.picker, "later.wav", make_wav(seconds=1.0))
    assert [widget.sample_list.info(ref).name for ref in selection.refs] == ["first.wav"]
    assert selection.arrived
    with pytest.raises(dataclasses.FrozenInstanceError):
        selection.refs = ()  # type: ignore[misc]  # the point: it cannot change
    sent, infos, problems = asyncio.run(selection.sent(lambda _text: None))
    assert problems == []
    assert [info.name for info in infos] == ["first.wav"]
    assert len(sent) == 1
    selection.discard()
    assert [row["name"] for row in widget.sample_list.view.rows] == ["later.wav"]
