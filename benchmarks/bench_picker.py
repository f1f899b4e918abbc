"""A large WAV picked in Chromium and cloned through `VoiceCloneWidget` on a default JupyterLab.

.venv/bin/python benchmarks/bench_picker.py [--size-bytes 1000000000] [--keep-tmp]

Starts, all on 127.0.0.1 and stopped by PID: a test-mode sandbox with per-file/request limits
raised above the file size, a JupyterLab with Jupyter's DEFAULT settings (10 MiB websocket
message ceiling; no repo `jupyter/` config) and headless Debian Chromium. It opens
notebooks/clone_voice.ipynb, runs it, picks the WAV (generated with `make_large_wav` in a temp
dir; Playwright hands Chromium the path, so the browser reads it from disk) and clones. The
notebook copy passes the widget a connection whose client-side `Limits` fit the file (the
API's default is 100 MiB per file).

Measured in the kernel process (found through Lab's sessions API and a /proc scan for its
connection file), from /proc/<pid>/status: VmRSS when idle with the widget shown, then VmHWM
after the browser-to-kernel transfer, after the sample analysis (report + waveform, in a
kernel worker thread) and after the clone; the peak counter is reset (writing 5 to
/proc/<pid>/clear_refs) before each leg. Times: from `set_files` until the kernel lists the
sample (browser -> kernel), and from the Clone click until the voice card shows (upload + clone).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page

from uponai_devtools.browser import chromium, fill_text, open_and_run
from uponai_devtools.lab import NOTEBOOK, kernel_pid, reset_peak, start_lab, status_kib
from uponai_devtools.sandbox import start_sandbox
from uponai_devtools.wav import make_large_wav

ROOT = Path(__file__).resolve().parent.parent

MiB = 1024 * 1024


def wait_visible(page: Page, selector: str, progress: str, started: float) -> None:
    """Poll (bounded: 30 min) until `selector` is visible; print `progress`'s text now and then."""
    deadline = started + 1800
    shown = started
    while not page.locator(selector).first.is_visible():
        error = page.locator(".uponai-error")
        if error.is_visible():
            raise RuntimeError(f"the widget shows an error: {error.inner_text()}")
        now = time.perf_counter()
        if now > deadline:
            raise TimeoutError(f"{selector} not visible after 30 min")
        if now - shown > 10:
            text = page.locator(progress).first.inner_text().replace("\n", " | ")[:200]
            print(f"  {now - started:6.1f} s: {text}", file=sys.stderr, flush=True)
            shown = now
        time.sleep(0.25)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(MiB):
            digest.update(block)
    return digest.hexdigest()


def main() -> None:
    """Run the benchmark once and print the figures and the command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-bytes", type=int, default=1_000_000_000)
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (debugging)")
    args = parser.parse_args()
    command = shlex.join([".venv/bin/python", "benchmarks/bench_picker.py", *sys.argv[1:]])
    tmp = Path(tempfile.mkdtemp(prefix="bench-picker-"))
    try:
        wav = make_large_wav(tmp / "one-gigabyte.wav", args.size_bytes)
        limit = args.size_bytes + 64 * MiB
        extra = ["--max-file-size", str(limit), "--max-request-size", str(limit)]
        root = tmp / "root"
        root.mkdir()
        # The API's default client-side limit is 100 MiB per file: this copy of the notebook
        # gives the widget a connection whose limits fit the file (the sandbox's are raised too).
        source = NOTEBOOK.read_text()
        plain = "VoiceCloneWidget(workspace_id=WORKSPACE_ID)"
        assert plain in source
        raised = (
            "VoiceCloneWidget(__import__('uponai_widgets').connect(limits=__import__("
            f"'uponai_widgets').Limits(max_file_bytes={limit}, max_total_bytes={limit})), "
            "workspace_id=WORKSPACE_ID)"
        )
        (root / "clone_voice.ipynb").write_text(source.replace(plain, raised))
        with start_sandbox(tmp / "sandbox" / "data", extra_args=extra) as sandbox:
            env = {
                "UPONAI_BASE_URL": sandbox.url,
                "UPONAI_API_KEY": sandbox.token,
                "UPONAI_WORKSPACE_ID": "11",
            }
            with (
                start_lab(tmp / "lab", root, kernel_env=env) as lab,
                chromium(tmp / "chromium") as browser,
            ):
                page = open_and_run(browser, lab, "clone_voice.ipynb")
                pid = kernel_pid(lab, "clone_voice.ipynb")
                time.sleep(2)
                idle = status_kib(pid, "VmRSS")
                reset_peak(pid)
                with page.expect_file_chooser() as chooser:
                    page.locator(".uponai-files").click()
                started = time.perf_counter()
                chooser.value.set_files([str(wav)])
                wait_visible(page, ".uponai-transfer-ready", ".uponai-picker", started)
                transfer_s = time.perf_counter() - started
                transfer_peak = status_kib(pid, "VmHWM")
                page.locator(".uponai-samples").get_by_text(wav.name).wait_for(timeout=600_000)
                # Sample insight: inspect_sample + waveform in a kernel worker thread.
                reset_peak(pid)
                started = time.perf_counter()
                wait_visible(page, ".uponai-report .uponai-waveform", ".uponai-overall", started)
                inspect_s = time.perf_counter() - started
                inspect_peak = status_kib(pid, "VmHWM")
                reset_peak(pid)
                fill_text(page, "uponai-name", "Benchmark gigabyte")
                started = time.perf_counter()
                page.locator(".uponai-clone").click()
                wait_visible(page, ".uponai-card", ".uponai-progress + *", started)
                clone_s = time.perf_counter() - started
                clone_peak = status_kib(pid, "VmHWM")
                voice_id = page.locator(".uponai-card .uponai-voice-id").inner_text().strip()
                page.close()
            (sample,) = sandbox.voice_record(voice_id)["samples"]
            intact = sample["sha256"] == sha256(wav) and sample["size"] == wav.stat().st_size
    finally:
        if not args.keep_tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    size_mb = args.size_bytes / 1e6
    print(f"command: {command}")
    print(f"file: {args.size_bytes} B WAV, picked in headless Chromium, default-settings Lab")
    print(f"browser -> kernel: {transfer_s:.1f} s ({size_mb / transfer_s:.1f} MB/s)")
    print(f"upload + clone (kernel -> sandbox): {clone_s:.1f} s")
    print(f"kernel RSS idle: {idle / 1024:.1f} MiB")
    print(
        f"kernel peak RSS during browser -> kernel: {transfer_peak / 1024:.1f} MiB "
        f"(+{(transfer_peak - idle) / 1024:.1f} MiB over idle)"
    )
    print(
        f"kernel peak RSS during sample analysis ({inspect_s:.1f} s): {inspect_peak / 1024:.1f} MiB "
        f"(+{(inspect_peak - idle) / 1024:.1f} MiB over idle)"
    )
    print(
        f"kernel peak RSS during upload + clone: {clone_peak / 1024:.1f} MiB "
        f"(+{(clone_peak - idle) / 1024:.1f} MiB over idle)"
    )
    print(f"sandbox sha256 and size match the file: {intact}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
