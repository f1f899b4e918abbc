"""Drive the clone notebook in JupyterLab with Playwright (headless Debian Chromium)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page, sync_playwright

from uponai_devtools.lab import REPO, RunningLab

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A fake microphone (a beeping tone), granted without a prompt, for the recorder test.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]

# True once the notebook's kernel is connected and idle.
_KERNEL_IDLE = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  const session = panel && panel.sessionContext && panel.sessionContext.session;
  return !!(session && session.kernel && session.kernel.status === 'idle'
            && session.kernel.connectionStatus === 'connected'
            && panel.content && panel.content.widgets && panel.content.widgets.length > 0);
}"""


# Record the kernel connection's status changes in window.__uponaiStatuses.
WATCH_KERNEL_CONNECTION = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session.kernel;
  window.__uponaiStatuses = [];
  kernel.connectionStatusChanged.connect((_, status) => window.__uponaiStatuses.push(status));
}"""

# True once the watched connection has dropped at least once.
KERNEL_DISCONNECTED = """() => (window.__uponaiStatuses || []).some(s => s !== 'connected')"""

# Public name for tests that wait for the kernel again after a reconnect.
KERNEL_IDLE = _KERNEL_IDLE


@contextmanager
def chromium(
    tmp: Path, *, default_timeout_ms: float = 30_000, **context_options: Any
) -> Iterator[BrowserContext]:
    """A headless Chromium with a fresh profile; HOME and TMPDIR inside `tmp`.

    `context_options` go to Playwright's `launch_persistent_context` (a `viewport`, a
    `device_scale_factor`, a `locale`, ...); the viewport is 1280 x 1600 unless given.
    """
    home = tmp / "chromium-home"
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    context_options.setdefault("viewport", {"width": 1280, "height": 1600})
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(tmp / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            env={"HOME": str(home), "TMPDIR": str(home / "tmp"), "PATH": os.environ["PATH"]},
            **context_options,
        )
        context.set_default_timeout(default_timeout_ms)
        try:
            yield context
        finally:
            context.close()


def open_and_run(context: BrowserContext, lab: RunningLab, notebook: str) -> Page:
    """Open `notebook` in Lab, wait for an idle kernel, run all cells, wait for the widget."""
    page = context.new_page()
    page.goto(lab.notebook_url(notebook))
    page.wait_for_function(_KERNEL_IDLE, timeout=60_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.locator(".uponai-files").wait_for(state="visible", timeout=60_000)
    return page


def choose_files(page: Page, paths: Sequence[Path], timeout_ms: int = 60_000) -> None:
    """Click the picker's button, answer the file chooser, wait until the kernel lists them."""
    with page.expect_file_chooser() as chooser:
        page.locator(".uponai-files").click()
    chooser.value.set_files([str(path) for path in paths])
    for path in paths:
        ready_row(page, path.name).wait_for(timeout=timeout_ms)


def sample_row(page: Page, name: str) -> Locator:
    """The sample list's row for `name` (any state)."""
    return page.locator(".uponai-samples .uponai-row").filter(
        has=page.locator(".uponai-row-name", has_text=name)
    )


def ready_row(page: Page, name: str) -> Locator:
    """The sample list's row for `name` once the file is in the kernel."""
    return page.locator(".uponai-samples .uponai-row-ready").filter(
        has=page.locator(".uponai-row-name", has_text=name)
    )


def fill_text(page: Page, css_class: str, value: str) -> None:
    """Type into a Text widget's input and leave it (so the value syncs to the kernel)."""
    field = page.locator(f".{css_class} input")
    field.fill(value)
    field.press("Tab")


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot of the clone widget (scrolled into view) under `test-artifacts/`."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.locator(".uponai-clone-widget").screenshot(path=str(path))
    return path
