"""Resume without duplicates: the saved table is the record of which voices exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.batch import clones_by_name, sample_jobs, sandbox_connection

from uponai_devtools.sandbox import RunningSandbox
from uponai_widgets import clone_voices


@pytest.mark.parametrize("form", ["object", "csv", "json"])
def test_resume_sends_only_the_jobs_not_created(
    sandbox: RunningSandbox, tmp_path: Path, form: str
) -> None:
    connection = sandbox_connection(sandbox)
    jobs = sample_jobs(tmp_path, 5)
    sandbox.inject_fault(status=422, count=2)  # refused: nothing stored
    first = clone_voices(connection, jobs, concurrency=1, on_progress=False)
    assert [row.status for row in first] == ["failed", "failed", "created", "created", "created"]
    resume: object = first
    if form == "csv":
        resume = tmp_path / "first.csv"
        first.to_csv(resume)
    elif form == "json":
        resume = str(tmp_path / "first.json")
        first.to_json(resume)

    sandbox.clear_requests()
    second = clone_voices(connection, jobs, resume=resume, on_progress=False)  # type: ignore[arg-type]
    assert [row.status for row in second] == ["created", "created", "skipped", "skipped", "skipped"]
    assert sorted(clones_by_name(sandbox)) == ["voice-0", "voice-1"]
    # Skipped rows keep the voice id from the first run; nothing was sent for them.
    assert second.voice_ids == {**first.voice_ids, **second.voice_ids}
    assert len(set(second.voice_ids.values())) == 5
    assert [row.bytes for row in second.rows[2:]] == [0, 0, 0]


def test_resuming_a_resumed_run_still_skips_everything_created(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    connection = sandbox_connection(sandbox)
    jobs = sample_jobs(tmp_path, 3)
    sandbox.inject_fault(status=422, count=1)  # refused: nothing stored
    first = clone_voices(connection, jobs, concurrency=1, on_progress=False)
    first.to_csv(tmp_path / "run.csv")
    second = clone_voices(connection, jobs, resume=tmp_path / "run.csv", on_progress=False)
    second.to_csv(tmp_path / "run.csv")  # the usual loop: save over the same record
    assert [row.status for row in second] == ["created", "skipped", "skipped"]
    before = len(sandbox.requests())
    third = clone_voices(connection, jobs, resume=tmp_path / "run.csv", on_progress=False)
    assert [row.status for row in third] == ["skipped"] * 3
    assert len(sandbox.requests()) == before  # the third run sent nothing
    assert third.voice_ids == second.voice_ids
    # Exactly one voice per job was created on the server across the three runs.
    created = [e["fields"]["voiceName"] for e in sandbox.requests() if e["status"] == 201]
    assert sorted(created) == ["voice-0", "voice-1", "voice-2"]


def test_resume_with_new_jobs_added(sandbox: RunningSandbox, tmp_path: Path) -> None:
    connection = sandbox_connection(sandbox)
    jobs = sample_jobs(tmp_path, 4)
    first = clone_voices(connection, jobs[:2], on_progress=False)
    sandbox.clear_requests()
    second = clone_voices(connection, jobs, resume=first, on_progress=False)
    assert [row.status for row in second] == ["skipped", "skipped", "created", "created"]
    assert sorted(clones_by_name(sandbox)) == ["voice-2", "voice-3"]


def test_duplicate_names_are_refused_before_anything_is_sent(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    jobs = sample_jobs(tmp_path, 3)
    jobs[2]["name"] = " voice-0 "  # the API strips names, so this is the same voice name
    with pytest.raises(ValueError, match="unique") as caught:
        clone_voices(sandbox_connection(sandbox), jobs, on_progress=False)
    assert "'voice-0'" in str(caught.value)
    assert sandbox.requests() == []


def test_resume_from_a_missing_or_bad_file_sends_nothing(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    jobs = sample_jobs(tmp_path, 2)
    with pytest.raises(FileNotFoundError):
        clone_voices(sandbox_connection(sandbox), jobs, resume=tmp_path / "nope.csv")
    (tmp_path / "bad.csv").write_text("hello\n")
    with pytest.raises(ValueError, match="columns"):
        clone_voices(sandbox_connection(sandbox), jobs, resume=tmp_path / "bad.csv")
    assert sandbox.requests() == []
