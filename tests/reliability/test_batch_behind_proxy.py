"""Batches behind a reverse proxy (tests/support/proxy.py) in front of the sandbox.

A proxy answers 502 when the upstream dropped the connection and 504 when it was too slow;
either way the sandbox may have stored the voice. Such rows are ``unknown`` (and say a proxy
may have lost the answer), and ``--resume`` sends nothing for them. A status line whose body
never came is no readable answer either.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.batch import sample_jobs
from support.cli import cli_env, run_cli, speakers
from support.proxy import ReverseProxy
from support.reliability import quick_connection

import uponai_widgets as uw
from uponai_devtools.sandbox import RunningSandbox
from uponai_widgets import BatchResult


@pytest.fixture
def proxy(sandbox: RunningSandbox) -> Iterator[ReverseProxy]:
    """A reverse proxy in front of the session's sandbox (upstream timeout 0.5 s)."""
    with ReverseProxy(sandbox.url, upstream_timeout=0.5) as running:
        yield running


def _stored(sandbox: RunningSandbox, name: str, wait: float = 0.0) -> int:
    deadline = time.monotonic() + wait
    while True:
        count = len(sandbox.voice_ids(name))
        if count or time.monotonic() >= deadline:
            return count
        time.sleep(0.05)


def test_a_502_for_a_stored_voice_is_unknown_and_resume_sends_nothing(
    sandbox: RunningSandbox, proxy: ReverseProxy, tmp_path: Path
) -> None:
    jobs = sample_jobs(tmp_path, 3, prefix="p502")
    sandbox.inject_fault(drop="after-store", voice_name="p502-1")  # stored, then dropped
    connection = quick_connection(proxy.url, sandbox.token)
    first = uw.clone_voices(connection, jobs, on_progress=False)
    rows = {row.name: row for row in first}
    assert rows["p502-1"].status == "unknown"
    assert "502" in rows["p502-1"].error
    assert "proxy" in rows["p502-1"].error
    assert _stored(sandbox, "p502-1") == 1  # the row would have lied as 'failed'
    table = tmp_path / "first.csv"
    first.to_csv(table)
    sandbox.clear_requests()
    again = uw.clone_voices(connection, jobs, on_progress=False, resume=table)
    assert sandbox.requests() == []
    assert {row.name: row.status for row in again}["p502-1"] == "unknown"
    assert _stored(sandbox, "p502-1") == 1


def test_a_504_from_a_slow_upstream_is_unknown_and_the_voice_is_stored_once(
    sandbox: RunningSandbox, proxy: ReverseProxy, tmp_path: Path
) -> None:
    jobs = sample_jobs(tmp_path, 1, prefix="p504")
    sandbox.inject_fault(latency_ms=1200, count=1)  # longer than the proxy's 0.5 s
    connection = quick_connection(proxy.url, sandbox.token)
    (row,) = uw.clone_voices(connection, jobs, on_progress=False)
    assert row.status == "unknown"
    assert "504" in row.error
    assert "proxy" in row.error
    assert _stored(sandbox, "p504-0", wait=5) == 1  # the API went on and stored it
    again = uw.clone_voices(connection, jobs, on_progress=False, resume=BatchResult([row]))
    assert [r.status for r in again] == ["unknown"]
    assert _stored(sandbox, "p504-0") == 1


@pytest.mark.parametrize(
    ("status", "meaning"), [(500, "unknown"), (429, "created"), (503, "created")]
)
def test_after_the_body_5xx_but_503_is_unknown_and_429_503_are_retried(
    sandbox: RunningSandbox, proxy: ReverseProxy, tmp_path: Path, status: int, meaning: str
) -> None:
    jobs = sample_jobs(tmp_path, 1, prefix=f"s{status}")
    sandbox.inject_fault(status=status, count=1)
    (row,) = uw.clone_voices(quick_connection(proxy.url, sandbox.token), jobs, on_progress=False)
    assert row.status == meaning, row
    assert _stored(sandbox, f"s{status}-0") == (1 if meaning == "created" else 0)


def test_cancelled_after_the_status_line_before_the_body_is_unknown(
    sandbox: RunningSandbox, proxy: ReverseProxy, tmp_path: Path
) -> None:
    proxy.configure(hold_after_status=3.0)  # the 201's status line arrives, its body does not
    jobs = sample_jobs(tmp_path, 1, prefix="line")
    connection = quick_connection(proxy.url, sandbox.token)

    async def run() -> BatchResult:
        task = asyncio.ensure_future(uw.clone_voices_async(connection, jobs, on_progress=False))
        deadline = time.monotonic() + 10
        while proxy.events().get("status_sent", 0) < 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)  # the client has read the status line and waits for the body
        task.cancel()
        try:
            await task
        except asyncio.CancelledError as cancelled:
            result = uw.partial_result(cancelled)
            assert result is not None
            return result
        raise AssertionError("the batch was not cancelled")

    (row,) = asyncio.run(run())
    assert row.status == "unknown", row  # never "cancelled ... cannot have created the voice"
    assert _stored(sandbox, "line-0") == 1


@pytest.mark.slow
def test_cli_batch_behind_a_proxy_prints_the_502_row_as_unknown(
    sandbox: RunningSandbox, proxy: ReverseProxy, tmp_path: Path
) -> None:
    folder = speakers(tmp_path / "speakers", ["px-ada", "px-bob"], files_each=1)
    sandbox.inject_fault(drop="after-store", voice_name="px-bob")
    out = tmp_path / "results.csv"
    env_args = ("--provider", "elevenlabs", "--workspace-id", "4", "--out", str(out))
    done = run_cli("batch", folder, *env_args, sandbox=sandbox, env=_env(sandbox, proxy))
    assert done.status == 1, done.text
    assert any(
        line.startswith("unknown   px-bob") and "proxy" in line for line in done.out.splitlines()
    ), done.out
    again = run_cli(
        "batch", folder, *env_args, "--resume", str(out), sandbox=sandbox, env=_env(sandbox, proxy)
    )
    assert again.status == 1, again.text
    # each sent once (side by side: in either order), nothing resent by --resume
    assert sorted(e["fields"]["voiceName"] for e in sandbox.requests()) == ["px-ada", "px-bob"]
    assert _stored(sandbox, "px-bob") == 1


def _env(sandbox: RunningSandbox, proxy: ReverseProxy) -> dict[str, str]:
    env = cli_env(sandbox)
    env["UPONAI_BASE_URL"] = proxy.url
    return env
