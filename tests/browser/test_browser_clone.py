"""Real JupyterLab + headless Chromium: clone a voice through the widget, end to end.

Each test opens its own copy of notebooks/clone_voice.ipynb, runs it, picks WAVs through the
browser's file chooser (FileUpload never attaches its <input>, so the chooser is the only way),
and checks what the sandbox stored against the files on disk.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from lab_harness import NOTEBOOK, RunningLab, start_lab
from lab_page import (
    KERNEL_DISCONNECTED,
    KERNEL_IDLE,
    WATCH_KERNEL_CONNECTION,
    choose_files,
    fill_text,
    open_and_run,
    screenshot,
)
from playwright.sync_api import BrowserContext, Page
from support.audio import make_large_wav, write_wav
from support.sandbox import RunningSandbox

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

REASON = "browser-test ticket 9001: customer asked for assistance"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def clone_and_wait(page: Page, name: str, timeout_ms: int = 90_000) -> str:
    fill_text(page, "uponai-name", name)
    page.locator(".uponai-clone").click()
    page.locator(".uponai-card").wait_for(state="visible", timeout=timeout_ms)
    return page.locator(".uponai-card .uponai-voice-id").inner_text().strip()


def assert_stored(sandbox: RunningSandbox, voice_id: str, files: list[Path]) -> dict[str, object]:
    record = sandbox.voice_record(voice_id)
    stored = sorted((s["filename"], s["size"], s["sha256"]) for s in record["samples"])
    expected = sorted((p.name, p.stat().st_size, sha256(p)) for p in files)
    assert stored == expected
    return record


def test_clone_two_wavs_card_and_playable_preview(
    browser: BrowserContext, lab: RunningLab, notebook: str, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    one = write_wav(tmp_path / "take-one.wav", seconds=2.0, freq=220)
    two = write_wav(tmp_path / "take-two.wav", seconds=1.5, freq=330)
    page = open_and_run(browser, lab, notebook)
    choose_files(page, [one, two])
    samples = page.locator(".uponai-samples").inner_text()
    assert "0:02.0" in samples  # duration decoded from the WAV header
    name = "Browser <b>voice</b>"  # markup in a name must render as text
    voice_id = clone_and_wait(page, name)

    assert voice_id
    record = assert_stored(sandbox, voice_id, [one, two])
    assert record["name"] == name
    assert record["workspace_id"] == 11
    card = page.locator(".uponai-card")
    assert name in card.inner_text()
    assert card.locator("b").count() == 0
    # The copy button puts the voice id on the clipboard.
    browser.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab.url)
    card.locator(".uponai-copy").click()
    assert page.evaluate("() => navigator.clipboard.readText()") == voice_id
    assert page.locator(".uponai-error").is_hidden()
    sent, total = page.locator(".uponai-progress + *").inner_text().split(" / ")
    assert sent == total == "110.1 KiB"  # the byte progress bar ended at the total

    src = card.locator("audio").get_attribute("src")
    assert src
    assert src.startswith(sandbox.url)
    response = page.request.get(src)
    assert response.status == 200
    assert response.headers["content-type"].startswith("audio/")
    # The browser itself loads the audio (no bearer token): metadata read, duration known.
    page.wait_for_function(
        "() => { const a = document.querySelector('.uponai-card audio');"
        " return a && a.readyState >= 1 && a.duration > 0; }",
        timeout=30_000,
    )
    # The kernel-side FileUpload value was cleared once the files were taken.
    assert "Choose audio" in page.locator(".uponai-files").inner_text()
    path = screenshot(page, "browser-clone-voice.png")
    assert path.stat().st_size > 10_000
    page.close()


def test_50_mb_wav_clones_through_the_browser(
    browser: BrowserContext, lab: RunningLab, notebook: str, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    big = make_large_wav(tmp_path / "fifty-mb.wav", 50_000_000)
    page = open_and_run(browser, lab, notebook)
    choose_files(page, [big], timeout_ms=120_000)  # 50 MB over one websocket message
    assert "47.7 MiB" in page.locator(".uponai-samples").inner_text()
    voice_id = clone_and_wait(page, "Fifty megabytes", timeout_ms=150_000)
    assert_stored(sandbox, voice_id, [big])
    screenshot(page, "browser-clone-50mb.png")
    page.close()


def test_saved_notebook_holds_no_token_audio_or_reason(
    browser: BrowserContext, lab: RunningLab, notebook: str, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    one = write_wav(tmp_path / "saved-one.wav", seconds=1.0, freq=260)
    two = write_wav(tmp_path / "saved-two.wav", seconds=1.0, freq=390)
    page = open_and_run(browser, lab, notebook)
    choose_files(page, [one, two])
    page.locator(".uponai-advanced").get_by_text("Advanced").click()
    page.locator(".uponai-advanced select").select_option("platform_admin")
    fill_text(page, "uponai-advanced .widget-text:has-text('Impersonation reason')", REASON)
    voice_id = clone_and_wait(page, "Saved voice")
    record = assert_stored(sandbox, voice_id, [one, two])
    assert record["actor_type"] == "platform_admin"  # the reason really went out as a header
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    saved_path = lab.root_dir / notebook
    page.wait_for_function(
        "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000
    )
    saved = saved_path.read_text()
    document = json.loads(saved)
    # saveState is on in this Lab: widget state is in the file, so the checks below are real.
    state = json.dumps(document["metadata"]["widgets"])
    assert "FileUploadModel" in state
    assert "Saved voice" in state
    assert sandbox.token not in saved
    assert REASON not in saved
    assert "UklGR" not in saved  # base64 of "RIFF"
    for wav in (one, two):
        chunk = base64.b64encode(wav.read_bytes()[1000:1600]).decode()
        assert chunk[8:200] not in saved
    shutil.copyfile(saved_path, tmp_path / "saved-copy.ipynb")
    page.close()


def test_default_server_drops_11_mb_and_the_widget_says_why(
    browser: BrowserContext, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Without the repo's jupyter/ config, an 11 MB selection never reaches the kernel."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copyfile(NOTEBOOK, root / "clone_voice.ipynb")
    env = {"UPONAI_BASE_URL": sandbox.url, "UPONAI_API_KEY": sandbox.token}
    big = make_large_wav(tmp_path / "eleven-mb.wav", 11_000_000)
    with start_lab(tmp_path / "lab", root, kernel_env=env, lift_ceiling=False) as default_lab:
        page = open_and_run(browser, default_lab, "clone_voice.ipynb")
        page.evaluate(WATCH_KERNEL_CONNECTION)
        with page.expect_file_chooser() as chooser:
            page.locator(".uponai-files").click()
        chooser.value.set_files([str(big)])
        # The browser counts the file; the kernel never gets it.
        page.locator(".uponai-files").get_by_text("(1)").wait_for(timeout=30_000)
        # The server drops the oversized message by closing the kernel websocket; Lab
        # reconnects. Wait for that, so the click below is not sent into the closing socket.
        page.wait_for_function(KERNEL_DISCONNECTED, timeout=30_000)
        page.wait_for_function(KERNEL_IDLE, timeout=60_000)
        fill_text(page, "uponai-name", "Too big for defaults")
        page.locator(".uponai-clone").click()
        error = page.locator(".uponai-error")
        error.get_by_text("10 MiB", exact=False).wait_for(timeout=60_000)
        assert "websocket_max_message_size" in error.inner_text()
        assert "eleven-mb.wav" not in page.locator(".uponai-samples").inner_text()
        screenshot(page, "browser-default-ceiling-hint.png")
        page.close()
    assert sandbox.requests() == []


def test_wrong_token_shows_readable_401(
    browser: BrowserContext, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    wrong = "wrong-token-for-the-browser-test"
    root = tmp_path / "root"
    root.mkdir()
    shutil.copyfile(NOTEBOOK, root / "clone_voice.ipynb")
    env = {
        "UPONAI_BASE_URL": sandbox.url,
        "UPONAI_API_KEY": wrong,
        "UPONAI_WORKSPACE_ID": "11",
    }
    with start_lab(tmp_path / "lab", root, kernel_env=env) as wrong_lab:
        page = open_and_run(browser, wrong_lab, "clone_voice.ipynb")
        choose_files(page, [write_wav(tmp_path / "denied.wav")])
        fill_text(page, "uponai-name", "Denied voice")
        page.locator(".uponai-clone").click()
        error = page.locator(".uponai-error")
        error.get_by_text("401").wait_for(timeout=60_000)
        message = error.inner_text()
        assert "Traceback" not in message
        assert wrong not in message
        assert page.locator(".uponai-card").count() == 0
        assert page.locator(".uponai-clone").is_enabled()
        assert [r["status"] for r in sandbox.requests()] == [401]
        screenshot(page, "browser-clone-401.png")
        page.close()
