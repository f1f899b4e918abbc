"""Peak RSS and throughput of cloning 3 x 50 MiB WAVs on loopback, next to raw httpx.

.venv/bin/python benchmarks/bench_clone_memory.py [--size-mib 50] [--runs 5] [--repeat 3]

Runs against two loopback servers, each started here and stopped by PID: a test-mode sandbox
(its store on tmpfs), then a discard-everything sink that makes the client the bottleneck.
Every scenario runs in a fresh child process, so each peak is its own: the child warms up with a
small clone, reads its idle RSS, resets the kernel's peak counter (`/proc/self/clear_refs`),
clones `--repeat` times (keeping the fastest upload and its CPU time), and reads `VmHWM`.

Wall-clock throughput on a shared 2-core machine is noisy (the load average is printed); the
client's own CPU time per GiB (user + system, from getrusage) is the steadier cost figure.

Scenarios, alternated within each round so they share the machine's conditions:
- raw-httpx-files / raw-httpx-async-files: `httpx.(Async)Client.post(data=..., files=[open
  files])`, no cloning layer: the baselines for the sync and the async clone;
- paths / paths-async: `uponai_widgets.clone_voice(_async)` with the three paths;
- memoryview: FileUpload-style entries whose `content` is a memoryview over buffers loaded
  before the idle reading (the peak is measured over the buffers).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from uponai_devtools.sandbox import free_port, start_sandbox, stop_process
from uponai_devtools.wav import make_large_wav, make_wav

ROOT = Path(__file__).resolve().parent.parent

SCENARIOS = ("raw-httpx-files", "paths", "memoryview", "raw-httpx-async-files", "paths-async")
BASELINE = {
    "paths-async": "raw-httpx-async-files",
    "raw-httpx-async-files": "raw-httpx-async-files",
}
MiB = 1024 * 1024
GiB = 1024 * MiB
FIELDS = {"workspaceId": "42", "voiceProvider": "benchmark", "voiceName": "Bench"}


def _status_kib(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def child(scenario: str, url: str, files: list[Path], warmup: Path, repeat: int) -> dict[str, Any]:
    """Run one scenario in this (fresh) process and return its figures."""
    import httpx

    import uponai_widgets as uw

    token = os.environ["UPONAI_API_KEY"]
    buffers: list[bytearray] = []
    if scenario == "memoryview":
        for path in files:
            buffer = bytearray(path.stat().st_size)
            with path.open("rb") as handle:
                handle.readinto(buffer)
            buffers.append(buffer)
    raw = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300)
    connection = uw.connect(url, token)

    def raw_post(paths: list[Path]) -> None:
        handles = [path.open("rb") for path in paths]
        try:
            response = raw.post(
                "/api/voices/clone",
                data=FIELDS,
                files=[
                    ("files", (p.name, h, "audio/wav")) for p, h in zip(paths, handles, strict=True)
                ],
            )
        finally:
            for handle in handles:
                handle.close()
        if response.status_code != 201:
            raise RuntimeError(f"raw httpx got {response.status_code}: {response.text}")

    async_raw = httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300
    )

    async def raw_post_async(paths: list[Path]) -> None:
        handles = [path.open("rb") for path in paths]
        try:
            response = await async_raw.post(
                "/api/voices/clone",
                data=FIELDS,
                files=[
                    ("files", (p.name, h, "audio/wav")) for p, h in zip(paths, handles, strict=True)
                ],
            )
        finally:
            for handle in handles:
                handle.close()
        if response.status_code != 201:
            raise RuntimeError(f"raw httpx got {response.status_code}: {response.text}")

    def clone(samples: list[Any]) -> None:
        uw.clone_voice(
            connection, name="Bench", provider="benchmark", workspace_id=42, samples=samples
        )

    async def clone_async(samples: list[Any]) -> None:
        await uw.clone_voice_async(
            connection, name="Bench", provider="benchmark", workspace_id=42, samples=samples
        )

    run: Any
    if scenario == "raw-httpx-files":
        raw_post([warmup])
        run = lambda: raw_post(files)  # noqa: E731
    elif scenario == "raw-httpx-async-files":
        loop = asyncio.new_event_loop()
        loop.run_until_complete(raw_post_async([warmup]))
        run = lambda: loop.run_until_complete(raw_post_async(files))  # noqa: E731
    elif scenario == "paths":
        clone([warmup])
        run = lambda: clone(files)  # noqa: E731
    elif scenario == "paths-async":
        loop = asyncio.new_event_loop()
        loop.run_until_complete(clone_async([warmup]))
        run = lambda: loop.run_until_complete(clone_async(list(files)))  # noqa: E731
    else:
        clone([warmup])
        entries = [
            {"name": p.name, "type": "audio/wav", "content": memoryview(b)}
            for p, b in zip(files, buffers, strict=True)
        ]
        run = lambda: clone(entries)  # noqa: E731
    idle = _status_kib("VmRSS")
    _reset_peak()
    timings = []
    for _ in range(repeat):
        usage_before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
        usage_after = resource.getrusage(resource.RUSAGE_SELF)
        used = (usage_after.ru_utime - usage_before.ru_utime) + (
            usage_after.ru_stime - usage_before.ru_stime
        )
        timings.append((elapsed, used))
    seconds, cpu = min(timings)  # the least disturbed of the repeats
    peak = _status_kib("VmHWM")
    return {
        "scenario": scenario,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "bytes": sum(p.stat().st_size for p in files),
        "idle_kib": idle,
        "peak_kib": peak,
        "buffers_mib": sum(len(b) for b in buffers) / MiB,
    }


SINK_LIFETIME = 1800.0
SINK_VOICE = {"voiceId": "sink", "name": "Bench", "provider": "benchmark"}


async def _sink_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read each request's body and discard it; answer 201 with a minimal Voice."""
    body = json.dumps(SINK_VOICE).encode()
    answer = (
        b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body
    )
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                key, _, value = line.partition(b":")
                if key.strip().lower() == b"content-length":
                    length = int(value)
            while length:
                chunk = await reader.read(min(length, 1 << 20))
                if not chunk:
                    return
                length -= len(chunk)
            writer.write(answer)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve_sink(port: int) -> None:
    server = await asyncio.start_server(_sink_connection, "127.0.0.1", port)
    print("ready", flush=True)
    async with server:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.serve_forever(), SINK_LIFETIME)


@contextlib.contextmanager
def running_sink() -> Iterator[tuple[str, int]]:
    """A discard-everything HTTP server on 127.0.0.1 (a child process, stopped by PID)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-sink", str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("the sink server did not start")
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        stop_process(process)


def run_round_robin(
    url: str, runs: int, repeat: int, warmup: Path, files: list[Path], env: dict[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """Every scenario `runs` times in fresh child processes, rotating the order each round."""
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in SCENARIOS}
    for round_number in range(runs):
        shift = round_number % len(SCENARIOS)
        for scenario in SCENARIOS[shift:] + SCENARIOS[:shift]:
            args = ["--child", scenario, "--url", url, "--warmup", str(warmup)]
            args += ["--repeat", str(repeat)]
            out = subprocess.run(
                [sys.executable, __file__, *args, *map(str, files)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=600,
            )
            results[scenario].append(json.loads(out.stdout))
    return results


def main() -> None:
    """Print each scenario's median throughput and peak RSS above idle."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="uploads per child; fastest kept")
    parser.add_argument("--child", choices=SCENARIOS)
    parser.add_argument("--url")
    parser.add_argument("--warmup", type=Path)
    parser.add_argument("--serve-sink", type=int, metavar="PORT")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    if args.serve_sink:
        asyncio.run(_serve_sink(args.serve_sink))
        return
    if args.child:
        print(json.dumps(child(args.child, args.url, args.files, args.warmup, args.repeat)))
        return
    command = "python benchmarks/bench_clone_memory.py " + shlex.join(sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="bench-clone-") as scratch:
        work = Path(scratch)
        size = args.size_mib * MiB
        files = [make_large_wav(work / f"take{i}.wav", size, freq=220.0 + 55 * i) for i in range(3)]
        warmup = work / "warmup.wav"
        warmup.write_bytes(make_wav(0.5))
        # The sandbox stores every upload; on tmpfs, disk write-back cannot skew later runs.
        shm = Path("/dev/shm")
        store_root = Path(
            tempfile.mkdtemp(prefix="bench-clone-", dir=shm if shm.is_dir() else work)
        )
        print(f"command: {command}")
        print(
            f"{len(files)} x {args.size_mib} MiB WAV; {args.runs} child processes per scenario, "
            f"each uploading {args.repeat} times and keeping its fastest upload"
        )
        try:
            load_before = os.getloadavg()[0]
            with start_sandbox(store_root / "data") as sandbox:
                env = {**os.environ, "UPONAI_API_KEY": sandbox.token}
                results = run_round_robin(sandbox.url, args.runs, args.repeat, warmup, files, env)
                label = f"sandbox (pid {sandbox.pid}, stores and hashes every upload)"
            report(label, results, load_before)
            load_before = os.getloadavg()[0]
            with running_sink() as (url, pid):
                env = {**os.environ, "UPONAI_API_KEY": "sink-token"}
                results = run_round_robin(url, args.runs, args.repeat, warmup, files, env)
            report(f"discard sink (pid {pid}): the client is the bottleneck", results, load_before)
        finally:
            shutil.rmtree(store_root, ignore_errors=True)


def report(label: str, results: dict[str, list[dict[str, Any]]], load_before: float) -> None:
    """Print throughput (median and best run) and peak RSS above idle for each scenario."""
    print(
        f"\n== server: {label}; 1-min load average {load_before:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after (on {os.cpu_count()} CPUs)"
    )
    median = {
        n: statistics.median(r["bytes"] / r["seconds"] / MiB for r in rs)
        for n, rs in results.items()
    }
    best = {n: max(r["bytes"] / r["seconds"] / MiB for r in rs) for n, rs in results.items()}
    for name in SCENARIOS:
        runs = results[name]
        baseline = BASELINE.get(name, "raw-httpx-files")
        above = statistics.median((r["peak_kib"] - r["idle_kib"]) / 1024 for r in runs)
        worst = max((r["peak_kib"] - r["idle_kib"]) / 1024 for r in runs)
        cpu = statistics.median(r["cpu_seconds"] / (r["bytes"] / GiB) for r in runs)
        cpu_base = statistics.median(
            r["cpu_seconds"] / (r["bytes"] / GiB) for r in results[baseline]
        )
        extra = (
            f"; buffers of {runs[0]['buffers_mib']:.0f} MiB held" if name == "memoryview" else ""
        )
        print(
            f"{name:22s} median {median[name]:6.1f} MiB/s ({median[name] / median[baseline]:4.2f}x), "
            f"best {best[name]:6.1f} MiB/s ({best[name] / best[baseline]:4.2f}x) vs {baseline}; "
            f"client CPU {cpu:5.2f} s/GiB ({cpu / cpu_base:4.2f}x); "
            f"peak RSS above idle: median {above:4.2f} MiB, worst {worst:4.2f} MiB{extra}"
        )


if __name__ == "__main__":
    main()
