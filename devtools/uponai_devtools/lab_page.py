"""Driving JupyterLab and the clone widget in a `DrivenPage` (plain DevTools or Playwright).

Open a notebook and run it, type the voice name, upload a file with JupyterLab's own file
browser (timed, checked byte for byte), and read files in the page without sending them.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import httpx

from uponai_devtools.browser import KERNEL_IDLE
from uponai_devtools.cdp import DrivenPage
from uponai_devtools.lab import RunningLab
from uponai_devtools.measure import WaitedTooLong

__all__ = ["fill_name", "lab_upload", "open_notebook", "read_files_alone", "sha256_file"]

MiB = 1024 * 1024
WIDGET = ".uponai-clone-widget"

#: Reading a file in the browser alone, in the widget's chunk size (`--breakdown`).
READ_ALONE = """async ([selector, chunk]) => {
  const file = document.querySelector(selector).files[0];
  const began = performance.now();
  for (let offset = 0; offset < file.size; offset += chunk) {
    await file.slice(offset, Math.min(offset + chunk, file.size)).arrayBuffer();
  }
  return (performance.now() - began) / 1000;
}"""


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(MiB):
            digest.update(block)
    return digest.hexdigest()


def open_notebook(page: DrivenPage, lab: RunningLab, notebook: str) -> None:
    """Open `notebook` in Lab, wait for an idle kernel, run all cells, wait for the picker."""
    page.goto(lab.notebook_url(notebook))
    page.wait_for(KERNEL_IDLE, 60, "an idle kernel in JupyterLab")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for(f"() => !!document.querySelector('{WIDGET} .uponai-files')", 60, "the widget")


def fill_name(page: DrivenPage, name: str) -> None:
    """Type the voice name (an input event syncs it to the kernel)."""
    page.evaluate(
        """(name) => {
          const field = document.querySelector('.uponai-name input');
          field.value = name;
          field.dispatchEvent(new Event('input', { bubbles: true }));
          field.dispatchEvent(new Event('change', { bubbles: true }));
        }""",
        name,
    )


def lab_upload(page: DrivenPage, lab: RunningLab, path: Path, timeout: float) -> float:
    """Seconds JupyterLab's file browser takes to upload `path` into its root (chunked PUTs)."""
    page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
    began = time.perf_counter()
    page.choose_files('.jp-FileBrowser-toolbar [title="Upload Files"]', [path])
    if path.stat().st_size > 15 * MiB:
        # Lab asks "Large file size warning ... Do you still want to upload it?" above 15 MiB.
        accept = ".jp-Dialog .jp-mod-accept"
        page.wait_for(f"() => !!document.querySelector('{accept}')", 10, "Lab's size warning")
        page.click(accept)
    headers = {"Authorization": f"token {lab.token}"}
    url = f"{lab.url}/api/contents/{path.name}?content=0"
    size = path.stat().st_size
    with httpx.Client(headers=headers, timeout=10) as http:
        while True:
            answer = http.get(url)
            if answer.status_code == 200 and answer.json().get("size") == size:
                seconds = time.perf_counter() - began
                break
            if time.perf_counter() - began > timeout:
                raise WaitedTooLong(
                    f"JupyterLab's own upload of {path.name} not complete after {timeout:.0f} s"
                )
            time.sleep(0.05)
    if sha256_file(lab.root_dir / path.name) != sha256_file(path):
        raise RuntimeError("JupyterLab's upload stored different bytes")
    (lab.root_dir / path.name).unlink()
    return seconds


def read_files_alone(page: DrivenPage, paths: list[Path], chunk: int) -> float:
    """Seconds the page takes to read the files in `chunk`-byte slices, sending nothing."""
    page.evaluate(
        "() => { const i = document.createElement('input'); i.type = 'file'; i.multiple = true;"
        " i.id = 'bench-read-alone'; i.hidden = true; document.body.append(i); }"
    )
    page.set_input_files("#bench-read-alone", paths)
    return float(page.evaluate(READ_ALONE, ["#bench-read-alone", chunk]))
