"""Batches against the real sandbox: mixed outcomes, folders, DataFrames, running loops, secrets."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pandas as pd
import pytest
from support.batch import clones_by_name, sample_jobs, sandbox_connection, speaker_folders

import uponai_widgets as uw
import uponai_widgets.jupyter  # registers the batch table's HTML view
from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import write_wav
from uponai_widgets import BatchResult, clone_voices, clone_voices_async, jobs_from_folder

pytestmark = pytest.mark.timeout(60)


def test_mixed_batch_one_failure_never_stops_the_others(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    jobs = sample_jobs(tmp_path, 5)
    # Two invalid jobs (caught before sending) among the valid ones.
    (tmp_path / "notes.txt").write_text("not audio at all")
    jobs.insert(1, {**jobs[0], "name": "not-audio", "samples": [tmp_path / "notes.txt"]})
    jobs.insert(3, {**jobs[0], "name": "bad-workspace", "workspace_id": "abc"})
    # Requests go out in job order at concurrency 1: voice-0 gets the 422 (a refusal, never
    # retried); voice-1 gets the 503, its first retry the 429, its second retry succeeds.
    sandbox.inject_fault(status=422, count=1)
    sandbox.inject_fault(status=503, count=1)
    sandbox.inject_fault(status=429, count=1, retry_after_ms=10)
    result = clone_voices(sandbox_connection(sandbox), jobs, concurrency=1, on_progress=False)

    rows = {row.name: row for row in result}
    assert [row.name for row in result] == [job["name"] for job in jobs]
    assert {name: row.status for name, row in rows.items()} == {
        "voice-0": "failed",
        "not-audio": "failed",
        "voice-1": "created",
        "bad-workspace": "failed",
        "voice-2": "created",
        "voice-3": "created",
        "voice-4": "created",
    }
    assert rows["voice-0"].error.startswith(
        "InvalidRequestError: fault injected by the sandbox (422)"
    )
    assert "HTTP 422" in rows["voice-0"].error
    assert "not-audio" not in rows["voice-0"].error
    assert "notes.txt" in rows["not-audio"].error
    assert "Nothing was sent" in rows["not-audio"].error
    assert "workspace_id" in rows["bad-workspace"].error
    assert rows["not-audio"].bytes == rows["bad-workspace"].bytes == 0

    seen = clones_by_name(sandbox)
    # Invalid jobs sent nothing; the 503 and 429 were retried (the policy's 2 retries), the 422 not.
    assert "not-audio" not in seen
    assert "bad-workspace" not in seen
    assert [e["status"] for e in seen["voice-0"]] == [422]
    assert [e["status"] for e in seen["voice-1"]] == [503, 429, 201]
    assert [e["status"] for e in seen["voice-2"]] == [201]
    # Every created row names the voice the sandbox stored for that job.
    for name in ("voice-1", "voice-2", "voice-3", "voice-4"):
        stored = [e["voiceId"] for e in seen[name] if e["status"] == 201]
        assert stored == [rows[name].voice_id]
        assert sandbox.voice_record(stored[0])["name"] == name
        assert rows[name].bytes == seen[name][-1]["bodyBytes"]
        assert rows[name].seconds > 0


def test_concurrent_failures_are_counted_not_fatal(sandbox: RunningSandbox, tmp_path: Path) -> None:
    jobs = sample_jobs(tmp_path, 10)
    sandbox.inject_fault(status=422, count=3)
    result = clone_voices(sandbox_connection(sandbox), jobs, concurrency=4, on_progress=False)
    counts = result.counts()
    assert counts == {"created": 7, "unknown": 0, "failed": 3, "skipped": 0, "cancelled": 0}
    statuses = sorted(e["status"] for e in sandbox.requests())
    assert statuses == [201] * 7 + [422] * 3
    assert len(set(result.voice_ids.values())) == 7
    assert not result.interrupted


def test_folder_layout_one_voice_per_speaker(sandbox: RunningSandbox, tmp_path: Path) -> None:
    root = speaker_folders(tmp_path / "dataset", ["alice", "bob"])
    write_wav(root / "bob" / "LOUD.WAV", seconds=0.2, freq=900)  # extension case ignored
    (root / "alice" / "transcript.txt").write_text("hello")  # not audio: left out
    (root / "alice" / "nested").mkdir()  # sub-folders of a speaker: left out
    write_wav(root / "alice" / "nested" / "x.wav", freq=300)
    (root / ".cache").mkdir()  # hidden: not a speaker
    write_wav(root / ".cache" / "y.wav", freq=350)
    write_wav(root / "loose.wav", freq=400)  # top-level files: not a speaker
    (root / "carol").mkdir()  # a speaker without audio: a failed job, nothing sent

    jobs = jobs_from_folder(root, provider="elevenlabs", workspace_id=12, tenant_id=34)
    assert [job["name"] for job in jobs] == ["alice", "bob", "carol"]
    assert [Path(p).name for p in jobs[1]["samples"]] == ["LOUD.WAV", "take-0.wav", "take-1.wav"]
    assert all(job["tenant_id"] == 34 and job["workspace_id"] == 12 for job in jobs)

    result = clone_voices(sandbox_connection(sandbox), jobs, on_progress=False)
    rows = {row.name: row for row in result}
    assert rows["alice"].status == rows["bob"].status == "created"
    assert rows["carol"].status == "failed"
    assert "no samples" in rows["carol"].error
    seen = clones_by_name(sandbox)
    assert sorted(seen) == ["alice", "bob"]
    alice = sandbox.voice_record(rows["alice"].voice_id or "")
    assert sorted(f["filename"] for f in seen["alice"][0]["files"]) == ["take-0.wav", "take-1.wav"]
    assert seen["bob"][0]["headers"]["x-tenant-id"] == "34"
    assert alice["name"] == "alice"


def test_jobs_from_folder_rejects_missing_paths_and_unknown_options(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        jobs_from_folder(tmp_path / "nope", provider="p", workspace_id=1)
    write_wav(tmp_path / "file.wav")
    with pytest.raises(NotADirectoryError):
        jobs_from_folder(tmp_path / "file.wav", provider="p", workspace_id=1)
    with pytest.raises(TypeError, match="colour"):
        jobs_from_folder(tmp_path, provider="p", workspace_id=1, colour="red")


def test_dataframe_jobs(sandbox: RunningSandbox, tmp_path: Path) -> None:
    jobs = sample_jobs(tmp_path, 3)
    jobs[2]["samples"] = []  # no samples: a failed row
    frame = pd.DataFrame(jobs)
    frame["tenant_id"] = [None, 55, None]  # a float column with NaN where a row leaves it out
    assert str(frame["tenant_id"].dtype) == "float64"
    assert str(frame["workspace_id"].dtype) == "int64"
    result = clone_voices(sandbox_connection(sandbox), frame, concurrency=2, on_progress=False)
    assert [row.status for row in result] == ["created", "created", "failed"]
    seen = clones_by_name(sandbox)
    assert "x-tenant-id" not in seen["voice-0"][0]["headers"]
    assert seen["voice-1"][0]["headers"]["x-tenant-id"] == "55"
    assert "voice-2" not in seen


def test_bad_jobs_become_failed_rows_without_requests(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    (valid,) = sample_jobs(tmp_path, 1)
    jobs = [
        valid,
        "just a string",
        {"provider": "p", "workspace_id": 1, "samples": []},
        {**valid, "name": "typo", "sampels": []},
        {"name": "incomplete", "samples": valid["samples"]},
        {**valid, "name": "odd-timeout", "timeout": "soon"},  # not an API error: still a row
    ]
    result = clone_voices(sandbox_connection(sandbox), jobs, on_progress=False)
    rows = list(result)
    assert [row.status for row in rows] == ["created"] + ["failed"] * 5
    assert rows[1].name == "job 1"
    assert "a job is a dict" in rows[1].error
    assert rows[2].name == "job 2"
    assert "no name" in rows[2].error
    assert "sampels" in rows[3].error
    assert "workspace_id, provider" in rows[4].error
    assert rows[5].error.startswith("ValidationError:")
    assert sorted(clones_by_name(sandbox)) == ["voice-0"]


def test_wrong_token_fails_every_job_without_leaking_it(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    secret = "sk-batch-wrong-5ecret-token"
    connection = uw.connect(sandbox.url, secret)
    result = clone_voices(connection, sample_jobs(tmp_path, 3), on_progress=False)
    assert [row.status for row in result] == ["failed"] * 3
    assert all(row.error.startswith("AuthenticationError") for row in result)
    assert "UPONAI_API_KEY" in result.rows[0].error
    text = result.to_csv_text() + repr(result) + result._repr_html_()
    assert secret not in text
    assert sandbox.token not in text


def test_sync_call_inside_a_running_event_loop(sandbox: RunningSandbox, tmp_path: Path) -> None:
    connection = sandbox_connection(sandbox)
    jobs = sample_jobs(tmp_path, 4)

    async def notebook_cell() -> BatchResult:
        asyncio.get_running_loop()  # a loop is running, as in a Jupyter kernel
        return clone_voices(connection, jobs, concurrency=2, on_progress=False)

    result = asyncio.run(notebook_cell())
    assert [row.status for row in result] == ["created"] * 4
    # The batch used its own HTTP clients: the caller's connection still works elsewhere.
    more = sample_jobs(tmp_path, 1, prefix="next")
    again = clone_voices(connection, more, on_progress=False)
    assert again.rows[0].status == "created"


def test_async_batch_on_the_callers_loop(sandbox: RunningSandbox, tmp_path: Path) -> None:
    jobs = sample_jobs(tmp_path, 4)

    async def main() -> list[str]:
        async with sandbox_connection(sandbox) as connection:
            first = await clone_voices_async(connection, jobs[:2], on_progress=False)
            second = await clone_voices_async(connection, jobs[2:], on_progress=False)
        return [row.status for row in (*first, *second)]

    assert asyncio.run(main()) == ["created"] * 4


@pytest.mark.parametrize("jobs", [{"name": "x"}, "jobs.csv", 42])
def test_jobs_of_the_wrong_kind_are_refused(jobs: object) -> None:
    with pytest.raises(TypeError, match="jobs must be"):
        clone_voices(uw.connect("http://api.test", "sk-test"), jobs, on_progress=False)
