"""Sample insight in VoiceCloneWidget: a report card and waveform per sample, the overall verdict,
and recordings from `VoiceRecorder` as samples (kernel side; the browser test records for real)."""

from __future__ import annotations

import asyncio
import html
import io
import math
import wave
from array import array

from test_widget_clone import Gate, gate, pick, run, send_like_browser

from uponai_devtools.wav import make_wav
from uponai_widgets import VoiceCloneWidget, VoiceRecorder
from uponai_widgets.jupyter._frontend import read_part
from uponai_widgets.jupyter._insight import UPLOADS
from uponai_widgets.jupyter._recorder import RECORDER_ESM

__all__ = ["gate"]  # the fixture, imported for this module's tests


def clipped_wav(seconds: float = 12.0, rate: int = 16000) -> bytes:
    """A tone driven twice past full scale: a large share of values sit at the rails."""
    values = array(
        "h",
        (
            max(-32768, min(32767, int(65000 * math.sin(2 * math.pi * 220 * i / rate))))
            for i in range(int(seconds * rate))
        ),
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(values.tobytes())
    return buffer.getvalue()


def test_each_sample_gets_a_report_with_waveform_and_an_overall_verdict() -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    pick(widget, ("clean.wav", make_wav(seconds=12.0)), ("loud.wav", clipped_wav()))
    clean, loud = widget.reports
    assert clean is not None
    assert [r.split(":")[0] for r in clean.reasons] == ["no speech found"]  # a tone, not clipped
    assert clean.duration_s is not None
    assert abs(clean.duration_s - 12.0) < 0.01
    assert loud is not None
    assert loud.verdict == "bad"
    assert any("clipped" in reason for reason in loud.reasons)
    view = reports_shown(widget)
    assert view.count('class="uponai-report ') == 2
    assert view.count('class="uponai-waveform"') == 2
    assert "clean.wav" in view
    assert "clipped" in view
    assert "dBFS" in view
    overall = verdict_shown(widget)
    assert "uponai-verdict-bad" in overall
    assert "do not block" not in overall  # the words match the verdict
    assert "Samples marked bad make a poor clone or cannot be sent" in overall
    assert widget.overall.verdict == "bad"


def reports_shown(widget: VoiceCloneWidget) -> str:
    """The report cards the user can expand from the sample list's rows."""
    return "".join(str(row.get("report_html", "")) for row in widget.sample_list.view.rows)


def verdict_shown(widget: VoiceCloneWidget) -> str:
    """The overall verdict line, checked to be in the widget's layout."""
    assert widget.sample_list.verdict_view in widget.children
    return str(widget.sample_list.verdict_view.value)


def test_corrupt_sample_is_bad_with_a_reason_not_a_crash() -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    pick(widget, ("broken.wav", b"RIFF\x10\x00\x00\x00WAVEfmt garbage" * 10))
    (report,) = widget.reports
    assert report is not None
    assert report.verdict == "bad"
    assert report.reasons
    (row,) = widget.sample_list.view.rows
    assert row["name"] == "broken.wav"
    assert "uponai-badge-bad" in row["badge_html"]
    assert report.reasons[0] in html.unescape(reports_shown(widget))


def test_in_a_running_loop_reports_are_computed_off_the_loop_then_shown() -> None:
    widget = VoiceCloneWidget(workspace_id=1)

    async def scenario() -> None:
        pick(widget, ("tone.wav", make_wav(seconds=3.0)))
        assert widget.reports == [None]
        assert ">analysing<" in widget.sample_list.view.rows[0]["badge_html"]
        assert "Analysing 1 sample\u2026" in verdict_shown(widget)
        for _ in range(200):
            if widget.sample_list.insight.pending == 0:
                break
            await asyncio.sleep(0.05)

    run(scenario)
    (report,) = widget.reports
    assert report is not None
    assert report.duration_s is not None
    assert "uponai-waveform" in reports_shown(widget)
    assert "Overall" in verdict_shown(widget)


def test_a_sample_chosen_during_an_upload_is_analysed_after_it(gate: Gate) -> None:
    # The analysis shares the kernel's interpreter lock with the upload: it waits between
    # blocks while an upload runs, so the clone the user waits for keeps its speed.
    widget = VoiceCloneWidget(workspace_id=1)
    pick(widget, ("first.wav", make_wav(seconds=1.0)))
    widget.form.inputs["name"].value = "First"

    async def scenario() -> None:
        widget.clone_button.click()
        await asyncio.wait_for(gate.started.wait(), 5)
        pick(widget, ("next.wav", make_wav(seconds=30.0)))
        for _ in range(400):
            if UPLOADS.waiting:
                break
            await asyncio.sleep(0.025)
        assert UPLOADS.waiting == 1  # the analysis stopped at a block, not before starting
        badges = [row["badge_html"] for row in widget.sample_list.view.rows]
        assert ">analysing<" in badges[-1]
        gate.release.set()
        assert widget.task is not None
        await widget.task
        for _ in range(400):
            if widget.sample_list.insight.pending == 0:
                break
            await asyncio.sleep(0.025)

    run(scenario)
    assert UPLOADS.waiting == 0
    (report,) = widget.reports  # first.wav went with the clone; next.wav stays, analysed
    assert report is not None
    assert report.duration_s is not None
    assert abs(report.duration_s - 30.0) < 0.01
    assert "next.wav" in reports_shown(widget)


def test_warnings_do_not_block_cloning(gate: Gate) -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    pick(widget, ("short.wav", make_wav(seconds=3.0)))
    assert widget.overall.verdict != "good"
    widget.form.inputs["name"].value = "Short but wanted"
    gate.release.set()
    voice = run(widget.clone)
    assert voice.voice_id == "v_gate"
    assert widget.sample_list.view.rows == []  # samples consumed, reports cleared
    assert verdict_shown(widget) == ""


def test_recordings_are_samples_and_use_the_same_chunk_protocol(gate: Gate) -> None:
    widget = VoiceCloneWidget(workspace_id=1)
    assert "uponai-record" in widget.recorder._dom_classes
    assert widget.recorder in widget.children
    recording = make_wav(seconds=2.0)
    send_like_browser(widget.recorder, "recording-1.wav", recording)
    assert [s.name for s in widget.samples] == ["recording-1.wav"]
    (report,) = widget.reports
    assert report is not None
    assert report.duration_s is not None
    assert report.duration_s > 0
    widget.form.inputs["name"].value = "Recorded"
    gate.release.set()
    run(widget.clone)
    (call,) = gate.calls
    ((name, _path, _mime),) = call["samples"]
    assert name == "recording-1.wav"
    assert widget.recorder.samples == ()
    assert list(widget.recorder.store.directory.iterdir()) == []


def test_recorder_shares_the_chunk_sender_and_syncs_no_audio() -> None:
    assert RECORDER_ESM.count(read_part("chunk_sender.js")) == 1
    assert RECORDER_ESM.count(read_part("transfer_list.js")) == 1
    assert "MediaRecorder" in RECORDER_ESM
    recorder = VoiceRecorder()
    send_like_browser(recorder, "r.webm", b"\x1a\x45\xdf\xa3" + b"\x00" * 5000)
    state = recorder.get_state()
    assert state["files"] == [
        {"id": "id-r.webm", "name": "r.webm", "size": 5004, "state": "ready", "received": 5004}
    ]
    assert "samples" not in state
    directory = recorder.store.directory
    recorder.close()
    assert not directory.exists()
