"""Large WAVs picked in Chromium and cloned through `VoiceCloneWidget` on a default JupyterLab.

.venv/bin/python benchmarks/bench_picker.py [--size-bytes 1000000000] [--files 1]
    [--clone-at-once] [--lab-upload] [--raw-upload] [--breakdown] [--comm] [--chunk-size N]
    [--window N] [--timeout S] [--discard-samples] [--keep-tmp]

Starts, all on 127.0.0.1 and stopped by PID: a test-mode sandbox with per-file/request limits
raised above the total size, a JupyterLab with Jupyter's DEFAULT settings (10 MiB websocket
message ceiling; no repo `jupyter/` config) and headless Debian Chromium. It opens
notebooks/clone_voice.ipynb, runs it, picks `--files` WAVs of `--size-bytes` each (generated in a
temp dir; Playwright hands Chromium the paths, so the browser reads them from disk) and clones.
The notebook copy passes the widget a connection whose client-side `Limits` fit the files.

Times come from the page's own clock: a poller inside the page records the first moment each
file's row shows "in the kernel" (`.uponai-row-ready`), the status says "Uploading", and the
voice card shows. Default: the files arrive, the analysis (report + waveform) finishes, then
Clone is clicked. `--clone-at-once` clicks Clone right after choosing: the run is then timed from
choosing to the card, and split at the moment the last file arrived.

Kernel memory, from /proc/<kernel pid>/status: VmRSS when idle with the widget shown, VmHWM (peak,
reset by writing 5 to /proc/<pid>/clear_refs) during each leg. CPU seconds of the browser, the
Jupyter server and the kernel during the transfer come from /proc/<pid>/stat.

The picker sends each file over its direct route (one streamed PUT that the Jupyter server writes
into the kernel's temporary file; the package's server extension, enabled by its own config
file, so Lab's settings stay the defaults); `--comm` turns that off (``widget.picker.direct =
False``) to measure the chunked comm path the picker falls back to.

`--discard-samples`: the sandbox hashes and measures what it receives and writes none of it,
so its disk writes (here 2.5-8.5 s of system time per 900 MB, by which memory the guest gets)
are in neither leg. For scale, in the same run: `--raw-upload` posts the same files with plain
httpx (multipart, streamed from disk) to the same sandbox, before JupyterLab starts and after it
stopped (the figure; the two moments differ in the memory the sandbox writes to); `--lab-upload` uploads the first file with JupyterLab's
own file browser (its chunked contents-API upload). `--breakdown` also times, in the kernel,
the chunk handler and its disk writes, and in the browser, reading the file alone.

The generated WAVs are synced to disk before the run (their writeback would otherwise slow
whichever leg came first), and so is everything before `--raw-upload`'s leg. CPU seconds per
process are given for the upload too, the sandbox's included (`--raw-upload`: the sandbox's
and this process's during the raw leg).

Every wait is bounded (`--timeout`, default from the total size); one that runs out fails with
what it waited for and what the widget showed.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from uponai_devtools.browser import chromium
from uponai_devtools.cdp import DrivenPage, PlaywrightDriven, plain_chromium
from uponai_devtools.lab import NOTEBOOK, kernel_pid, reset_peak, start_lab, status_kib
from uponai_devtools.lab_page import (
    fill_name,
    lab_upload,
    open_notebook,
    read_files_alone,
    sha256_file,
)
from uponai_devtools.measure import (
    PageTimeline,
    ProcessCpu,
    WaitedTooLong,
    cpu_seconds,
    load_average,
    pids_with_argument,
)
from uponai_devtools.sandbox import RunningSandbox, start_sandbox
from uponai_devtools.wav import make_large_wav
from uponai_widgets.jupyter._chunk_receiver import DEFAULT_CHUNK

MiB = 1024 * 1024
WIDGET = ".uponai-clone-widget"
ERROR = ".uponai-error"

#: Kernel-side timing of the chunk handler (`--breakdown`), appended to the notebook copy.
BREAKDOWN_CELL = """
import json as _json, time as _time
_store = widget.picker.store
_stats = {{"chunks": 0, "bytes": 0, "handle_s": 0.0, "write_s": 0.0, "first": None, "last": 0.0,
           "messages": {{}}}}
_handle, _write = _store.handle, _store.write
def _timed_write(*args):
    began = _time.perf_counter()
    try:
        return _write(*args)
    finally:
        _stats["write_s"] += _time.perf_counter() - began
def _timed_handle(content, buffers):
    began = _time.perf_counter()
    if _stats["first"] is None:
        _stats["first"] = began
    try:
        return _handle(content, buffers)
    finally:
        _stats["last"] = _time.perf_counter()
        _stats["handle_s"] += _stats["last"] - began
        _kind = str(content.get("type"))
        _stats["messages"][_kind] = _stats["messages"].get(_kind, 0) + 1
        if _kind == "chunk":
            _stats["chunks"] += 1
            _stats["bytes"] += sum(memoryview(b).nbytes for b in buffers)
        with open({path!r}, "w") as _out:
            _json.dump(_stats, _out)
_store.handle, _store.write = _timed_handle, _timed_write
"""


def notebook_copy(source: str, limit: int, args: argparse.Namespace, stats: Path) -> str:
    """The clone notebook with raised client limits, chunk settings and the breakdown timer."""
    plain = "VoiceCloneWidget(workspace_id=WORKSPACE_ID)"
    if plain not in source:
        raise RuntimeError(f"notebooks/clone_voice.ipynb no longer contains {plain!r}")
    raised = (
        "VoiceCloneWidget(__import__('uponai_widgets').connect(limits=__import__("
        f"'uponai_widgets').Limits(max_file_bytes={limit}, max_total_bytes={limit})), "
        "workspace_id=WORKSPACE_ID)"
    )
    notebook = json.loads(source.replace(plain, raised))
    extra = []
    if args.comm:
        extra.append("widget.picker.direct = False")
    if args.chunk_size:
        extra.append(f"widget.picker.chunk_size = {args.chunk_size}")
    if args.window:
        extra.append(f"widget.picker.window = {args.window}")
    if args.breakdown:
        extra.append(BREAKDOWN_CELL.format(path=str(stats)))
    if extra:
        cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
        notebook["cells"].append({**cell, "source": "\n".join(extra)})
    return json.dumps(notebook)


def raw_upload(sandbox: RunningSandbox, paths: list[Path], timeout: float) -> tuple[float, str]:
    """Seconds plain httpx takes to post `paths` (streamed from disk) to the clone endpoint."""
    handles = [path.open("rb") for path in paths]
    try:
        began = time.perf_counter()
        response = httpx.post(
            f"{sandbox.url}/api/voices/clone",
            headers=sandbox.auth_headers,
            data={"workspaceId": "11", "voiceProvider": "benchmark", "voiceName": "Raw httpx"},
            files=[
                ("files", (p.name, h, "audio/wav")) for p, h in zip(paths, handles, strict=True)
            ],
            timeout=timeout,
        )
        seconds = time.perf_counter() - began
    finally:
        for handle in handles:
            handle.close()
    if response.status_code != 201:
        raise RuntimeError(f"raw httpx upload got {response.status_code}: {response.text[:300]}")
    return seconds, str(response.json()["voiceId"])


def timed_raw_upload(
    sandbox: RunningSandbox, paths: list[Path], timeout: float
) -> tuple[float, dict[str, float]]:
    """`raw_upload` after syncing the disk; its seconds and the CPU of the sandbox and httpx."""
    os.sync()  # what was written before is on disk: every leg starts level
    before = {"sandbox": cpu_seconds([sandbox.pid]), "httpx": cpu_seconds([os.getpid()])}
    seconds, _voice_id = raw_upload(sandbox, paths, timeout)
    after = {"sandbox": cpu_seconds([sandbox.pid]), "httpx": cpu_seconds([os.getpid()])}
    return seconds, {k: after[k] - before[k] for k in after}


def run_widget(
    page: DrivenPage, pids: ProcessCpu, wavs: list[Path], args: argparse.Namespace
) -> dict[str, Any]:
    """Choose the files in the widget and clone them; returns the figures."""
    names = {f"arrived {i}": wav.name for i, wav in enumerate(wavs)}
    marks = {
        key: f'{WIDGET} .uponai-row-ready[data-key] .uponai-row-name[title="{name}"]'
        for key, name in names.items()
    }
    marks["card"] = f"{WIDGET} .uponai-card"
    timeline = PageTimeline(page, marks)
    # The status line reads "Uploading N sample(s) and cloning…" from the upload's start.
    timeline.add({"uploading": (f"{WIDGET} .uponai-status", "Uploading")})
    fill_name(page, "Benchmark picker")
    idle = status_kib(pids.kernel, "VmRSS")
    reset_peak(pids.kernel)
    cpu_before = pids.cpu()
    start = timeline.now()
    page.set_input_files(f"{WIDGET} .uponai-picker-box input[type=file]", wavs)
    if args.clone_at_once:
        page.click(".uponai-clone")
    arrived = max(
        timeline.wait(key, f"{names[key]} in the kernel", args.timeout, shown=WIDGET, fail_on=ERROR)
        for key in names
    )
    figures: dict[str, Any] = {"idle_kib": idle, "transfer_s": (arrived - start) / 1000}
    cpu_after = pids.cpu()
    figures["cpu"] = {k: cpu_after[k] - cpu_before[k] for k in cpu_after}
    if not args.clone_at_once:
        figures["transfer_peak_kib"] = status_kib(pids.kernel, "VmHWM")
        timeline.add({"analysed": f"{WIDGET} .uponai-row-ready .uponai-row-wave svg"})
        analysed = timeline.wait("analysed", "the sample's waveform", args.timeout, shown=WIDGET)
        figures["analysis_s"] = (analysed - arrived) / 1000
        figures["analysis_peak_kib"] = status_kib(pids.kernel, "VmHWM")
        reset_peak(pids.kernel)
        start = timeline.now()
        page.click(".uponai-clone")
    cpu_upload = pids.cpu()
    card = timeline.wait("card", "the voice card", args.timeout, shown=WIDGET, fail_on=ERROR)
    cpu_card = pids.cpu()
    figures["upload_cpu"] = {k: cpu_card[k] - cpu_upload.get(k, 0.0) for k in cpu_card}
    figures["clone_peak_kib"] = status_kib(pids.kernel, "VmHWM")
    seen = timeline.seen()
    figures["upload_started_after_arrival_s"] = (seen.get("uploading", card) - arrived) / 1000
    figures["run_s"] = (card - start) / 1000
    figures["clone_s"] = (card - max(start, arrived)) / 1000
    figures["voice_id"] = timeline.text(".uponai-card .uponai-voice-id").strip()
    return figures


def report(figures: dict[str, Any], args: argparse.Namespace, total: int, command: str) -> None:
    """Print the figures."""
    mib = total / MiB
    idle = figures["idle_kib"]

    def above(key: str) -> str:
        return f"+{(figures[key] - idle) / 1024:.1f} MiB over idle"

    print(f"command: {command}")
    print(f"load average at the start: {figures['load_start']}; at the end: {load_average()}")
    print(f"files: {args.files} x {args.size_bytes} B WAV ({mib:.1f} MiB in all), default Lab")
    print(
        f"route: {'comm (chunks over the websocket)' if args.comm else 'direct (one PUT per file)'}"
    )
    total_cpu = sum(figures["cpu"].values())
    print(f"CPU of all processes: {total_cpu:.1f} s ({total_cpu / (total / 1e9):.1f} s per GB)")
    transfer = figures["transfer_s"]
    print(f"browser -> kernel: {transfer:.2f} s ({mib / transfer:.1f} MiB/s)")
    cpu = ", ".join(f"{k} {v:.1f} s" for k, v in figures["cpu"].items())
    print(f"CPU during browser -> kernel: {cpu}")
    print(f"kernel RSS idle: {idle / 1024:.1f} MiB")
    if "transfer_peak_kib" in figures:
        print(f"kernel peak RSS during browser -> kernel: {above('transfer_peak_kib')}")
        print(f"sample analysis: {figures['analysis_s']:.1f} s, {above('analysis_peak_kib')}")
        print(f"upload + clone after the click: {figures['clone_s']:.2f} s")
        print(f"kernel peak RSS during upload + clone: {above('clone_peak_kib')}")
    else:
        print(f"kernel peak RSS over the whole run: {above('clone_peak_kib')}")
        print(f"upload started {figures['upload_started_after_arrival_s']:.2f} s after arrival")
        print(f"upload + clone after the last file arrived: {figures['clone_s']:.2f} s")
        print(f"whole run, choosing to voice card: {figures['run_s']:.2f} s")
    cpu = ", ".join(f"{k} {v:.1f} s" for k, v in figures["upload_cpu"].items() if v >= 0.05)
    print(f"CPU during upload + clone: {cpu}")
    if "raw_s" in figures:
        raw, first = figures["raw_s"], figures["raw_before_s"]
        print(f"raw httpx upload of the same files: {raw:.2f} s ({mib / raw:.1f} MiB/s)")
        cpu = ", ".join(f"{k} {v:.1f} s" for k, v in figures["raw_cpu"].items())
        print(f"CPU during the raw httpx upload: {cpu}")
        print(f"raw httpx upload before the widget's leg: {first:.2f} s ({mib / first:.1f} MiB/s)")
    if "raw_s" in figures and args.clone_at_once:
        ratio = figures["run_s"] / (transfer + figures["raw_s"])
        print(f"whole run / (browser -> kernel + raw httpx upload): {ratio:.2f}x")
        ratio = figures["run_s"] / (transfer + figures["raw_before_s"])
        print(f"the same with the raw upload before the widget's leg: {ratio:.2f}x")
    if "lab_s" in figures:
        lab, first = figures["lab_s"], args.size_bytes / MiB
        print(f"JupyterLab's own upload of the first file: {lab:.2f} s ({first / lab:.1f} MiB/s)")
    if "kernel" in figures:
        k = figures["kernel"]
        span = k["last"] - k["first"]
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(k["messages"].items()))
        print(
            f"kernel chunk handler: {kinds}; {k['handle_s']:.2f} s handling "
            f"(disk writes {k['write_s']:.2f} s) of {span:.2f} s from first to last message"
        )
        print(f"browser reading the files alone: {figures['read_alone_s']:.2f} s")
    print(f"sandbox sha256 and size match every file: {figures['intact']}")


@contextmanager
def driven(tmp: Path, args: argparse.Namespace) -> Iterator[DrivenPage]:
    """A page in headless Chromium, driven as `--driver` says."""
    if args.driver == "cdp":
        with plain_chromium(tmp / "chromium") as page:
            yield page
    else:
        with chromium(tmp / "chromium") as context:
            yield PlaywrightDriven(context.new_page())


def measure(tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Run everything in `tmp`; returns the figures."""
    wavs = [
        make_large_wav(
            tmp / f"sample-{i + 1}-{args.size_bytes}.wav", args.size_bytes, freq=220.0 + 55 * i
        )
        for i in range(args.files)
    ]
    # The generated inputs go to disk before anything is timed: left dirty in the page cache,
    # their writeback (a GB) would land on whichever leg runs first (the widget's upload).
    os.sync()
    total = args.files * args.size_bytes
    limit = total + 64 * MiB
    extra = ["--max-file-size", str(limit), "--max-request-size", str(limit)]
    if args.discard_samples:
        extra.append("--discard-samples")
    root = tmp / "root"
    root.mkdir()
    stats = tmp / "kernel-stats.json"
    source = notebook_copy(NOTEBOOK.read_text(), limit, args, stats)
    (root / "clone_voice.ipynb").write_text(source)
    figures: dict[str, Any] = {"load_start": load_average()}
    with start_sandbox(tmp / "sandbox" / "data", extra_args=extra) as sandbox:
        env = {"UPONAI_BASE_URL": sandbox.url, "UPONAI_API_KEY": sandbox.token}
        env["UPONAI_WORKSPACE_ID"] = "11"
        if args.raw_upload:
            figures["raw_before_s"], _cpu = timed_raw_upload(sandbox, wavs, args.timeout)
        with start_lab(tmp / "lab", root, kernel_env=env) as lab, driven(tmp, args) as page:
            open_notebook(page, lab, "clone_voice.ipynb")
            kernel = kernel_pid(lab, "clone_voice.ipynb")
            pids = ProcessCpu(
                kernel,
                lab.pid,
                pids_with_argument(str(tmp / "chromium" / "chromium-profile")),
                sandbox.pid,
            )
            time.sleep(2)
            figures |= run_widget(page, pids, wavs, args)
            if args.breakdown:
                figures["kernel"] = json.loads(stats.read_text())
                chunk = args.chunk_size or DEFAULT_CHUNK
                figures["read_alone_s"] = read_files_alone(page, wavs, chunk)
            if args.lab_upload:
                figures["lab_s"] = lab_upload(page, lab, wavs[0], args.timeout)
        if args.raw_upload:
            figures["raw_s"], figures["raw_cpu"] = timed_raw_upload(sandbox, wavs, args.timeout)
        samples = sandbox.voice_record(figures["voice_id"])["samples"]
        stored = sorted((s["filename"], s["size"], s["sha256"]) for s in samples)
        figures["intact"] = stored == sorted(
            (p.name, p.stat().st_size, sha256_file(p)) for p in wavs
        )
    return figures


def main() -> int:
    """Run the benchmark once and print the figures and the command."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size-bytes", type=int, default=1_000_000_000, help="bytes per file")
    parser.add_argument("--files", type=int, default=1, help="files chosen at once")
    parser.add_argument("--clone-at-once", action="store_true", help="click Clone right away")
    parser.add_argument("--raw-upload", action="store_true", help="also time plain httpx")
    parser.add_argument(
        "--discard-samples", action="store_true", help="the sandbox keeps no sample on disk"
    )
    parser.add_argument("--lab-upload", action="store_true", help="also time Lab's own upload")
    parser.add_argument("--breakdown", action="store_true", help="time the parts of the transfer")
    parser.add_argument("--comm", action="store_true", help="send over the comm, not the PUT")
    parser.add_argument("--chunk-size", type=int, default=0, help="bytes per chunk (0: widget's)")
    parser.add_argument("--window", type=int, default=0, help="chunks in flight (0: widget's)")
    parser.add_argument("--timeout", type=float, default=0, help="bound of each wait, s")
    parser.add_argument(
        "--driver",
        choices=("cdp", "playwright"),
        default="cdp",
        help="drive Chromium over plain DevTools (default) or Playwright (copies every frame)",
    )
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (debugging)")
    args = parser.parse_args()
    total = args.files * args.size_bytes
    # Default bound: a minute plus 5 MB/s (far below any acceptable speed).
    args.timeout = args.timeout or 60 + total / 5e6
    command = shlex.join([".venv/bin/python", "benchmarks/bench_picker.py", *sys.argv[1:]])
    tmp = Path(tempfile.mkdtemp(prefix="bench-picker-"))
    try:
        figures = measure(tmp, args)
    except WaitedTooLong as exc:
        print(f"command: {command}\nFAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep_tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    report(figures, args, total, command)
    return 0 if figures["intact"] else 1


if __name__ == "__main__":
    sys.exit(main())
