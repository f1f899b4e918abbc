"""One widget, one truth (no browser): one measure of audio, verdicts of what Clone sends, words
that match the verdict, badge names as the API spells them.

Samples arrive through the chunk protocol as the browser sends them; with no running loop the
analysis and the preparation run inline, so each assertion sees the settled widget.
"""

from __future__ import annotations

import html
import re
from typing import Any, get_args

import numpy as np
import pytest
import soundfile as sf
from support.browser_like import send_like_browser
from support.speech import speech

from uponai_devtools.wav import make_wav
from uponai_widgets import VoiceCloneWidget
from uponai_widgets.audio._verdict import Verdict

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
    for row in widget.samples_view.rows:
        parts += [row.get("badge_html", ""), row.get("report_html", ""), row.get("summary", "")]
    return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(str(p) for p in parts)))


BADGE = re.compile(r'class="uponai-badge [^>]*>([^<]*)<')


def badges(widget: VoiceCloneWidget) -> list[str]:
    found = BADGE.findall(widget.sample_list.verdict_view.value)
    for row in widget.samples_view.rows:
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
    (row,) = widget.samples_view.rows
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
