"""Chaos batch: 1,000 clone jobs against a sandbox that fails about 10 % of them and is killed.

.venv/bin/python benchmarks/bench_chaos.py [--jobs 1000] [--fault-rate 0.1] [--kills 3]
    [--concurrency 8] [--seed 13]

Starts a test-mode sandbox on 127.0.0.1 (stopped by PID; restarted on the same data directory
after each kill), and aims faults at seeded job names (`{"voice_name": ...}`): 429 with
`Retry-After: 0`, 503, 500 and `{"drop": "after-store"}` (the voice is stored, the connection
closed before the reply), plus a few untargeted `{"drop": "mid-body"}`. During the first
`--kills` runs the sandbox is SIGKILLed at a seeded moment. Each run resumes from the previous
table (`resume=`) until every row is `created`/`skipped` or `unknown`. Then the sandbox's store
(`GET /_sandbox/voices?records=1`) is checked: no name stored twice, every created row stored
exactly once under its voice id, every unknown row stored at most once.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

import uponai_widgets as uw


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sandbox:
    """One sandbox process on 127.0.0.1; the token reaches it through the environment."""

    def __init__(self, data_dir: Path, token: str) -> None:
        self.token = token
        self.url = f"http://127.0.0.1:{_free_port()}"
        port = self.url.rsplit(":", 1)[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("UPONAI_SANDBOX_")}
        env["UPONAI_SANDBOX_TOKEN"] = token
        args = [sys.executable, "-m", "uponai_sandbox", "--host", "127.0.0.1", "--port", port]
        args += ["--data-dir", str(data_dir), "--log-level", "warning", "--test-mode"]
        self.process = subprocess.Popen(
            args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.http = httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.http.get(f"{self.url}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError("the sandbox did not start within 30 s")

    def inject(self, faults: list[dict[str, Any]]) -> None:
        if faults:
            self.http.post(f"{self.url}/_sandbox/faults", json=faults).raise_for_status()

    def records(self) -> list[dict[str, Any]]:
        response = self.http.get(f"{self.url}/_sandbox/voices", params={"records": "1"})
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()
        return found

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def _write_wav(path: Path, freq: int) -> Path:
    rate = 8000
    frames = bytes((int(100 * ((i * freq // rate) % 2)) & 0xFF) for i in range(rate // 10))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(rate)
        out.writeframes(frames)
    return path


def _faults(names: list[str], rate: float, chooser: random.Random) -> list[dict[str, Any]]:
    """About `rate` of `names` get a fault aimed at them; a few mid-body drops besides."""
    faults: list[dict[str, Any]] = []
    for name in chooser.sample(names, round(len(names) * rate)):
        kind = chooser.choice(["429", "503", "500", "after-store"])
        if kind == "after-store":
            faults.append({"drop": "after-store", "voice_name": name})
        elif kind == "429":
            faults.append({"status": 429, "retry_after": 0, "voice_name": name})
        else:
            faults.append({"status": int(kind), "voice_name": name})
    faults.extend({"drop": "mid-body"} for _ in range(max(1, len(names) // 200)))
    return faults


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=13)
    options = parser.parse_args()
    chooser = random.Random(options.seed)
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="chaos-") as temp:
        root = Path(temp)
        samples = [_write_wav(root / f"s{i}.wav", 200 + 30 * i) for i in range(10)]
        jobs = [
            {
                "name": f"chaos-{i}",
                "provider": "bench",
                "workspace_id": 1,
                "samples": [samples[i % 10]],
            }
            for i in range(options.jobs)
        ]
        data_dir = root / "data"
        sandbox = Sandbox(data_dir, token)
        result: uw.BatchResult | None = None
        runs: list[dict[str, Any]] = []
        started = time.perf_counter()
        while True:
            pending = [j["name"] for j in jobs if result is None or _open(result, j["name"])]
            if result is not None and not pending:
                break
            sandbox.inject(_faults(pending, options.fault_rate, chooser))
            connection = uw.connect(
                sandbox.url,
                token,
                retry=uw.RetryPolicy(max_retries=2, backoff_initial=0.01, backoff_max=0.05),
            )
            killed = len(runs) < options.kills
            outcome: dict[str, uw.BatchResult] = {}
            previous = result

            def run(
                connection: Any = connection, previous: Any = previous, outcome: Any = outcome
            ) -> None:
                outcome["result"] = uw.clone_voices(
                    connection,
                    jobs,
                    concurrency=options.concurrency,
                    on_progress=False,
                    resume=previous,
                )

            worker = threading.Thread(target=run)
            run_started = time.perf_counter()
            worker.start()
            if killed:
                time.sleep(chooser.uniform(0.5, 2.0))
                sandbox.kill()
            worker.join()
            connection.close()
            result = outcome["result"]
            runs.append(
                {"killed": killed, "seconds": round(time.perf_counter() - run_started, 2)}
                | result.counts()
            )
            if killed:
                sandbox.stop()
                sandbox = Sandbox(data_dir, token)
        elapsed = time.perf_counter() - started
        records = sandbox.records()
        sandbox.stop()
    assert result is not None
    report = _check(result, records) | {
        "jobs": options.jobs,
        "fault_rate": options.fault_rate,
        "kills": options.kills,
        "concurrency": options.concurrency,
        "seed": options.seed,
        "runs": runs,
        "seconds": round(elapsed, 1),
    }
    print(json.dumps(report, indent=1))
    if report["duplicates"] or report["created_not_stored_once"] or report["unknown_stored_twice"]:
        raise SystemExit(1)


def _open(result: uw.BatchResult, name: str) -> bool:
    """True when the job still has to be sent (failed or cancelled)."""
    row = next(row for row in result if row.name == name)
    return row.status in ("failed", "cancelled")


def _check(result: uw.BatchResult, records: list[dict[str, Any]]) -> dict[str, Any]:
    by_name = Counter(record["name"] for record in records)
    ids = {record["voice_id"]: record["name"] for record in records}
    created = [row for row in result if row.status in ("created", "skipped")]
    unknown = [row for row in result if row.status == "unknown"]
    return {
        "final": result.counts(),
        "stored": len(records),
        "duplicates": sum(1 for count in by_name.values() if count > 1),
        "created_not_stored_once": sum(
            1 for row in created if by_name[row.name] != 1 or ids.get(row.voice_id) != row.name
        ),
        "unknown_rows": len(unknown),
        "unknown_stored": sum(1 for row in unknown if by_name[row.name] == 1),
        "unknown_not_stored": sum(1 for row in unknown if by_name[row.name] == 0),
        "unknown_stored_twice": sum(1 for row in unknown if by_name[row.name] > 1),
    }


if __name__ == "__main__":
    main()
