"""Bounded concurrency, the progress callback, the tqdm bar in scripts and the notebook view."""

from __future__ import annotations

import asyncio
import itertools
import sys
import threading
from pathlib import Path

import pytest
from support.batch import CountingTransport, open_fds_under, sample_jobs, sandbox_connection

from uponai_devtools.sandbox import RunningSandbox
from uponai_widgets import BatchResult, BatchRow, clone_voices, clone_voices_async, connect
from uponai_widgets.batch._progress import Progress, default_sink
from uponai_widgets.jupyter._batch_view import BatchProgressView

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("concurrency", [1, 3, 8])
def test_concurrency_is_bounded_and_reached(tmp_path: Path, concurrency: int) -> None:
    transport = CountingTransport(delay=0.03)
    connection = connect("http://api.test", "sk-test", httpx_args={"transport": transport})
    jobs = sample_jobs(tmp_path, 12)
    result = asyncio.run(
        clone_voices_async(connection, jobs, concurrency=concurrency, on_progress=False)
    )
    assert result.counts()["created"] == 12
    assert transport.count == 12
    assert transport.max_in_flight == concurrency


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_concurrency_must_be_a_positive_integer(bad: object) -> None:
    with pytest.raises(ValueError, match="concurrency"):
        clone_voices(connect("http://api.test", "sk-test"), [], concurrency=bad)  # type: ignore[arg-type]


def test_progress_callback_counts_jobs_and_bytes(sandbox: RunningSandbox, tmp_path: Path) -> None:
    jobs = sample_jobs(tmp_path, 6)
    jobs[4]["samples"] = []  # fails without a request
    sandbox.inject_fault(status=422, count=1)  # refused: nothing stored, a failed row
    calls: list[tuple[int, int, int, int]] = []
    threads: set[int] = set()

    def on_progress(done: int, failed: int, total: int, sent: int) -> None:
        calls.append((done, failed, total, sent))
        threads.add(threading.get_ident())

    result = clone_voices(sandbox_connection(sandbox), jobs, concurrency=2, on_progress=on_progress)
    assert calls[0] == (0, 0, 6, 0)
    for earlier, later in itertools.pairwise(calls):
        assert all(b >= a for a, b in zip(earlier, later, strict=True))  # never backwards
    total_bytes = sum(row.bytes for row in result)
    assert total_bytes == sum(e["bodyBytes"] for e in sandbox.requests())
    assert calls[-1] == (6, 2, 6, total_bytes)
    assert threads == {threading.get_ident()}
    # Every job completion was reported: done took every value from 0 to 6.
    assert sorted({c[0] for c in calls}) == list(range(7))


def test_callback_runs_in_the_calling_thread_inside_a_running_loop(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    jobs = sample_jobs(tmp_path, 3)
    threads: set[int] = set()
    finals: list[tuple[int, int, int, int]] = []

    def on_progress(*counts: int) -> None:
        threads.add(threading.get_ident())
        finals.append(counts)  # type: ignore[arg-type]

    async def cell() -> BatchResult:
        return clone_voices(sandbox_connection(sandbox), jobs, on_progress=on_progress)

    result = asyncio.run(cell())
    assert threads == {threading.get_ident()}
    assert finals[-1][:3] == (3, 0, 3)
    assert result.counts()["created"] == 3


def test_scripts_get_a_tqdm_bar_and_a_summary(
    sandbox: RunningSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs = sample_jobs(tmp_path, 3)
    clone_voices(sandbox_connection(sandbox), jobs)
    err = capsys.readouterr().err
    assert "Cloning voices" in err
    assert "3/3" in err
    assert "3 jobs: 3 created, 0 unknown, 0 failed, 0 skipped, 0 cancelled" in err


def test_without_tqdm_nothing_is_shown(
    sandbox: RunningSandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm -> ImportError
    assert default_sink(3) is None
    result = clone_voices(sandbox_connection(sandbox), sample_jobs(tmp_path, 2))
    assert result.counts()["created"] == 2
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == ""


def test_progress_throttles_byte_updates_but_never_job_completions() -> None:
    seen: list[tuple[int, int, int, int]] = []
    now = [0.0]

    class Sink:
        def update(self, *counts: int) -> None:
            seen.append(counts)  # type: ignore[arg-type]

        def finish(self, result: BatchResult) -> None:
            seen.append((-1, -1, -1, -1))

    progress = Progress(Sink(), 2, interval=0.1, clock=lambda: now[0])
    progress.start()
    progress.add_bytes(10)  # too soon after the start: counted, not shown
    now[0] = 0.2
    progress.add_bytes(5)
    progress.job_finished(failed=True)  # always shown
    progress.finish(BatchResult([]))
    assert seen == [(0, 0, 2, 0), (0, 0, 2, 15), (1, 1, 2, 15), (1, 1, 2, 15), (-1, -1, -1, -1)]


def test_notebook_view_shows_counts_then_the_table() -> None:
    view = BatchProgressView(4)
    assert view.bar.max == 4
    view.update(2, 1, 4, 3 * 1024)
    assert view.bar.value == 2
    assert view.counts.value == "2 / 4 jobs done, 1 failed, 3.0 KiB sent"
    assert view.bar.bar_style == "warning"
    result = BatchResult(
        [
            BatchRow("a", "created", "voice_1", "", 10, 0.1),
            BatchRow("b", "failed", None, "ServerError: <boom>", 10, 0.1),
            BatchRow("c", "cancelled", None, "cancelled before its upload started"),
        ],
        interrupted=True,
    )
    view.finish(result)
    assert view.bar.bar_style == "danger"
    assert view.bar.description == "Interrupted"
    assert "voice_1" in view.summary.value
    assert "&lt;boom&gt;" in view.summary.value
    assert "3 jobs: 1 created, 0 unknown, 1 failed, 0 skipped, 1 cancelled" in view.summary.value


def test_in_a_kernel_the_default_display_is_the_view(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display

    import uponai_widgets.batch._progress as progress_module

    shown: list[object] = []
    monkeypatch.setattr(progress_module, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    sink = default_sink(5)
    assert isinstance(sink, BatchProgressView)
    assert shown == [sink]


def test_a_failing_progress_callback_stops_the_batch_and_closes_files(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    jobs = sample_jobs(tmp_path, 6)

    def on_progress(done: int, failed: int, total: int, sent: int) -> None:
        if done == 2:
            raise RuntimeError("callback bug")

    with pytest.raises(RuntimeError, match="callback bug"):
        clone_voices(sandbox_connection(sandbox), jobs, concurrency=2, on_progress=on_progress)
    assert open_fds_under(tmp_path) == []
    assert len(sandbox.requests()) < 6  # the batch stopped instead of running on
