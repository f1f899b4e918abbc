"""Real JupyterLab + Chromium: the picker's chunks stay under the server's message ceiling.

A default Jupyter server drops any websocket message over 10 MiB without a word. The picker
sends 8 MiB chunks and never more than 9 MiB whatever ``chunk_size`` says: a notebook that asks
for 64 MiB chunks still gets its 30 MB file, byte for byte, on a default-settings server.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext
from support.sandbox_http import sha256_file

from uponai_devtools.browser import choose_files, fill_text, open_and_run
from uponai_devtools.lab import NOTEBOOK, RunningLab
from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_large_wav

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def test_chunk_size_over_the_message_ceiling_still_delivers_the_file(
    browser: BrowserContext, lab: RunningLab, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    notebook = json.loads(NOTEBOOK.read_text())
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    notebook["cells"].append({**cell, "source": "widget.picker.chunk_size = 64 * 1024 * 1024"})
    name = "chunk_ceiling.ipynb"
    (lab.root_dir / name).write_text(json.dumps(notebook))
    wav = make_large_wav(tmp_path / "thirty-mb.wav", 30_000_000)
    page = open_and_run(browser, lab, name)
    try:
        choose_files(page, [wav], timeout_ms=120_000)
        fill_text(page, "uponai-name", "Under the ceiling")
        page.locator(".uponai-clone").click()
        page.locator(".uponai-card").wait_for(state="visible", timeout=120_000)
        voice_id = page.locator(".uponai-card .uponai-voice-id").inner_text().strip()
        (stored,) = sandbox.voice_record(voice_id)["samples"]
        assert (stored["filename"], stored["size"], stored["sha256"]) == (
            wav.name,
            wav.stat().st_size,
            sha256_file(wav),
        )
    finally:
        page.close()
        headers = {"Authorization": f"token {lab.token}"}
        with httpx.Client(base_url=lab.url, headers=headers, timeout=10) as http:
            for session in http.get("/api/sessions").json():
                if session.get("path") == name:
                    http.delete(f"/api/sessions/{session['id']}")
