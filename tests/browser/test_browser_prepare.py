"""Real JupyterLab + headless Chromium: "Prepare samples" on, hear before and after, clone.

One espeak-ng sentence padded with silence is chosen through the file chooser; with the switch
on, the row shows the changes and two players whose audio came from the kernel over the
widget's comm as Blob URLs. Both play; the after-player's bytes (hashed in the browser) are
what the sandbox stores, not the original's; the saved notebook holds no audio.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import BrowserContext
from support.speech import speech

from uponai_devtools.browser import choose_files, fill_text, open_and_run, ready_row, screenshot
from uponai_devtools.lab import RunningLab
from uponai_devtools.sandbox import RunningSandbox

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]

SENTENCE = "Hello there. This sentence is prepared before it is sent to clone a voice."

# Play one player to its end of the first half second; resolves to what the element reports.
PLAY = """async (css) => {
  const audio = document.querySelector(css);
  const started = audio.currentTime;
  let played = true;
  try { await audio.play(); } catch (err) { played = String(err); }
  const deadline = Date.now() + 5000;
  while (audio.currentTime <= started + 0.2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  audio.pause();
  return { played, duration: audio.duration, advanced: audio.currentTime - started,
           src: audio.src };
}"""

# The sha256 (hex) of the bytes behind a player's Blob URL, hashed in the browser.
BLOB_SHA256 = """async (css) => {
  const audio = document.querySelector(css);
  const data = await (await fetch(audio.src)).arrayBuffer();
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}"""


def padded_speech(folder: Path) -> Path:
    voice, rate = sf.read(str(speech(folder / "plain.wav", SENTENCE)), always_2d=True)
    signal = np.concatenate([np.zeros((2 * rate, 1)), voice * 0.1, np.zeros((rate, 1))])
    path = folder / "padded take.wav"
    sf.write(str(path), signal, rate, subtype="PCM_16")
    return path


def test_prepare_plays_before_and_after_and_clones_the_prepared_file(
    browser: BrowserContext, lab: RunningLab, notebook: str, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    take = padded_speech(tmp_path)
    original_sha = hashlib.sha256(take.read_bytes()).hexdigest()
    page = open_and_run(browser, lab, notebook)
    choose_files(page, [take])
    assert "Prepare samples" in page.locator(".uponai-prepare").inner_text()
    prepare = page.locator(".uponai-prepare input[type=checkbox]")
    assert page.locator(".uponai-prep").count() == 0  # off by default
    prepare.click()
    row = ready_row(page, take.name)
    row.locator(".uponai-player-after[src^='blob:']").wait_for(state="attached", timeout=30_000)
    row.locator(".uponai-player-before[src^='blob:']").wait_for(state="attached")
    assert "trimmed" in row.locator(".uponai-prep-changes").inner_text()
    assert row.locator(".uponai-prep-before svg").count() == 1
    assert row.locator(".uponai-prep-after svg").count() == 1

    for which in ("before", "after"):
        result = page.evaluate(PLAY, f".uponai-player-{which}")
        assert result["played"] is True, result
        assert result["duration"] > 0, result
        assert result["advanced"] > 0.2, result
    before = page.evaluate("() => document.querySelector('.uponai-player-before').duration")
    after = page.evaluate("() => document.querySelector('.uponai-player-after').duration")
    assert after < before - 2.0  # the silence around the sentence was trimmed
    # The row's line gives the length of what Clone sends, as the after player plays it.
    minutes, seconds = row.locator(".uponai-row-duration").inner_text().split(":")
    assert abs(60 * int(minutes) + float(seconds) - after) <= 0.051
    assert "The chosen file:" in (row.locator(".uponai-row-size").get_attribute("title") or "")
    assert page.evaluate(BLOB_SHA256, ".uponai-player-before") == original_sha
    prepared_sha = page.evaluate(BLOB_SHA256, ".uponai-player-after")
    assert prepared_sha != original_sha
    screenshot(page, "browser-prepare-before-after.png")

    # The saved notebook (saveState is on) holds the rows' text, no audio.
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function(
        "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000
    )
    saved = (lab.root_dir / notebook).read_text()
    state = json.dumps(json.loads(saved)["metadata"]["widgets"])
    assert "prep_after_audio" in state  # the prepared row is in the saved state...
    assert "UklGR" not in saved  # ...but no base64 WAV ("RIFF")
    chunk = base64.b64encode(take.read_bytes()[4000:4600]).decode()
    assert chunk[8:200] not in saved

    fill_text(page, "uponai-name", "Prepared in the browser")
    page.locator(".uponai-clone").click()
    page.locator(".uponai-card").wait_for(state="visible", timeout=60_000)
    voice_id = page.locator(".uponai-card .uponai-voice-id").inner_text().strip()
    record = sandbox.voice_record(voice_id)
    (stored,) = record["samples"]
    assert stored["sha256"] == prepared_sha  # the prepared file went out, not the original
    assert stored["filename"].endswith(".prepared.flac")
    page.locator(".uponai-samples .uponai-row").first.wait_for(state="detached", timeout=30_000)
    page.close()
