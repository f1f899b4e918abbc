"""Real JupyterLab + Chromium: the picker's comm path, under the server's message ceiling and
as the fall-back of the direct route.

A default Jupyter server drops any websocket message over 10 MiB without a word. Over the comm
the picker sends 8 MiB chunks and never more than 9 MiB whatever ``chunk_size`` says: a notebook
that turns the direct route off and asks for 64 MiB chunks still gets its 30 MB file, byte for
byte, on a default-settings server. A kernel whose files the server cannot reach gets its file
over the comm too.
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


def clone_through(
    browser: BrowserContext,
    lab: RunningLab,
    sandbox: RunningSandbox,
    wav: Path,
    name: str,
    first: str,
    last: str,
    kernel_files: Path | None = None,
) -> None:
    """Run the clone notebook with `first` and `last` as extra cells, pick `wav`, clone it and
    check the sandbox stored it byte for byte (and, given `kernel_files`, that the kernel's
    temporary file of it was in that folder once it arrived)."""
    notebook = json.loads(NOTEBOOK.read_text())
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    notebook["cells"].insert(0, {**cell, "source": first})
    notebook["cells"].append({**cell, "source": last})
    (lab.root_dir / name).write_text(json.dumps(notebook))
    page = open_and_run(browser, lab, name)
    try:
        choose_files(page, [wav], timeout_ms=120_000)
        if kernel_files is not None:
            sizes = [p.stat().st_size for p in kernel_files.glob("uponai-samples-*/*.audio")]
            assert sizes == [wav.stat().st_size]
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


def test_chunk_size_over_the_message_ceiling_still_delivers_the_file(
    browser: BrowserContext, lab: RunningLab, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    wav = make_large_wav(tmp_path / "thirty-mb.wav", 30_000_000)
    last = "widget.picker.direct = False\nwidget.picker.chunk_size = 64 * 1024 * 1024"
    clone_through(browser, lab, sandbox, wav, "chunk_ceiling.ipynb", "", last)


def test_a_kernel_the_server_cannot_write_for_gets_the_file_over_the_comm(
    browser: BrowserContext, lab: RunningLab, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A kernel whose temporary files the server does not see (another machine, another
    temporary directory): the direct route answers 404 and the picker falls back to chunks."""
    elsewhere = (
        "import pathlib, tempfile\n"
        "_elsewhere = pathlib.Path(tempfile.gettempdir()) / 'kernel-elsewhere'\n"
        "_elsewhere.mkdir(exist_ok=True)\n"
        "tempfile.tempdir = str(_elsewhere)"
    )
    wav = make_large_wav(tmp_path / "twenty-mb.wav", 20_000_000)
    kernel_files = lab.tmp_dir / "kernel-elsewhere"
    clone_through(browser, lab, sandbox, wav, "direct_fallback.ipynb", elsewhere, "", kernel_files)
