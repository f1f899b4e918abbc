"""The batch journal: written before each request and at each outcome, replayed on resume, locked."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.batch import VOICE_JSON, CountingTransport, sample_jobs, sandbox_connection

import uponai_widgets as uw
from uponai_devtools.sandbox import RunningSandbox
from uponai_widgets import BatchInterrupted, BatchLockedError, clone_voices, connect
from uponai_widgets.batch._journal import IN_FLIGHT, Journal, read_journal, resume_rows


class JournalReadingTransport(httpx.AsyncBaseTransport):
    """Answers 201, noting what the journal file held on disk when each request arrived."""

    def __init__(self, journal: Path) -> None:
        self.journal = journal
        self.seen: list[tuple[str, list[dict[str, Any]]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        body = b"".join([chunk async for chunk in request.stream])
        records = [json.loads(line) for line in self.journal.read_text().splitlines()]
        name = str(records[-1].get("name"))
        assert f"\r\n\r\n{name}\r\n".encode() in body  # the job this request is for
        self.seen.append((name, records))
        return httpx.Response(201, json={**VOICE_JSON, "voiceId": f"id-{name}", "name": name})


def test_each_job_is_on_disk_before_its_request_and_its_outcome_after(tmp_path: Path) -> None:
    journal = tmp_path / "results.csv.journal"
    transport = JournalReadingTransport(journal)
    connection = connect("http://api.test", "sk-test", httpx_args={"transport": transport})
    jobs = sample_jobs(tmp_path, 3)
    result = clone_voices(connection, jobs, concurrency=1, on_progress=False, journal=journal)
    assert [row.status for row in result] == ["created"] * 3, result.rows
    for name, records in transport.seen:
        assert records[-1]["event"] == "sending"
        assert records[-1]["name"] == name
    outcomes = [
        r for r in map(json.loads, journal.read_text().splitlines()) if r["event"] == "outcome"
    ]
    assert [(r["name"], r["status"], r["voice_id"]) for r in outcomes] == [
        (f"voice-{i}", "created", f"id-voice-{i}") for i in range(3)
    ]
    # The table is rebuilt from the journal alone.
    assert read_journal(journal) == {row.name: row for row in result}


def test_a_job_in_flight_at_the_kill_is_unknown_and_a_torn_line_is_ignored(tmp_path: Path) -> None:
    journal = tmp_path / "out.csv.journal"
    done = {"event": "outcome", "name": "a", "status": "created", "voice_id": "v1", "error": ""}
    lines = [json.dumps(done), json.dumps({"event": "sending", "name": "b"})]
    journal.write_text("\n".join(lines) + '\n{"event": "sending", "na')  # killed mid-write
    rows = resume_rows(tmp_path / "out.csv")  # the table was never written: the journal alone
    assert rows["a"].status == "created"
    assert rows["b"].status == "unknown"
    assert rows["b"].error == IN_FLIGHT
    assert set(rows) == {"a", "b"}
    journal.write_text("\n".join(["{broken", *lines]) + "\n")
    with pytest.raises(ValueError, match="line 1 is damaged"):
        read_journal(journal)


def test_the_same_call_again_resumes_from_the_journal(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    connection = sandbox_connection(sandbox)
    jobs = sample_jobs(tmp_path, 4)
    journal = tmp_path / "j.journal"
    (tmp_path / "j.journal").write_text(
        json.dumps({"event": "sending", "name": "voice-1"}) + "\n"  # a kill left it in flight
    )
    first = clone_voices(connection, jobs, on_progress=False, journal=journal)
    assert [row.status for row in first] == ["created", "unknown", "created", "created"]
    requests = len(sandbox.requests())
    assert requests == 3
    again = clone_voices(connection, jobs, on_progress=False, journal=journal)
    assert [row.status for row in again] == ["skipped", "unknown", "skipped", "skipped"]
    assert len(sandbox.requests()) == requests
    assert again.voice_ids == first.voice_ids


def test_a_second_batch_on_a_locked_journal_refuses_before_sending(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    connection = sandbox_connection(sandbox)
    jobs = sample_jobs(tmp_path, 2)
    table = tmp_path / "results.csv"
    with Journal(tmp_path / "results.csv.journal"):  # another run holds it (flock: per open)
        with pytest.raises(BatchLockedError, match=r"another process .* is running this batch"):
            clone_voices(connection, jobs, on_progress=False, journal=f"{table}.journal")
        with pytest.raises(BatchLockedError):  # resuming its table from elsewhere too
            clone_voices(connection, jobs, on_progress=False, resume=table)
    assert sandbox.requests() == []
    assert isinstance(BatchLockedError("x"), uw.UponAIError)


class CtrlCOnClose(CountingTransport):
    """Answers 201s; Ctrl-C arrives while the batch closes its connection, after the last job."""

    async def aclose(self) -> None:
        signal.raise_signal(signal.SIGINT)
        await asyncio.sleep(0.05)


def test_ctrl_c_while_the_batch_closes_its_connection_still_hands_over_the_table(
    tmp_path: Path,
) -> None:
    transport = CtrlCOnClose(delay=0.01)
    connection = connect("http://api.test", "sk-test", httpx_args={"transport": transport})
    journal = tmp_path / "out.csv.journal"
    with pytest.raises(BatchInterrupted) as info:
        clone_voices(connection, sample_jobs(tmp_path, 3), on_progress=False, journal=journal)
    result = info.value.result
    assert [row.status for row in result] == ["created"] * 3
    assert "after every job had finished" in str(info.value)
    assert transport.count == 3
    assert read_journal(journal) == {row.name: row for row in result}


def test_cancelling_the_async_batch_records_its_rows(tmp_path: Path) -> None:
    class Slow(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            assert isinstance(request.stream, httpx.AsyncByteStream)
            async for _chunk in request.stream:  # the whole body is read, never answered
                pass
            await asyncio.sleep(30)
            raise AssertionError("never answered")

    connection = connect("http://api.test", "sk-test", httpx_args={"transport": Slow()})
    journal = tmp_path / "j.journal"

    async def run() -> None:
        task = asyncio.ensure_future(
            uw.clone_voices_async(
                connection, sample_jobs(tmp_path, 3), concurrency=1, on_progress=False,
                journal=journal,
            )
        )  # fmt: skip
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    rows = read_journal(journal)
    assert rows["voice-0"].status == "unknown"  # its whole body had gone to the transport
    assert set(rows) == {"voice-0"}  # the others never started: sent again on resume
