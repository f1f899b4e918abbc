"""Real JupyterLab + headless Chromium with a fake microphone: record a sample, see the reports.

Chromium runs with --use-fake-device-for-media-stream --use-fake-ui-for-media-stream (see
lab_page.CHROMIUM_ARGS): getUserMedia gets a beeping test tone without a permission prompt, and
MediaRecorder records it as WebM/Opus. The recording travels to the kernel through the chunk
protocol, is analysed there (inspect_sample), shows its report and waveform, and clones.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from uponai_devtools.browser import choose_files, fill_text, open_and_run, ready_row, screenshot
from uponai_devtools.lab import RunningLab
from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import write_wav

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

# True once the recorder's elapsed-time display shows at least 3 seconds.
RECORDED_3_S = """() => {
  const shown = document.querySelector('.uponai-record .uponai-elapsed');
  if (!shown) return false;
  const [minutes, seconds] = shown.textContent.split(':');
  return Number(minutes) * 60 + Number(seconds) >= 3;
}"""


def test_recording_arrives_decodes_shows_reports_and_clones(
    browser: BrowserContext, lab: RunningLab, notebook: str, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    tone = write_wav(tmp_path / "tone-12s.wav", seconds=12.0, freq=220)
    before = set(lab.tmp_dir.glob("uponai-recordings-*"))
    page = open_and_run(browser, lab, notebook)
    choose_files(page, [tone])
    recorder = page.locator(".uponai-record")
    recorder.locator(".uponai-record-start").click()
    page.wait_for_function(RECORDED_3_S, timeout=30_000)
    assert recorder.locator(".uponai-level").count() == 1
    assert recorder.locator(".uponai-recording .uponai-recording-dot").is_visible()  # visibly on
    assert "Recording" in recorder.inner_text()
    recorder.locator(".uponai-record-stop").click()
    recording = ready_row(page, "recording-")
    recording.wait_for(timeout=60_000)
    name = recording.locator(".uponai-row-name").inner_text().strip()
    assert re.fullmatch(r"recording-\d{8}T\d{6}\.webm", name), name
    assert recorder.locator(".uponai-recording").count() == 0

    # The kernel holds the recording in a temporary file: a WebM (EBML magic).
    stores = set(lab.tmp_dir.glob("uponai-recordings-*")) - before
    received = [
        p for store in stores for p in store.iterdir() if p.read_bytes()[:4] == b"\x1a\x45\xdf\xa3"
    ]
    assert len(received) == 1
    kernel_sha = hashlib.sha256(received[0].read_bytes()).hexdigest()
    kernel_size = received[0].stat().st_size
    assert kernel_size > 1000

    # Each sample's row shows a waveform; its report expands from the row.
    row = ready_row(page, name)
    row.locator(".uponai-row-wave .uponai-waveform").wait_for(timeout=60_000)
    row.locator("summary").click()
    report = row.locator(".uponai-report")
    figures = report.locator(".uponai-report-figures").inner_text()
    duration = re.search(r"duration ([0-9.]+) s", figures)
    assert duration, figures
    assert float(duration.group(1)) > 0
    assert "dBFS" in figures
    # The row's duration for the WebM (no header duration) comes from the analysis.
    assert "0:0" in row.locator(".uponai-row-duration").inner_text()
    tone_row = ready_row(page, tone.name)
    assert tone_row.locator(".uponai-row-wave .uponai-waveform").count() == 1
    tone_row.locator("summary").click()
    assert "duration 12.0 s" in tone_row.locator(".uponai-report").inner_text()
    assert page.locator(".uponai-samples .uponai-row").count() == 2  # one row per sample
    overall = page.locator(".uponai-overall .uponai-verdict")
    overall.wait_for(timeout=30_000)
    assert "Overall" in overall.inner_text()
    assert page.locator(".uponai-card").count() == 0  # shown before cloning
    path = screenshot(page, "browser-reports-waveforms-recording.png")
    assert path.stat().st_size > 10_000

    fill_text(page, "uponai-name", "Recorded voice")
    page.locator(".uponai-clone").click()
    page.locator(".uponai-card").wait_for(state="visible", timeout=90_000)
    voice_id = page.locator(".uponai-card .uponai-voice-id").inner_text().strip()
    stored = {s["filename"]: s for s in sandbox.voice_record(voice_id)["samples"]}
    assert set(stored) == {tone.name, name}
    assert not received[0].exists()  # the temporary file went with the clone
    assert stored[name]["sha256"] == kernel_sha  # what the kernel received is what was sent
    assert stored[name]["size"] == kernel_size
    page.close()
