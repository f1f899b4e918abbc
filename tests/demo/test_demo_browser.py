"""`make demo` end to end in a real browser: the notebook clones a voice and plays its preview.

Runs scripts/demo.py exactly as `make demo` does (it serves its scratch copy of the notebooks
folder), then drives headless Debian Chromium through the printed URL: run all cells, choose two
WAVs, clone, wait for the card, play the preview, save. The repository stays as it was.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest
from support.demo_process import REPO, running_demo

from uponai_devtools.browser import ARTIFACTS, chromium
from uponai_devtools.sandbox import pid_alive
from uponai_devtools.wav import write_wav

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

PLAYS = """async (audio) => {
  audio.muted = true;
  await audio.play();
  const start = Date.now();
  while (audio.currentTime === 0 && Date.now() - start < 10000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {time: audio.currentTime, duration: audio.duration, error: audio.error && audio.error.code};
}"""


def git_status() -> str:
    done = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=REPO, capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return done.stdout


def test_make_demo_notebook_clones_and_plays_the_preview(tmp_path: Path) -> None:
    samples = [write_wav(tmp_path / f"take{i}.wav", seconds=2.0, freq=220.0 * i) for i in (1, 2)]
    before = git_status()
    tracked = (REPO / "notebooks" / "clone_voice.ipynb").read_bytes()
    scratch = tmp_path / ".demo" / "lab" / "notebooks" / "clone_voice.ipynb"
    with running_demo(tmp_path) as demo:
        url, token = demo.wait_ready().groups()
        # Chromium's singleton socket path must stay short: a pytest tmp path is too long.
        with tempfile.TemporaryDirectory(prefix="demo-") as short, chromium(Path(short)) as context:
            page = context.new_page()
            page.goto(f"{url}?token={token}")
            page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
            page.get_by_text("| Idle").wait_for(timeout=90_000)  # the kernel status bar item
            page.wait_for_timeout(1500)
            dirty = page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count()
            assert dirty == 0, "the notebook is marked unsaved as soon as it opens"
            page.locator(".lm-MenuBar-item", has_text="Run").first.click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            page.locator(".uponai-files").wait_for(state="visible", timeout=120_000)
            with page.expect_file_chooser() as chooser:
                page.locator(".uponai-files").first.click()
            chooser.value.set_files([str(p) for p in samples])
            page.locator(".uponai-samples").get_by_text("take2.wav").wait_for(timeout=60_000)
            page.locator(".uponai-name input").fill("Demo voice")
            page.locator(".uponai-clone").first.click()
            card = page.locator(".uponai-card")
            card.wait_for(state="visible", timeout=120_000)
            voice_id = card.locator(".uponai-voice-id").inner_text().strip()
            assert voice_id
            audio = card.locator("audio")
            source = audio.get_attribute("src") or audio.locator("source").get_attribute("src")
            assert source
            preview = httpx.get(source, timeout=10)
            assert preview.status_code == 200
            assert preview.headers["content-type"].startswith("audio/")
            played = audio.evaluate(PLAYS)
            assert played["error"] is None, played
            assert played["time"] > 0, played
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "make-demo.png"), full_page=True)
            page.keyboard.press("Control+s")
            page.locator(".jp-Notebook").first.click()
            page.keyboard.press("Control+s")
            page.wait_for_function(
                "() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
                timeout=30_000,
            )
        assert scratch.read_bytes() != tracked  # the save went to the scratch copy
        assert (REPO / "notebooks" / "clone_voice.ipynb").read_bytes() == tracked
        assert git_status() == before
        assert demo.interrupt() == 0, demo.output()
        for pid in demo.server_pids:
            assert not pid_alive(pid)
