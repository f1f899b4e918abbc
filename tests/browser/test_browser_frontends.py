"""The chosen files are the contract, in JupyterLab, Notebook 7 and Voila (default settings).

People click the next button as soon as they see it: each test chooses three files, one of them
60 MB, and clicks **Clone voice** within half a second, while the big one is still on its way to
the kernel. The widget waits for it ("Waiting for ada_long.wav (35 %)") and the sandbox must
store exactly the three chosen files (sha256). JupyterLab also shows that a file chosen during
the clone is kept for the next one, and what a kernel restart mid-transfer looks like.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from support.sandbox_http import sha256_file

from uponai_devtools.browser import (
    KERNEL_IDLE,
    fill_text,
    open_and_run,
    ready_row,
    sample_row,
    screenshot,
)
from uponai_devtools.frontends import RunningFrontend
from uponai_devtools.lab import RunningLab
from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import write_wav

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

GONE = "kernel restarted"


def stored_samples(sandbox: RunningSandbox, voice_id: str) -> list[tuple[str, int, str]]:
    record = sandbox.voice_record(voice_id)
    return sorted((s["filename"], s["size"], s["sha256"]) for s in record["samples"])


def expected(files: list[Path]) -> list[tuple[str, int, str]]:
    return sorted((p.name, p.stat().st_size, sha256_file(p)) for p in files)


def three_files(tmp_path: Path, sixty_mb: Path) -> list[Path]:
    return [
        write_wav(tmp_path / "take-one.wav", seconds=2.0, freq=220),
        sixty_mb,
        write_wav(tmp_path / "take-two.wav", seconds=1.5, freq=330),
    ]


def choose_and_click_clone(page: Page, files: list[Path]) -> float:
    """Choose `files` and click Clone straight away; returns the seconds between the two."""
    with page.expect_file_chooser() as chooser:
        page.locator(".uponai-files").click()
    chooser.value.set_files([str(p) for p in files])
    chosen = time.monotonic()
    # The button's own click, at once: rows appearing above it move it, and a click at the
    # coordinates it had a moment before can land on a row instead (a person aims again).
    page.locator(".uponai-clone").evaluate("button => button.click()")
    return time.monotonic() - chosen


def wait_for_card(page: Page, count: int = 1, timeout_ms: int = 180_000) -> str:
    try:
        page.wait_for_function(
            "(n) => document.querySelectorAll('.uponai-card .uponai-voice-id').length >= n",
            arg=count,
            timeout=timeout_ms,
        )
    except PlaywrightTimeoutError:
        screenshot(page, "failed-wait-for-card.png")
        widget = page.locator(".uponai-clone-widget").inner_text()
        raise AssertionError(f"no voice card; the widget shows:\n{widget}") from None
    return page.locator(".uponai-card .uponai-voice-id").first.inner_text().strip()


def record_status_texts(page: Page) -> None:
    """Keep every text the status shows, however briefly (a poll can miss a short wait)."""
    page.evaluate(
        """() => {
          const status = document.querySelector('.uponai-status');
          window.uponaiStatusTexts = [status.innerText];
          new MutationObserver(() => window.uponaiStatusTexts.push(status.innerText))
            .observe(status, {childList: true, subtree: true, characterData: true});
        }"""
    )


def assert_waited_for_a_file(page: Page) -> None:
    """The status said the clone waited for a file still arriving (the 60 MB one)."""
    shown = page.evaluate("() => window.uponaiStatusTexts")
    assert any("waiting for" in text.lower() for text in shown), shown


def clone_right_after_choosing(
    page: Page, sandbox: RunningSandbox, files: list[Path], name: str
) -> str:
    fill_text(page, "uponai-name", name)
    record_status_texts(page)
    delay = choose_and_click_clone(page, files)
    assert delay < 0.5
    status = page.locator(".uponai-status")
    voice_id = wait_for_card(page)
    assert_waited_for_a_file(page)
    assert page.locator(".uponai-error").is_hidden(), page.locator(".uponai-error").inner_text()
    assert stored_samples(sandbox, voice_id) == expected(files)
    assert "from 3 samples" in status.inner_text()
    return voice_id


def open_notebook7(browser: BrowserContext, server: RunningFrontend) -> Page:
    page = browser.new_page()
    page.goto(server.page_url("clone_voice.ipynb"))
    page.wait_for_function(KERNEL_IDLE, timeout=60_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.locator(".uponai-files").wait_for(state="visible", timeout=60_000)
    return page


def test_lab_three_files_clone_at_once_and_a_fourth_is_kept_for_the_next(
    browser: BrowserContext,
    lab: RunningLab,
    notebook: str,
    sandbox: RunningSandbox,
    tmp_path: Path,
    sixty_mb: Path,
) -> None:
    started = time.monotonic()
    files = three_files(tmp_path, sixty_mb)
    fourth = write_wav(tmp_path / "fourth.wav", seconds=1.0, freq=440)
    page = open_and_run(browser, lab, notebook)
    fill_text(page, "uponai-name", "Lab, three at once")
    record_status_texts(page)
    assert choose_and_click_clone(page, files) < 0.5
    # Once the clone has started (the kernel took the click: it waits, or already uploads), a
    # fourth file: it belongs to the next clone.
    page.wait_for_function(
        "() => window.uponaiStatusTexts.some(t => /waiting for|uploading/i.test(t))",
        timeout=60_000,
    )
    with page.expect_file_chooser() as chooser:
        page.locator(".uponai-files").click()
    chooser.value.set_files([str(fourth)])
    voice_id = wait_for_card(page)
    assert_waited_for_a_file(page)
    assert stored_samples(sandbox, voice_id) == expected(files)
    ready_row(page, fourth.name).wait_for(timeout=30_000)
    assert page.locator(".uponai-samples .uponai-row").count() == 1
    for path in files:
        assert sample_row(page, path.name).count() == 0
    # The next clone sends the kept file, and only it.
    fill_text(page, "uponai-name", "Lab, the fourth")
    page.locator(".uponai-clone").click()
    second = wait_for_card(page, count=2)
    assert second != voice_id
    assert stored_samples(sandbox, second) == expected([fourth])
    print(f"lab three-at-once + fourth: {time.monotonic() - started:.1f} s")
    page.close()


def test_notebook7_three_files_clone_at_once(
    browser: BrowserContext,
    notebook7: RunningFrontend,
    sandbox: RunningSandbox,
    tmp_path: Path,
    sixty_mb: Path,
) -> None:
    started = time.monotonic()
    page = open_notebook7(browser, notebook7)
    clone_right_after_choosing(page, sandbox, three_files(tmp_path, sixty_mb), "Notebook 7 voice")
    screenshot(page, "notebook7-clone-three.png")
    print(f"notebook 7 three-at-once: {time.monotonic() - started:.1f} s")
    page.close()


def test_voila_three_files_clone_at_once(
    browser: BrowserContext,
    voila: RunningFrontend,
    sandbox: RunningSandbox,
    tmp_path: Path,
    sixty_mb: Path,
) -> None:
    started = time.monotonic()
    page = browser.new_page()
    direct_route: list[str] = []
    page.on(
        "request",
        lambda request: (
            direct_route.append(request.method) if "/uponai/direct-upload/" in request.url else None
        ),
    )
    page.goto(voila.page_url())  # Voila runs the notebook itself and shows only outputs
    page.locator(".uponai-files").wait_for(state="visible", timeout=120_000)
    clone_right_after_choosing(page, sandbox, three_files(tmp_path, sixty_mb), "Voila voice")
    screenshot(page, "voila-clone-three.png")
    # Voila's own server loads no server extensions: the page asked whether the direct route
    # takes the files, heard no, and sent every byte over the comm, none twice.
    assert set(direct_route) == {"GET"}
    print(f"voila three-at-once: {time.monotonic() - started:.1f} s")
    page.close()


RESTART_KERNEL = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  panel.sessionContext.session.kernel.restart();
}"""


def test_lab_kernel_restart_mid_transfer_says_run_the_cell_again(
    browser: BrowserContext, lab: RunningLab, notebook: str, sixty_mb: Path
) -> None:
    page = open_and_run(browser, lab, notebook)
    with page.expect_file_chooser() as chooser:
        page.locator(".uponai-files").click()
    chooser.value.set_files([str(sixty_mb)])
    sample_row(page, sixty_mb.name).and_(page.locator(".uponai-row-receiving")).wait_for(
        timeout=30_000
    )
    page.evaluate(RESTART_KERNEL)
    picker_banner = page.locator(".uponai-picker-box .uponai-gone")
    picker_banner.wait_for(state="visible", timeout=30_000)
    assert GONE in picker_banner.inner_text()
    assert "run the cell again" in picker_banner.inner_text()
    assert page.locator(".uponai-files").is_disabled()
    # The whole widget says so too (the buttons' models are disconnected), not "Cannot send".
    page.locator(".uponai-clone-widget.jupyter-widgets-disconnected").wait_for(timeout=30_000)
    assert "Cannot send" not in page.locator(".uponai-clone-widget").inner_text()
    assert page.locator(".uponai-picker-status").inner_text() == ""
    screenshot(page, "browser-kernel-restarted.png")
    page.close()
