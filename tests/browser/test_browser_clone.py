"""Real JupyterLab + headless Chromium: clone a voice through the widget, end to end.

Each test opens its own copy of notebooks/clone_voice.ipynb in a JupyterLab with Jupyter's
default settings (10 MiB websocket message ceiling), picks WAVs through the browser's file chooser
(or drops them), and checks what the sandbox received against the files on disk: the bytes went
browser -> kernel in chunks, then kernel -> sandbox streamed from the kernel's temporary files.
"""

from __future__ import annotations

import base64
import json
import shutil
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page
from support.sandbox_http import sha256_file

from uponai_devtools.browser import (
    choose_files,
    fill_text,
    open_and_run,
    ready_row,
    sample_row,
    screenshot,
)
from uponai_devtools.lab import NOTEBOOK, RunningLab, kernel_pid, reset_peak, start_lab, status_kib
from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_large_wav, write_wav

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

REASON = "browser-test ticket 9001: customer asked for assistance"


def clone_and_wait(page: Page, name: str, timeout_ms: int = 90_000) -> str:
    fill_text(page, "uponai-name", name)
    page.locator(".uponai-clone").click()
    page.locator(".uponai-card").wait_for(state="visible", timeout=timeout_ms)
    return page.locator(".uponai-card .uponai-voice-id").inner_text().strip()


def assert_stored(sandbox: RunningSandbox, voice_id: str, files: list[Path]) -> dict[str, object]:
    record = sandbox.voice_record(voice_id)
    stored = sorted((s["filename"], s["size"], s["sha256"]) for s in record["samples"])
    expected = sorted((p.name, p.stat().st_size, sha256_file(p)) for p in files)
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


def test_50_mb_and_three_8_mb_in_one_selection_clone_on_default_server(
    browser: BrowserContext, lab: RunningLab, notebook: str, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    big = make_large_wav(tmp_path / "fifty-mb.wav", 50_000_000)
    eights = [make_large_wav(tmp_path / f"eight-{i}.wav", 8_000_000 + i) for i in range(3)]
    files = [big, *eights]
    page = open_and_run(browser, lab, notebook)
    pid = kernel_pid(lab, notebook)
    idle = status_kib(pid, "VmRSS")
    reset_peak(pid)
    choose_files(page, files, timeout_ms=180_000)  # 74 MB, one selection, default server
    # Backpressure: the kernel never held the selection in memory (FileUpload holds it all).
    assert status_kib(pid, "VmHWM") - idle < 64 * 1024  # the target: +64 MiB
    samples = page.locator(".uponai-samples").inner_text()
    assert "47.7 MiB" in samples
    assert "4 files" in samples
    # One row per sample, every one in the kernel at its full size.
    rows = page.locator(".uponai-samples .uponai-row-ready")
    assert rows.count() == 4
    assert "47.7 MiB" in rows.nth(0).inner_text()
    assert page.locator(".uponai-row-progress").count() == 0
    assert page.locator(".uponai-picker-status").inner_text() == ""
    screenshot(page, "browser-picker-74mb-default-server.png")
    voice_id = clone_and_wait(page, "Seventy-four megabytes", timeout_ms=180_000)
    assert_stored(sandbox, voice_id, files)
    # The sandbox hashed what it received: the kernel got every chunk, in order.
    (request,) = [r for r in sandbox.requests() if r.get("status") == 201]
    received = sorted((f["filename"], f["sha256"]) for f in request["files"])
    assert received == sorted((p.name, sha256_file(p)) for p in files)
    # After the clone the kernel's temporary files are gone and the picker list is empty.
    page.locator(".uponai-samples .uponai-row").first.wait_for(state="detached", timeout=30_000)
    assert leftover_samples(lab) == []
    page.close()


def leftover_samples(lab: RunningLab) -> list[Path]:
    """Files left in the picker's temporary directories of the Lab's kernels."""
    return sorted(p for d in lab.tmp_dir.glob("uponai-samples-*") for p in d.iterdir())


def test_saved_notebook_holds_no_token_audio_or_reason(
    browser: BrowserContext, lab: RunningLab, notebook: str, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    one = write_wav(tmp_path / "saved-one.wav", seconds=1.0, freq=260)
    two = write_wav(tmp_path / "saved-two.wav", seconds=1.0, freq=390)
    page = open_and_run(browser, lab, notebook)
    choose_files(page, [one, two])
    page.locator(".uponai-advanced").get_by_text("More fields").click()
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
    assert "uponai-picker" in state  # the picker's model is saved, with names/sizes only
    assert "Saved voice" in state
    assert sandbox.token not in saved
    assert REASON not in saved
    assert "UklGR" not in saved  # base64 of "RIFF"
    for wav in (one, two):
        chunk = base64.b64encode(wav.read_bytes()[1000:1600]).decode()
        assert chunk[8:200] not in saved
    shutil.copyfile(saved_path, tmp_path / "saved-copy.ipynb")
    page.close()


DROP_WAV = """async ([b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type: "audio/wav" }));
  const target = document.querySelector(".uponai-files");
  for (const type of ["dragenter", "dragover", "drop"]) {
    target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true,
                                               cancelable: true }));
  }
}"""


def test_drop_remove_and_kernel_exit_clean_up_temporary_files(
    browser: BrowserContext, lab: RunningLab, notebook: str, tmp_path: Path
) -> None:
    dropped = write_wav(tmp_path / "dropped.wav", seconds=1.0, freq=300)
    kept = write_wav(tmp_path / "kept.wav", seconds=1.0, freq=350)
    before = set(lab.tmp_dir.glob("uponai-samples-*"))
    page = open_and_run(browser, lab, notebook)
    payload = base64.b64encode(dropped.read_bytes()).decode()
    page.evaluate(DROP_WAV, [payload, dropped.name])
    ready_row(page, dropped.name).wait_for(timeout=60_000)
    choose_files(page, [kept])
    (store,) = set(lab.tmp_dir.glob("uponai-samples-*")) - before
    stored = sorted(p.read_bytes() for p in store.iterdir())
    assert stored == sorted([dropped.read_bytes(), kept.read_bytes()])
    # Removing a sample (x) deletes its temporary file.
    sample_row(page, dropped.name).locator(".uponai-remove").click()
    sample_row(page, dropped.name).wait_for(state="detached", timeout=30_000)
    page.wait_for_function(
        "() => document.querySelectorAll('.uponai-samples .uponai-row').length === 1",
        timeout=30_000,
    )
    assert [p.read_bytes() for p in store.iterdir()] == [kept.read_bytes()]
    # Shutting the kernel down removes the rest (the store's finalizer runs at exit).
    headers = {"Authorization": f"token {lab.token}"}
    with httpx.Client(base_url=lab.url, headers=headers, timeout=10) as http:
        (session,) = [s for s in http.get("/api/sessions").json() if s["path"] == notebook]
        http.delete(f"/api/sessions/{session['id']}").raise_for_status()
    wait_until_gone(store)
    page.close()


def wait_until_gone(path: Path, attempts: int = 150) -> None:
    """Poll (bounded) until the kernel's exit has removed `path`."""
    for _ in range(attempts):
        if not path.exists():
            return
        time.sleep(0.2)
    raise AssertionError(f"{path} still exists after the kernel shut down")


def test_cancel_stops_the_browser_to_kernel_transfer(
    browser: BrowserContext, lab: RunningLab, notebook: str, tmp_path: Path
) -> None:
    huge = make_large_wav(tmp_path / "three-hundred-mb.wav", 300_000_000)
    big = make_large_wav(tmp_path / "ninety-five-mb.wav", 95_000_000)
    before = set(lab.tmp_dir.glob("uponai-samples-*"))
    page = open_and_run(browser, lab, notebook)
    # Over the connection's per-file limit (100 MiB): refused before any byte, said in the picker.
    with page.expect_file_chooser() as chooser:
        page.locator(".uponai-files").click()
    chooser.value.set_files([str(huge)])
    status = page.locator(".uponai-picker-status")
    status.get_by_text("over the limit of 100.0 MiB per file").wait_for(timeout=30_000)
    assert huge.name in status.inner_text()
    assert page.locator(".uponai-samples .uponai-row").count() == 0
    # Slow the browser's uplink (the websocket included) so the transfer is surely still
    # running when Cancel is clicked, however fast or loaded the machine is.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 8_000_000},
    )
    with page.expect_file_chooser() as chooser:
        page.locator(".uponai-files").click()
    chooser.value.set_files([str(big)])
    page.locator(".uponai-samples .uponai-row-receiving").wait_for(timeout=60_000)
    cancel = page.locator(".uponai-cancel")
    cancel.wait_for(state="visible")
    page.wait_for_function(
        "() => !document.querySelector('.uponai-cancel').disabled", timeout=30_000
    )
    cancel.click()
    page.locator(".uponai-picker-status").get_by_text("cancelled").wait_for(timeout=30_000)
    page.locator(".uponai-samples .uponai-row").first.wait_for(state="detached", timeout=30_000)
    assert big.name not in page.locator(".uponai-samples").inner_text()
    assert huge.name not in page.locator(".uponai-samples").inner_text()
    (store,) = set(lab.tmp_dir.glob("uponai-samples-*")) - before
    assert list(store.iterdir()) == []
    assert page.locator(".uponai-cancel").is_disabled()
    page.close()


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
