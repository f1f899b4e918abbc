"""Interruption: task cancellation, Ctrl-C in a script, a kernel interrupt inside a running loop.

Each stops new uploads, cancels the running ones (files closed, nothing more sent) and hands
back the partial table: `CancelledError.result` (async) or `BatchInterrupted.result` (sync).
"""

from __future__ import annotations

import _thread
import asyncio
import signal
import time
from pathlib import Path

import pytest
from support.batch import clones_by_name, open_fds_under, sample_jobs, sandbox_connection

from uponai_devtools.sandbox import RunningSandbox, SandboxFactory
from uponai_widgets import (
    BatchInterrupted,
    BatchResult,
    clone_voices,
    clone_voices_async,
    partial_result,
)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def sandbox(sandbox_factory: SandboxFactory) -> RunningSandbox:
    """A sandbox of the test's own (overrides the shared one).

    These tests count requests exactly, and an upload that another test cancelled may still
    reach the shared sandbox's request log after that log was cleared.
    """
    return sandbox_factory()


def check_partial(result: BatchResult, sandbox: RunningSandbox, total: int) -> None:
    """The partial table agrees with what the sandbox received."""
    assert result.interrupted
    assert len(result) == total
    assert result.counts()["failed"] == 0
    seen = clones_by_name(sandbox)  # a request cut off before its form was read has no name
    for row in result:
        if row.status == "created":
            assert [e["voiceId"] for e in seen[row.name]] == [row.voice_id]
        elif "before its upload started" in row.error:
            assert row.name not in seen  # no byte of its body reached the server
            assert row.bytes == 0
        elif row.status == "unknown":  # its whole request had gone out: it may exist
            assert "may or may not exist" in row.error
            assert len(seen.get(row.name, [])) <= 1
        else:
            assert row.status == "cancelled"
            assert "cannot have created" in row.error
    # At most one request per job that got going (the policy had nothing to retry).
    counts = result.counts()
    created = counts["created"]
    assert created <= len(sandbox.requests()) <= created + counts["cancelled"] + counts["unknown"]


@pytest.mark.slow
def test_cancelling_the_async_batch_keeps_the_finished_jobs(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    jobs = sample_jobs(tmp_path, 6)
    sandbox.inject_fault(latency_ms=1500)  # every request waits 1.5 s before its answer
    done_counts: list[int] = []

    async def main() -> BaseException:
        connection = sandbox_connection(sandbox)
        task = asyncio.create_task(
            clone_voices_async(
                connection, jobs, concurrency=2, on_progress=lambda d, *_: done_counts.append(d)
            )
        )
        # Wait (without a clock) until jobs 1-2 are done and jobs 3-4 are on the wire.
        while not (done_counts and done_counts[-1] == 2 and len(sandbox.requests()) == 4):
            await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError) as caught:
            await task
        await connection.aclose()
        return caught.value

    error = asyncio.run(main())
    assert type(error) is asyncio.CancelledError  # exactly: asyncio matches on the type
    result = partial_result(error)
    assert result is not None
    assert result is error.result  # type: ignore[attr-defined]
    # The two running uploads were small: once their whole requests had gone out they are
    # unknown (the sandbox may still store them); "cancelled" only if cut off before the end.
    statuses = [row.status for row in result]
    assert statuses[:2] == ["created"] * 2
    assert statuses[4:] == ["cancelled"] * 2
    assert set(statuses[2:4]) <= {"unknown", "cancelled"}
    assert "unknown" in statuses[2:4]
    assert ["before its upload started" in row.error for row in result.rows[4:]] == [True, True]
    check_partial(result, sandbox, 6)
    assert open_fds_under(tmp_path) == []  # the cancelled uploads closed their files
    sandbox.clear_faults()
    time.sleep(0.3)  # nothing is still trying to send the remaining jobs
    assert len(sandbox.requests()) == 4

    # Resume from the partial table: only the two jobs that never started are sent; the two
    # unknown ones stay unknown (the sandbox may have stored them) until asked for.
    sandbox.clear_requests()
    again = clone_voices(sandbox_connection(sandbox), jobs, resume=result, on_progress=False)
    expected = ["skipped"] * 2 + [s if s == "unknown" else "created" for s in statuses[2:]]
    assert [row.status for row in again] == expected
    assert [row.voice_id for row in again.rows[:2]] == [row.voice_id for row in result.rows[:2]]
    resent = [row.name for row in result.rows[2:] if row.status == "cancelled"]
    assert sorted(clones_by_name(sandbox)) == sorted(resent)


def test_ctrl_c_in_a_script_raises_keyboard_interrupt_with_the_partial_table(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    jobs = sample_jobs(tmp_path, 8)
    sandbox.inject_fault(latency_ms=300)

    calls: list[int] = []

    def on_progress(done: int, failed: int, total: int, sent: int) -> None:
        calls.append(done)
        if done == 2 and calls.count(2) == 1:
            signal.raise_signal(signal.SIGINT)  # what Ctrl-C does (once)

    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt) as caught:
        clone_voices(sandbox_connection(sandbox), jobs, concurrency=2, on_progress=on_progress)
    assert isinstance(caught.value, BatchInterrupted)
    assert "resume=" in str(caught.value)
    result = caught.value.result
    counts = result.counts()
    assert counts["created"] >= 2
    assert counts["cancelled"] >= 5  # at most one more finished before the cancel landed
    check_partial(result, sandbox, 8)
    assert open_fds_under(tmp_path) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def test_kernel_interrupt_while_called_inside_a_running_loop(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    jobs = sample_jobs(tmp_path, 8)
    sandbox.inject_fault(latency_ms=300)
    calls: list[int] = []

    def on_progress(done: int, failed: int, total: int, sent: int) -> None:
        calls.append(done)
        if done == 2 and calls.count(2) == 1:
            _thread.interrupt_main()  # what a kernel interrupt does to the main thread

    async def notebook_cell() -> BaseException:
        with pytest.raises(KeyboardInterrupt) as caught:
            clone_voices(sandbox_connection(sandbox), jobs, concurrency=2, on_progress=on_progress)
        return caught.value

    # A bare loop like ipykernel's: asyncio.run would install its own SIGINT handler.
    loop = asyncio.new_event_loop()
    try:
        error = loop.run_until_complete(notebook_cell())
    finally:
        loop.close()
    assert isinstance(error, BatchInterrupted)
    check_partial(error.result, sandbox, 8)
    assert error.result.counts()["cancelled"] >= 4
    assert open_fds_under(tmp_path) == []


def test_a_timeout_around_the_async_batch_stays_a_timeout(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    jobs = sample_jobs(tmp_path, 4)
    sandbox.inject_fault(latency_ms=400)

    async def main() -> BaseException:
        connection = sandbox_connection(sandbox)
        try:
            with pytest.raises(TimeoutError) as caught:
                async with asyncio.timeout(0.6):  # after the first round, during the second
                    await clone_voices_async(connection, jobs, concurrency=2, on_progress=False)
        finally:
            await connection.aclose()
        return caught.value

    error = asyncio.run(main())
    result = partial_result(error)
    assert result is not None
    assert result.interrupted
    assert len(result) == 4
    assert result.counts()["failed"] == 0
    assert result.counts()["cancelled"] + result.counts()["unknown"] >= 1
    assert open_fds_under(tmp_path) == []
