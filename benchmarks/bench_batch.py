"""Batch cloning: wall time against the ideal, and client peak memory against the job count.

.venv/bin/python benchmarks/bench_batch.py [--jobs 100] [--concurrency 10] [--latency-ms 100]
    [--runs 5] [--memory-jobs 50,200]

Starts a test-mode sandbox on 127.0.0.1 (store on tmpfs when available; stopped by PID at the
end) with a standing `{"latency_ms": N}` fault: the sandbox sleeps N ms before reading each
request (a latency without `count` lasts until cleared, see sandbox/uponai_sandbox/faults.py).

- Wall time: `clone_voices` of `--jobs` clones, each one 1-second 16 kHz WAV read from its own
  file, at `--concurrency`, against the ideal `ceil(jobs / concurrency) x latency`; also the
  same batch without the added latency (the sandbox's own cost per clone) for context.
- Memory: each `--memory-jobs` count runs in a fresh child process that warms up with a small
  batch, reads its idle RSS, resets the kernel's peak counter (`/proc/self/clear_refs`), runs
  the batch and reads `VmHWM`; tracemalloc's peak of Python allocations is measured in a
  second pass. The token reaches the children through the environment, never the command line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from uponai_devtools.sandbox import start_sandbox
from uponai_devtools.wav import write_wav
from uponai_widgets import connect
from uponai_widgets.batch._run import clone_voices, clone_voices_async

ROOT = Path(__file__).resolve().parent.parent

KiB = 1024
MiB = 1024 * 1024


def _status_kib(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def make_jobs(folder: Path, count: int, prefix: str) -> list[dict[str, Any]]:
    """`count` jobs, each with its own 1-second WAV file (a dataset of one take per speaker)."""
    folder.mkdir(parents=True, exist_ok=True)
    jobs = []
    for index in range(count):
        path = folder / f"{prefix}-{index}.wav"
        if not path.exists():
            write_wav(path, seconds=1.0, freq=110 + (index % 400))
        jobs.append(
            {"name": f"{prefix}-{index}", "provider": "bench", "workspace_id": 1, "samples": [path]}
        )
    return jobs


def run_batch(url: str, token: str, jobs: list[dict[str, Any]], concurrency: int) -> float:
    """Seconds `clone_voices` took; every job must be created."""
    connection = connect(url, token)
    started = time.perf_counter()
    result = clone_voices(connection, jobs, concurrency=concurrency, on_progress=False)
    elapsed = time.perf_counter() - started
    if result.counts()["created"] != len(jobs):
        raise RuntimeError(f"not every clone succeeded: {result.summary()}")
    return elapsed


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_async_warm(url: str, token: str, jobs: list[dict[str, Any]], concurrency: int) -> float:
    """Seconds `clone_voices_async` took on a connection warmed up on the same loop."""

    async def batch() -> float:
        async with connect(url, token) as connection:
            warmup = [{**job, "name": job["name"] + "-warm"} for job in jobs[:concurrency]]
            await clone_voices_async(connection, warmup, concurrency=concurrency, on_progress=False)
            started = time.perf_counter()
            result = await clone_voices_async(
                connection, jobs, concurrency=concurrency, on_progress=False
            )
            elapsed = time.perf_counter() - started
        if result.counts()["created"] != len(jobs):
            raise RuntimeError(f"not every clone succeeded: {result.summary()}")
        return elapsed

    return asyncio.run(batch())


def child(url: str, jobs_count: int, concurrency: int, folder: Path) -> dict[str, Any]:
    """Run in a fresh process: peak RSS above idle, then tracemalloc's peak, for one batch."""
    token = os.environ["UPONAI_BENCH_TOKEN"]
    warmup = make_jobs(folder / "warmup", concurrency, "warm")
    run_batch(url, token, warmup, concurrency)
    jobs = make_jobs(folder / f"jobs-{jobs_count}", jobs_count, f"n{jobs_count}")
    idle_kib = _status_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    seconds = run_batch(url, token, jobs, concurrency)
    peak_kib = _status_kib("VmHWM")
    tracemalloc.start()
    run_batch(url, token, [{**job, "name": job["name"] + "-t"} for job in jobs], concurrency)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "jobs": jobs_count,
        "seconds": seconds,
        "idle_rss_mib": idle_kib / KiB,
        "peak_above_idle_mib": (peak_kib - idle_kib) / KiB,
        "tracemalloc_peak_mib": traced_peak / MiB,
    }


def memory_figures(
    url: str, token: str, counts: list[int], concurrency: int, folder: Path
) -> list[dict[str, Any]]:
    figures = []
    env = {**os.environ, "UPONAI_BENCH_TOKEN": token}
    for count in counts:
        args = [sys.executable, __file__, "--child", url, "--child-jobs", str(count)]
        args += ["--concurrency", str(concurrency), "--child-dir", str(folder)]
        output = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
        figures.append(json.loads(output.stdout.strip().splitlines()[-1]))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory-jobs", default="50,200")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-jobs", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-dir", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        figures = child(options.child, options.child_jobs, options.concurrency, options.child_dir)
        print(json.dumps(figures))
        return 0

    python = os.path.relpath(sys.executable, ROOT)
    command = f"{python} benchmarks/bench_batch.py " + shlex.join(sys.argv[1:])
    print(f"command: {command.strip()}")
    print(f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    tmpfs = Path("/dev/shm")
    base = Path(tempfile.mkdtemp(prefix="bench-batch-", dir=tmpfs if tmpfs.is_dir() else None))
    latency = options.latency_ms / 1000
    rounds = math.ceil(options.jobs / options.concurrency)
    ideal = rounds * latency
    try:
        with start_sandbox(base / "data", extra_args=["--log-level", "error"]) as sandbox:
            jobs = make_jobs(base / "audio", options.jobs, "clone")
            size = Path(jobs[0]["samples"][0]).stat().st_size

            def measure() -> dict[str, float]:
                server_before = _cpu_seconds(sandbox.pid)
                client_before = time.process_time()
                wall = run_batch(sandbox.url, sandbox.token, jobs, options.concurrency)
                return {
                    "wall": wall,
                    "client_cpu": time.process_time() - client_before,
                    "server_cpu": _cpu_seconds(sandbox.pid) - server_before,
                }

            run_batch(sandbox.url, sandbox.token, jobs[: options.concurrency], options.concurrency)
            no_latency = [measure() for _ in range(options.runs)]
            sandbox.inject_fault(latency_ms=options.latency_ms)
            with_latency = [measure() for _ in range(options.runs)]
            warm_async = [
                run_async_warm(sandbox.url, sandbox.token, jobs, options.concurrency)
                for _ in range(options.runs)
            ]
            memory = memory_figures(
                sandbox.url,
                sandbox.token,
                [int(n) for n in options.memory_jobs.split(",")],
                options.concurrency,
                base / "memory",
            )
            sandbox.clear_faults()
    finally:
        subprocess.run(["rm", "-rf", str(base)], check=False)

    def median(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(run[key] for run in runs)

    wall = median(with_latency, "wall")
    walls = ", ".join(f"{run['wall']:.3f}" for run in with_latency)
    print(
        f"{options.jobs} clones of a {size / KiB:.1f} KiB (1 s) WAV, concurrency "
        f"{options.concurrency}, sandbox latency {options.latency_ms} ms, {options.runs} runs"
    )
    print(
        f"clone_voices wall time: median {wall:.3f} s (runs "
        f"{walls}); ideal {ideal:.3f} s "
        f"({rounds} rounds x {latency:.3f} s); ratio {wall / ideal:.2f}x"
    )
    print(
        f"  CPU per batch (median): client {median(with_latency, 'client_cpu'):.3f} s, "
        f"sandbox {median(with_latency, 'server_cpu'):.3f} s"
    )
    warm = statistics.median(warm_async)
    print(
        f"clone_voices_async on a warm connection: median {warm:.3f} s "
        f"(runs {', '.join(f'{w:.3f}' for w in warm_async)}); ratio {warm / ideal:.2f}x"
    )
    print(
        f"same batch without added latency: median {median(no_latency, 'wall'):.3f} s "
        f"(client CPU {median(no_latency, 'client_cpu'):.3f} s, "
        f"sandbox CPU {median(no_latency, 'server_cpu'):.3f} s)"
    )
    for figures in memory:
        print(
            f"memory, {figures['jobs']} jobs: peak RSS above idle "
            f"{figures['peak_above_idle_mib']:.2f} MiB (idle {figures['idle_rss_mib']:.1f} MiB), "
            f"tracemalloc peak {figures['tracemalloc_peak_mib']:.2f} MiB, "
            f"batch {figures['seconds']:.2f} s"
        )
    print(f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
