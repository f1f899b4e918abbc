"""`uponai-voices batch` against the sandbox: folders and CSV, --resume, exit statuses, progress."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from support.cli import COMMAND, Done, assert_clean, cli_env, run_cli, speakers

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import write_wav
from uponai_widgets import BatchResult

BATCH = ("batch", "--provider", "elevenlabs", "--workspace-id", "42")


def test_a_folder_of_speakers_then_resume_sends_nothing_twice(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    folder = speakers(tmp_path / "speakers", ["ada", "bob", "cy"])
    out = tmp_path / "results.csv"
    done = run_cli(*BATCH, folder, "--out", out, sandbox=sandbox)
    assert done.status == 0, done.text
    first = BatchResult.from_file(out)
    assert first.counts()["created"] == 3
    assert len(sandbox.requests()) == 3
    for row in first:
        assert sandbox.voice_record(str(row.voice_id))["name"] == row.name
        assert f"created   {row.name}  {row.voice_id}" in done.out

    sandbox.clear_requests()
    again = run_cli(*BATCH, folder, "--resume", out, "--out", out, sandbox=sandbox)
    assert again.status == 0, again.text
    assert sandbox.requests() == []
    second = BatchResult.from_file(out)
    assert second.counts()["skipped"] == 3
    assert second.voice_ids == first.voice_ids


@pytest.mark.slow
def test_resume_sends_only_what_failed(sandbox: RunningSandbox, tmp_path: Path) -> None:
    folder = speakers(tmp_path / "speakers", ["ada", "bob"])
    out = tmp_path / "results.json"
    sandbox.inject_fault(status=422, count=1)  # the first upload is refused
    done = run_cli(*BATCH, folder, "--concurrency", "1", "--out", out, sandbox=sandbox)
    assert done.status == 1, done.text
    first = BatchResult.from_file(out)
    assert first.counts()["failed"] == 1
    assert first.counts()["created"] == 1
    (failed,) = first.by_status("failed")
    sandbox.clear_requests()
    again = run_cli(*BATCH, folder, "--resume", out, "--out", out, sandbox=sandbox)
    assert again.status == 0, again.text
    (request,) = sandbox.requests()
    assert request["fields"]["voiceName"] == failed.name


def test_a_csv_of_jobs_with_relative_samples(sandbox: RunningSandbox, tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    for number, name in enumerate(("a1.wav", "a2.wav", "sub/b1.wav")):
        (jobs / name).parent.mkdir(parents=True, exist_ok=True)
        write_wav(jobs / name, seconds=1.0, freq=250.0 + 50 * number)
    (jobs / "jobs.csv").write_text(
        "name,provider,workspace_id,samples,tenant_id\n"
        "Ada,elevenlabs,5,a1.wav; a2.wav,\n"
        "Bob,,,sub/b1.wav,9\n"
    )
    out = tmp_path / "results.csv"
    done = run_cli(
        "batch", jobs / "jobs.csv", "--provider", "demo", "--workspace-id", "1", "--out", out,
        sandbox=sandbox, cwd=tmp_path,
    )  # fmt: skip
    assert done.status == 0, done.text
    result = BatchResult.from_file(out)
    ada, bob = (sandbox.voice_record(result.voice_ids[name]) for name in ("Ada", "Bob"))
    assert len(ada["samples"]) == 2
    assert len(bob["samples"]) == 1
    forms = {r["fields"]["voiceName"]: r for r in sandbox.requests()}
    assert forms["Ada"]["fields"]["voiceProvider"] == "elevenlabs"
    assert forms["Ada"]["fields"]["workspaceId"] == "5"
    assert forms["Bob"]["fields"]["voiceProvider"] == "demo"
    assert forms["Bob"]["headers"]["x-tenant-id"] == "9"


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("name,samples,Tenant\nAda,a.wav,3\n", "column 'Tenant': did you mean 'tenant_id'?"),
        ("name,provider,workspace_id,samples\nAda,p,forty,a.wav\n", "line 2, column workspace_id"),
        (
            "name,samples\nAda,a.wav\n",
            "missing column: workspace_id (add it, or give --workspace-id for every job)",
        ),
        ("name,provider\nAda,p\n", "missing column: samples"),
    ],
    ids=["misspelt-column", "not-an-integer", "no-provider", "no-samples-column"],
)
def test_a_bad_csv_is_status_2_naming_file_line_and_column(
    sandbox: RunningSandbox, tmp_path: Path, csv_text: str, message: str
) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text(csv_text)
    done = run_cli("batch", path, "--out", tmp_path / "r.csv", sandbox=sandbox)
    assert done.status == 2, done.text
    assert str(path) in done.err
    assert message in done.err
    assert sandbox.requests() == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--out", "results.txt"), "must end in .csv or .json"),
        (("--out", "r.csv", "--resume", "nope.csv"), "--resume nope.csv: no such file"),
        (("--out", "r.csv", "--resend-unknown"), "--resend-unknown needs --resume"),
        (("--out", "r.csv", "--concurrency", "0"), "--concurrency"),
    ],
    ids=["out-suffix", "resume-missing", "resend-without-resume", "concurrency"],
)
def test_bad_options_are_status_2(
    sandbox: RunningSandbox, tmp_path: Path, extra: tuple[str, ...], message: str
) -> None:
    folder = speakers(tmp_path / "speakers", ["ada"])
    done = run_cli(*BATCH, folder, *extra, sandbox=sandbox, cwd=tmp_path)
    assert done.status == 2, done.text
    assert message in done.err
    assert sandbox.requests() == []


def test_a_failed_job_is_status_1_and_the_table_says_why(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    folder = speakers(tmp_path / "speakers", ["ada", "bob"])
    (folder / "empty-speaker").mkdir()
    out = tmp_path / "results.csv"
    done = run_cli(*BATCH, folder, "--out", out, sandbox=sandbox)
    assert done.status == 1, done.text
    result = BatchResult.from_file(out)
    assert result.counts()["created"] == 2
    (failed,) = result.by_status("failed")
    assert failed.name == "empty-speaker"
    assert "failed    empty-speaker" in done.out


def test_off_a_terminal_one_line_per_finished_job_then_the_summary(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    folder = speakers(tmp_path / "speakers", [f"speaker{i}" for i in range(5)], files_each=1)
    err_path = tmp_path / "stderr.log"
    with err_path.open("w") as err:
        completed = subprocess.run(
            [*COMMAND, *BATCH, str(folder), "--concurrency", "2", "--out", str(tmp_path / "r.csv")],
            env=cli_env(sandbox), stdout=subprocess.PIPE, stderr=err, text=True, timeout=60,
        )  # fmt: skip
    assert completed.returncode == 0
    log = err_path.read_text()
    assert "\r" not in log
    assert "\x1b" not in log  # no cursor movement or colour codes
    lines = log.splitlines()
    assert len(lines) == 5 + 1, log
    assert [line.split(" ", 1)[0] for line in lines[:5]] == [f"{n}/5" for n in range(1, 6)]
    assert lines[-1].startswith("5 jobs: 5 created, 0 unknown, 0 failed")


@pytest.mark.slow
def test_ctrl_c_is_status_130_and_the_partial_table_resumes(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    folder = speakers(tmp_path / "speakers", [f"speaker{i}" for i in range(6)], files_each=1)
    out = tmp_path / "results.csv"
    sandbox.inject_fault(latency_ms=1500)  # every request waits 1.5 s until cleared
    try:
        err_path = tmp_path / "stderr.log"
        with err_path.open("w") as err:
            process = subprocess.Popen(
                [*COMMAND, *BATCH, str(folder), "--concurrency", "1", "--out", str(out)],
                env=cli_env(sandbox), stdout=subprocess.PIPE, stderr=err, text=True,
            )  # fmt: skip
            deadline = time.monotonic() + 30
            while "1/6 jobs finished" not in err_path.read_text():
                assert time.monotonic() < deadline, err_path.read_text()
                assert process.poll() is None, err_path.read_text()
                time.sleep(0.1)
            os.kill(process.pid, signal.SIGINT)
            stdout, _ = process.communicate(timeout=30)
    finally:
        sandbox.clear_faults()
    done = Done(process.returncode, stdout, err_path.read_text())
    assert_clean(done, sandbox.token)
    assert done.status == 130, done.text
    assert f"--resume {out}" in done.out
    partial = BatchResult.from_file(out)
    counts = partial.counts()
    assert counts["created"] >= 1
    assert counts["cancelled"] + counts["unknown"] >= 1  # the interrupted upload says which
    created = set(partial.voice_ids)
    unknown = {row.name for row in partial.by_status("unknown")}
    sandbox.clear_requests()
    again = run_cli(*BATCH, folder, "--resume", out, "--out", out, sandbox=sandbox)
    assert again.status == (1 if unknown else 0), again.text
    sent = {r["fields"]["voiceName"] for r in sandbox.requests()}
    assert not sent & (created | unknown)  # nothing that exists or may exist is sent again
    assert BatchResult.from_file(out).counts()["created"] + len(created) + len(unknown) == 6


@pytest.mark.slow
def test_an_unknown_outcome_is_status_1_kept_on_resume_and_resent_with_resend_unknown(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    folder = speakers(tmp_path / "speakers", ["unknown-a", "unknown-b", "unknown-c"])
    out = tmp_path / "results.csv"
    sandbox.inject_fault(drop="after-store", voice_name="unknown-b")  # stored, then the line drops
    done = run_cli(*BATCH, folder, "--out", out, sandbox=sandbox)
    assert done.status == 1, done.text
    assert [row.status for row in BatchResult.from_file(out)] == ["created", "unknown", "created"]
    assert "--resend-unknown" in done.out
    assert sandbox.voice_counts().get("unknown-b") == 1  # it was in fact created

    sandbox.clear_requests()
    kept = run_cli(*BATCH, folder, "--resume", out, "--out", out, sandbox=sandbox)
    assert kept.status == 1, kept.text
    assert sandbox.requests() == []  # nothing resent blindly
    assert BatchResult.from_file(out).counts()["unknown"] == 1

    forced = run_cli(
        *BATCH, folder, "--resume", out, "--resend-unknown", "--out", out, sandbox=sandbox
    )
    assert forced.status == 0, forced.text
    assert [entry["fields"]["voiceName"] for entry in sandbox.requests()] == ["unknown-b"]
    assert [row.status for row in BatchResult.from_file(out)] == ["skipped", "created", "skipped"]
