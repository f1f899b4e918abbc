"""The sandbox killed mid-batch and Ctrl-C during 3 MB uploads, then resumed: no duplicates.

Voices are counted by unique name in the sandbox's store (`RunningSandbox.voice_counts`), and
every row must be truthful: `created` / `skipped` rows exist exactly once with their voice id,
`unknown` rows at most once, `failed` / `cancelled` rows not at all.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from support.reliability import quick_connection

import uponai_widgets as uw
from uponai_devtools.sandbox import RunningSandbox, SandboxFactory
from uponai_devtools.wav import make_large_wav, write_wav

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


def check_truthful(result: uw.BatchResult, sandbox: RunningSandbox) -> None:
    """Every row agrees with the sandbox's store; no name is stored twice."""
    counts = sandbox.voice_counts()
    assert [name for name, count in counts.items() if count > 1] == []
    for row in result:
        stored = counts.get(row.name, 0)
        if row.status in ("created", "skipped"):
            assert stored == 1, row
            assert sandbox.voice_ids(row.name) == [row.voice_id], row
        elif row.status == "unknown":
            assert stored <= 1, row
        else:
            assert stored == 0, row


def _stored(data_dir: Path) -> int:
    voices = data_dir / "voices"
    return sum(1 for _ in voices.iterdir()) if voices.exists() else 0


def _jobs(folder: Path, prefix: str, count: int) -> list[dict[str, Any]]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        {
            "name": f"{prefix}-{index}",
            "provider": "elevenlabs",
            "workspace_id": 9,
            "samples": [
                write_wav(folder / f"{prefix}-{index}.wav", seconds=0.1, freq=150 + 7 * index)
            ],
        }
        for index in range(count)
    ]


def _run_until_killed(
    sandbox: RunningSandbox, jobs: list[dict[str, Any]], kind: str, value: float
) -> uw.BatchResult:
    """Run the batch on a thread; SIGKILL the sandbox at the kill point; the batch's table."""
    connection = quick_connection(sandbox.url, sandbox.token, max_retries=1)
    outcome: dict[str, uw.BatchResult] = {}

    def run() -> None:
        outcome["result"] = uw.clone_voices(connection, jobs, concurrency=4, on_progress=False)

    before = _stored(sandbox.data_dir)
    worker = threading.Thread(target=run)
    worker.start()
    if kind == "store":  # right after the n-th store: the window between storing and replying
        deadline = time.monotonic() + 5
        while _stored(sandbox.data_dir) < before + value and time.monotonic() < deadline:
            time.sleep(0.0005)
    else:
        time.sleep(value)
    os.kill(sandbox.pid, signal.SIGKILL)
    worker.join(60)
    assert not worker.is_alive()
    connection.close()
    return outcome["result"]


def test_twenty_seeded_kills_then_resume_never_duplicate(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    chooser = random.Random(1313)
    points: list[tuple[str, float]] = [("store", chooser.randint(1, 5)) for _ in range(8)]
    points += [("delay", chooser.uniform(0.01, 0.2)) for _ in range(12)]
    chooser.shuffle(points)
    data_dir = tmp_path / "data"
    sandbox = sandbox_factory(data_dir)
    totals = {"unknown": 0, "created": 0, "failed": 0}
    for number, (kind, value) in enumerate(points):
        jobs = _jobs(tmp_path / "samples", f"k{number}", 10)
        killed = _run_until_killed(sandbox, jobs, kind, value)
        sandbox_factory.stop(sandbox)
        sandbox = sandbox_factory(data_dir)  # the same store, as a crash leaves it
        check_truthful(killed, sandbox)
        for status in totals:
            totals[status] += killed.counts()[status]
        resumed = uw.clone_voices(
            quick_connection(sandbox.url, sandbox.token),
            jobs,
            on_progress=False,
            resume=killed,
        )
        check_truthful(resumed, sandbox)
        assert {row.status for row in resumed} <= {"created", "skipped", "unknown"}
        assert resumed.counts()["unknown"] == killed.counts()["unknown"]
    # The kill points did reach the interesting states (seeded, so this is stable).
    assert totals["unknown"] > 0
    assert totals["failed"] > 0
    assert totals["created"] > 0
    assert sum(kind == "store" for kind, _ in points) >= 5


_CTRL_C_SCRIPT = textwrap.dedent(
    """
    import os, sys
    import uponai_widgets as uw

    samples, table = sys.argv[1], sys.argv[2]
    jobs = [
        {"name": name[:-4], "provider": "p", "workspace_id": 3, "samples": [f"{samples}/{name}"]}
        for name in sorted(os.listdir(samples))
    ]
    connection = uw.connect(os.environ["SANDBOX_URL"], os.environ["SANDBOX_TOKEN"])

    def progress(done, failed, total, sent):
        print("progress", flush=True)

    try:
        uw.clone_voices(connection, jobs, concurrency=2, on_progress=progress)
    except uw.BatchInterrupted as interrupted:
        interrupted.result.to_csv(table)
        raise
    """
)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ctrl_c_during_3_mb_uploads_then_resume(
    sandbox: RunningSandbox, tmp_path: Path, seed: int
) -> None:
    chooser = random.Random(seed)
    samples = tmp_path / "samples"
    samples.mkdir()
    for index in range(6):
        make_large_wav(samples / f"ctrl{seed}-{index}.wav", 3 * 1024 * 1024, freq=200 + index)
    script = tmp_path / "batch.py"
    script.write_text(_CTRL_C_SCRIPT)
    sandbox.inject_fault(latency_ms=250)  # each request waits: the batch lasts about a second
    table = tmp_path / "partial.csv"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "SANDBOX_URL": sandbox.url,
        "SANDBOX_TOKEN": sandbox.token,
    }
    process = subprocess.Popen(
        [sys.executable, str(script), str(samples), str(table)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert process.stdout is not None
        assert b"progress" in process.stdout.readline()
        time.sleep(chooser.uniform(0.05, 0.4))
        os.kill(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)
    assert process.returncode == -signal.SIGINT, stderr.decode(errors="replace")[-2000:]
    partial = uw.BatchResult.from_file(table)
    time.sleep(0.5)  # an upload the client gave up on may still be stored by the sandbox
    check_truthful(partial, sandbox)
    jobs = [
        {"name": path.stem, "provider": "p", "workspace_id": 3, "samples": [path]}
        for path in sorted(samples.iterdir())
    ]
    resumed = uw.clone_voices(
        quick_connection(sandbox.url, sandbox.token), jobs, on_progress=False, resume=table
    )
    check_truthful(resumed, sandbox)
    assert {row.status for row in resumed} <= {"created", "skipped", "unknown"}
