"""`uponai-voices batch` checks before sending, prints safely and survives being stopped.

--out that cannot be written or is an input, unreadable speaker entries, two resumes at once,
control characters in names, spreadsheet formulas, a BOM, a CSV problem near a secret, Ctrl-C
just after the last job, and an interrupted `clone` that says what it knows.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cli import COMMAND, cli_env, run_cli, speakers
from support.proxy import ReverseProxy

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import write_wav
from uponai_widgets import BatchResult

BATCH = ("batch", "--provider", "elevenlabs", "--workspace-id", "42")
REASON = "ticket 4417: the tenant asked for a reclone"


@pytest.fixture
def proxy(sandbox: RunningSandbox) -> Iterator[ReverseProxy]:
    """A reverse proxy in front of the session's sandbox."""
    with ReverseProxy(sandbox.url) as running:
        yield running


def _via(proxy: ReverseProxy, sandbox: RunningSandbox) -> dict[str, str]:
    env = cli_env(sandbox)
    env["UPONAI_BASE_URL"] = proxy.url
    return env


def _wait_event(proxy: ReverseProxy, event: str, count: int = 1) -> None:
    deadline = time.monotonic() + 20
    while proxy.events().get(event, 0) < count:
        assert time.monotonic() < deadline, proxy.events()
        time.sleep(0.01)


def test_out_that_is_the_jobs_file_is_refused_and_the_file_kept(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    write_wav(tmp_path / "a.wav", seconds=1.0, freq=300)
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("name,samples\nAda,a.wav\n")
    done = run_cli(*BATCH, jobs, "--out", jobs, sandbox=sandbox, cwd=tmp_path)
    assert done.status == 2, done.text
    assert "is the jobs file" in done.err
    assert jobs.read_text() == "name,samples\nAda,a.wav\n"
    assert sandbox.requests() == []


@pytest.mark.parametrize("where", ["unwritable folder", "a folder"])
def test_out_that_cannot_be_written_is_found_before_anything_is_sent(
    sandbox: RunningSandbox, tmp_path: Path, where: str
) -> None:
    folder = speakers(tmp_path / "speakers", ["ada"], files_each=1)
    out = Path("/sys/results.csv")  # not writable, even for root
    if where == "a folder":
        out = tmp_path / "results.csv"
        out.mkdir()
    done = run_cli(*BATCH, folder, "--out", out, sandbox=sandbox)
    assert done.status == 2, done.text
    assert "--out" in done.err
    assert sandbox.requests() == []


def test_unreadable_entries_of_a_speaker_folder_are_listed_before_sending(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    folder = speakers(tmp_path / "speakers", ["ada", "bob"], files_each=1)
    (folder / "ada" / "gone.wav").symlink_to(tmp_path / "missing.wav")
    os.mkfifo(folder / "bob" / "pipe.wav")
    (folder / "bob" / "takes.wav").mkdir()
    done = run_cli(*BATCH, folder, "--out", tmp_path / "r.csv", sandbox=sandbox, timeout=30)
    assert done.status == 2, done.text
    assert "3 entries of the speaker folders cannot be read" in done.err
    assert "gone.wav: a broken link" in done.err
    assert "pipe.wav: not a regular file" in done.err
    assert "takes.wav: a folder" in done.err
    assert sandbox.requests() == []


def test_control_characters_in_names_are_escaped_on_the_terminal(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    forged = "x\ncreated   forged  voice_forged"
    folder = speakers(tmp_path / "speakers", ["\x1b[2Jclear", forged], files_each=1)
    done = run_cli(*BATCH, folder, "--out", tmp_path / "r.csv", sandbox=sandbox)
    assert "\x1b" not in done.text
    assert "\\x1b[2Jclear" in done.out
    assert not any(line.startswith("created   forged") for line in done.out.splitlines())
    assert "x\\ncreated   forged" in done.out


def test_formula_cells_are_neutralised_and_read_back_by_resume(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    names = ["=HYPERLINK(1)", "+cmd", "-2", "@sum", "'=quoted", "plain"]
    folder = speakers(tmp_path / "speakers", names, files_each=1)
    out = tmp_path / "results.csv"
    done = run_cli(*BATCH, folder, "--out", out, sandbox=sandbox)
    assert done.status == 0, done.text
    cells = [line.split(",")[0] for line in out.read_text().splitlines()[1:]]
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells), cells
    assert "'=HYPERLINK(1)" in cells
    assert "''=quoted" in cells
    assert sorted(row.name for row in BatchResult.from_file(out)) == sorted(names)
    sandbox.clear_requests()
    again = run_cli(*BATCH, folder, "--out", out, "--resume", out, sandbox=sandbox)
    assert again.status == 0, again.text
    assert sandbox.requests() == []
    assert BatchResult.from_file(out).counts()["skipped"] == len(names)


def test_a_results_csv_saved_again_with_a_bom_is_resumed(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    folder = speakers(tmp_path / "speakers", ["ada", "bob"], files_each=1)
    out = tmp_path / "results.csv"
    assert run_cli(*BATCH, folder, "--out", out, sandbox=sandbox).status == 0
    edited = tmp_path / "edited.csv"  # as a spreadsheet saves "CSV UTF-8"
    edited.write_bytes(b"\xef\xbb\xbf" + out.read_bytes().replace(b"\n", b"\r\n"))
    sandbox.clear_requests()
    again = run_cli(
        *BATCH, folder, "--out", tmp_path / "next.csv", "--resume", edited, sandbox=sandbox
    )
    assert again.status == 0, again.text
    assert sandbox.requests() == []
    assert BatchResult.from_file(edited).voice_ids == BatchResult.from_file(out).voice_ids


def test_a_csv_problem_never_prints_an_impersonation_reason(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    write_wav(tmp_path / "a.wav", seconds=1.0, freq=300)
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(  # line 3 lost a cell: its reason sits in tenant_id
        "name,samples,provider,workspace_id,tenant_id,impersonation_reason\n"
        f"Ada,a.wav,p,5,,{REASON}\n"
        f"Bob,a.wav,p,5,{REASON}\n"
    )
    done = run_cli(*BATCH, jobs, "--out", tmp_path / "r.csv", sandbox=sandbox, cwd=tmp_path)
    assert done.status == 2, done.text
    assert "line 3, column tenant_id: not an integer" in done.err
    assert REASON not in done.text
    assert "ticket 4417" not in done.text


def test_two_resumes_of_one_table_at_once_the_second_refuses(
    sandbox: RunningSandbox, proxy: ReverseProxy, tmp_path: Path
) -> None:
    names = ["lock-a", "lock-b", "lock-c"]
    folder = speakers(tmp_path / "speakers", names, files_each=1)
    out = tmp_path / "results.csv"
    command = [*COMMAND, *BATCH, str(folder), "--out", str(out), "--resume", str(out)]
    proxy.configure(hold_before_forward=2.0)
    env = _via(proxy, sandbox)
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_event(proxy, "received")
        second = run_cli(*command[len(COMMAND) :], env=env, timeout=30)
        assert second.status == 2, second.text
        assert "is running this batch" in second.err
        assert f"(process {first.pid})" in second.err
        assert "Nothing was sent" in second.err
        third = run_cli(*command[len(COMMAND) : -2], env=env, timeout=30)  # without --resume
        assert third.status == 2, third.text
        assert "records an earlier run" in third.err
        _, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)
    assert first.returncode == 0, err.decode()
    counts = sandbox.voice_counts()
    assert [counts.get(name) for name in names] == [1, 1, 1]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_ctrl_c_just_after_the_last_job_writes_the_table_and_says_so(
    sandbox: RunningSandbox, tmp_path: Path, seed: int
) -> None:
    names = [f"last{seed}-{index}" for index in range(3)]
    folder = speakers(tmp_path / "speakers", names, files_each=1)
    out = tmp_path / "results.csv"
    command = [*COMMAND, *BATCH, str(folder), "--out", str(out), "--concurrency", "1"]
    process = subprocess.Popen(
        command, env=cli_env(sandbox), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert process.stderr is not None
        for line in iter(process.stderr.readline, b""):
            if line.startswith(b"3/3 jobs finished"):
                time.sleep(random.Random(seed).uniform(0, 0.02))
                process.send_signal(signal.SIGINT)
                break
        out_text, rest = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert process.returncode in (0, 130), rest.decode()
    result = BatchResult.from_file(out)
    assert result.counts()["created"] == 3
    if process.returncode == 130:  # never silent: the table is written and that is said
        assert b"interrupted" in out_text + rest, out_text + rest
    assert b"Traceback" not in rest


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_an_interrupted_clone_says_the_voice_may_exist(
    sandbox: RunningSandbox, proxy: ReverseProxy, tmp_path: Path, as_json: bool
) -> None:
    sample = write_wav(tmp_path / "a.wav", seconds=1.0, freq=300)
    proxy.configure(hold_after_status=3.0)  # the 201's status line arrives, its body later
    name = "stopped-clone-json" if as_json else "stopped-clone"  # the sandbox is shared
    command = [*COMMAND, "clone", str(sample), "--name", name]
    command += ["--provider", "p", "--workspace-id", "3", *(["--json"] if as_json else [])]
    process = subprocess.Popen(
        command, env=_via(proxy, sandbox), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        _wait_event(proxy, "status_sent")
        time.sleep(0.3)  # the client has read the status line and waits for the body
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert process.returncode == 130
    assert b"the voice may exist" in err, err
    assert f"'{name}'".encode() in err
    if as_json:  # the same, as the JSON error object on stdout
        error = json.loads(out)["error"]
        assert error["type"] == "Interrupted"
        assert error["exit_status"] == 130
        assert "the voice may exist" in error["message"]
    assert len(sandbox.voice_ids(name)) == 1


@pytest.mark.slow
@pytest.mark.parametrize("kind", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_or_sighup_writes_the_table_and_the_same_command_resumes(
    sandbox: RunningSandbox, proxy: ReverseProxy, tmp_path: Path, kind: signal.Signals
) -> None:
    names = [f"{kind.name.lower()}-{index}" for index in range(4)]
    folder = speakers(tmp_path / "speakers", names, files_each=1)
    out = tmp_path / "results.json"
    arguments = [*BATCH, str(folder), "--out", str(out), "--resume", str(out)]
    proxy.configure(hold_before_forward=1.0)
    env = _via(proxy, sandbox)
    process = subprocess.Popen(
        [*COMMAND, *arguments, "--concurrency", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_event(proxy, "received", 2)
        process.send_signal(kind)
        out_text, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert process.returncode == 128 + kind, err.decode()
    assert b"interrupted: the partial table is in" in out_text
    stopped = BatchResult.from_file(out)
    assert stopped.counts()["unknown"] == 2  # the two requests held in the proxy
    assert stopped.counts()["cancelled"] == 2
    proxy.configure(hold_before_forward=0.0)
    proxy.wait_idle()
    again = run_cli(*arguments, env=env)
    assert again.status == 1, again.text  # two rows stay unknown: not sent again
    resumed = BatchResult.from_file(out)
    assert resumed.counts()["created"] == 2
    assert resumed.counts()["unknown"] == 2
    counts = sandbox.voice_counts()
    assert all(counts.get(name) == 1 for name in names), counts
