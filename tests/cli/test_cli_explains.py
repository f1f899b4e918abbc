"""`uponai-voices` explains itself: every CSV problem at once, hints in the command's words,
`--json` errors as JSON, `inspect` as a gate, warnings before a clone of samples without speech,
what `--prepare` changed, and a first `--resume` run. Each runs the command against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from support.cli import cli_env, run_cli
from support.speech import READING, speech

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import write_wav
from uponai_widgets import BatchResult

BATCH = ("batch", "--provider", "elevenlabs", "--workspace-id", "42")
CLONE = ("clone", "--name", "Ada", "--provider", "elevenlabs", "--workspace-id", "42")
ERROR_KEYS = {
    "type", "message", "hint", "exit_status", "http_status", "request_id", "code", "problems",
}  # fmt: skip
WRONG_KEY = "wrong-key-" + "x" * 20


def jobs_csv(folder: Path, text: str) -> Path:
    """`folder/jobs.csv` holding `text`, beside a sample `a.wav`."""
    folder.mkdir(parents=True, exist_ok=True)
    write_wav(folder / "a.wav", seconds=1.2, freq=300.0)
    path = folder / "jobs.csv"
    path.write_text(text)
    return path


def test_every_csv_problem_is_listed_at_once(sandbox: RunningSandbox, tmp_path: Path) -> None:
    path = jobs_csv(
        tmp_path,
        "name,samples,workspace_id,timeout\n"
        "Ada,a.wav,forty,\n"  # line 2: not an integer
        "Bob,a.wav,1,\n"  # fine
        ",a.wav,2,\n"  # line 4: no name
        "Cy,a.wav,3,soon\n",  # line 5: not seconds
    )
    done = run_cli(*BATCH[:3], path, "--out", tmp_path / "r.csv", sandbox=sandbox)
    assert done.status == 2, done.text
    assert "3 problems, nothing was sent" in done.err
    assert "line 2, column workspace_id: not an integer" in done.err
    assert "line 4, column name: empty" in done.err
    assert "line 5, column timeout: not a number of seconds" in done.err
    assert "line 3" not in done.err
    assert sandbox.requests() == []


def test_a_missing_column_is_named_as_missing_once(sandbox: RunningSandbox, tmp_path: Path) -> None:
    path = jobs_csv(tmp_path, "name,samples,workspace_id\nAda,a.wav,1\nBob,a.wav,2\n")
    done = run_cli("batch", path, "--out", tmp_path / "r.csv", sandbox=sandbox)
    assert done.status == 2, done.text
    assert "missing column: provider (add it, or give --provider for every job)" in done.err
    assert "empty" not in done.err
    assert done.err.count("provider") == 2  # one problem, not one per line


def test_an_unknown_column_is_ignored_with_a_warning_naming_the_accepted_ones(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    path = jobs_csv(tmp_path, "name,samples,notes\nAda,a.wav,call back on Monday\n")
    out = tmp_path / "r.csv"
    done = run_cli(*BATCH, path, "--out", out, sandbox=sandbox)
    assert done.status == 0, done.text
    warning = next(line for line in done.err.splitlines() if line.startswith("warning:"))
    assert "ignored column(s) 'notes'" in warning
    for column in ("name", "samples", "provider", "workspace_id", "tenant_id", "timeout"):
        assert column in warning
    assert BatchResult.from_file(out).counts()["created"] == 1
    (request,) = sandbox.requests()
    assert "call back on Monday" not in json.dumps(request)


def test_a_misspelt_column_is_refused_with_what_it_looks_like(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    path = jobs_csv(tmp_path, "Name,samples,tenant\nAda,a.wav,3\n")
    done = run_cli(*BATCH, path, "--out", tmp_path / "r.csv", sandbox=sandbox)
    assert done.status == 2, done.text
    assert "column 'Name': did you mean 'name'?" in done.err
    assert "column 'tenant': did you mean 'tenant_id'?" in done.err
    assert sandbox.requests() == []


def test_a_semicolon_separated_csv_gets_a_delimiter_hint(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    path = jobs_csv(tmp_path, "name;provider;workspace_id;samples\nAda;p;1;a.wav\n")
    done = run_cli("batch", path, "--out", tmp_path / "r.csv", sandbox=sandbox)
    assert done.status == 2, done.text
    flat = " ".join(done.err.split())
    assert "seems separated by semicolons (';')" in flat
    assert "separates its columns with commas" in flat
    assert "missing column" not in flat  # the delimiter, not a cascade of columns
    assert sandbox.requests() == []


def test_the_timeout_column_is_documented_in_help() -> None:
    done = run_cli("batch", "--help", env=cli_env(None))
    assert done.status == 0, done.text
    flat = " ".join(done.out.replace("│", " ").split())
    assert "timeout (seconds allowed for that job's request" in flat
    assert "comma-separated" in flat


def test_a_timeout_column_reaches_the_job(sandbox: RunningSandbox, tmp_path: Path) -> None:
    path = jobs_csv(tmp_path, "name,samples,timeout\nAda,a.wav,30\nBob,a.wav,-1\n")
    out = tmp_path / "r.csv"
    done = run_cli(*BATCH, path, "--out", out, sandbox=sandbox)
    assert done.status == 1, done.text
    result = BatchResult.from_file(out)
    assert result.by_status("created")[0].name == "Ada"
    (bob,) = result.by_status("failed")
    assert "timeout" in bob.error
    assert len(sandbox.requests()) == 1


def test_inspect_of_a_bad_sample_exits_1(tmp_path: Path) -> None:
    tone = write_wav(tmp_path / "tone.wav", seconds=2.0)
    done = run_cli("inspect", tone, env=cli_env(None))
    assert done.status == 1, done.text
    assert "tone.wav: bad" in done.out
    as_json = run_cli("inspect", "--json", tone, env=cli_env(None))
    assert as_json.status == 1
    assert json.loads(as_json.out)["samples"][0]["verdict"] == "bad"


@pytest.mark.slow
def test_inspect_of_enough_speech_exits_0(tmp_path: Path) -> None:
    reading = speech(tmp_path / "reading.wav", " ".join(READING[:4]))
    done = run_cli("inspect", reading, env=cli_env(None))
    assert done.status == 0, done.text
    assert "overall: bad" not in done.out


def test_clone_warns_about_a_sample_without_speech_and_sends_it(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    tone = write_wav(tmp_path / "tone.wav", seconds=2.0)
    done = run_cli(*CLONE, tone, sandbox=sandbox)
    assert done.status == 0, done.text
    warning = next(line for line in done.err.splitlines() if line.startswith("warning:"))
    assert "tone.wav: no speech found" in warning
    assert "sent anyway" in warning
    assert "voice id:" in done.out
    assert len(sandbox.requests()) == 1


@pytest.mark.slow
def test_clone_prepare_prints_what_it_changed(sandbox: RunningSandbox, tmp_path: Path) -> None:
    voice, rate = sf.read(str(speech(tmp_path / "raw.wav")))
    stereo = np.stack([np.zeros(3 * rate), np.zeros(3 * rate)], axis=1)
    padded = np.concatenate([stereo, np.stack([0.05 * voice] * 2, axis=1), stereo[: 2 * rate]])
    take = tmp_path / "take.wav"
    sf.write(str(take), padded, rate, subtype="PCM_16")
    done = run_cli(*CLONE, "--prepare", "--json", take, sandbox=sandbox)
    assert done.status == 0, done.text
    assert json.loads(done.out)["name"] == "Ada"  # stdout stays the voice
    lines = done.err.splitlines()
    start = lines.index(f"prepared {take}:")
    changes = [line for line in lines[start + 1 :] if line.startswith("  - ")]
    assert any(line.startswith("  - trimmed ") for line in changes), done.err
    assert any("LUFS" in line for line in changes), done.err
    assert "  - mixed 2 channels down to mono" in changes
    assert "  - written as 16-bit FLAC (lossless, about half the size of WAV)" in changes
    assert "warning:" not in done.err


def test_a_wrong_key_is_explained_in_the_commands_words(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sample = write_wav(tmp_path / "take.wav", seconds=1.0)
    env = cli_env(sandbox, UPONAI_API_KEY=WRONG_KEY)
    done = run_cli(*CLONE, sample, env=env)
    assert done.status == 1, done.text
    assert "HTTP 401" in done.err
    hint = next(line for line in done.err.splitlines() if line.startswith("hint:"))
    assert "UPONAI_API_KEY" in hint
    assert "connect()" not in done.text
    assert "token=" not in done.text

    folder = tmp_path / "speakers" / "ada"
    folder.mkdir(parents=True)
    write_wav(folder / "take.wav", seconds=1.0)
    batch = run_cli(*BATCH, folder.parent, "--out", tmp_path / "r.csv", env=env)
    assert batch.status == 1, batch.text
    assert "connect()" not in batch.text
    assert "check UPONAI_API_KEY" in batch.err


def test_a_404_hints_at_the_base_url(sandbox: RunningSandbox, tmp_path: Path) -> None:
    sample = write_wav(tmp_path / "take.wav", seconds=1.0)
    wrong = sandbox.url + "/v1"
    done = run_cli(*CLONE, "--base-url", wrong, sample, sandbox=sandbox)
    assert done.status == 1, done.text
    assert "HTTP 404" in done.err
    hint = " ".join(done.err.split("hint:", 1)[1].split())
    assert f"--base-url / UPONAI_BASE_URL (now {wrong})" in hint
    assert "does the URL include the API's base path?" in hint
    assert sandbox.requests() == []  # the sandbox never saw a clone

    folder = tmp_path / "speakers" / "ada"
    folder.mkdir(parents=True)
    write_wav(folder / "take.wav", seconds=1.0)
    args = ("--base-url", wrong, "--out", tmp_path / "r.csv")
    batch = run_cli(*BATCH, folder.parent, *args, sandbox=sandbox)
    assert batch.status == 1, batch.text
    assert "hint: no such address or resource: check --base-url / UPONAI_BASE_URL" in batch.err


def test_a_base_url_without_its_scheme_is_named_in_cli_words(tmp_path: Path) -> None:
    sample = write_wav(tmp_path / "take.wav", seconds=1.0)
    env = cli_env(None, UPONAI_API_KEY="k" * 24, UPONAI_BASE_URL="127.0.0.1:8765")
    done = run_cli(*CLONE, sample, env=env)
    assert done.status == 2, done.text
    assert "--base-url / UPONAI_BASE_URL '127.0.0.1:8765'" in done.err
    assert "base_url" not in done.err


@pytest.mark.parametrize(
    ("case", "exit_status", "error_type"),
    [
        ("wrong-key", 1, "AuthenticationError"),
        ("wrong-base-path", 1, "NotFoundError"),
        ("too-long-name", 2, "ValidationError"),
        ("missing-option", 2, "UsageError"),
        ("missing-file", 2, "UsageError"),
    ],
)
def test_json_errors_are_one_json_object_on_stdout_with_the_same_exit_status(
    sandbox: RunningSandbox, tmp_path: Path, case: str, exit_status: int, error_type: str
) -> None:
    sample = write_wav(tmp_path / "take.wav", seconds=1.0)
    env = cli_env(sandbox)
    args: list[str | Path] = [*CLONE, "--json", sample]
    if case == "wrong-key":
        env = cli_env(sandbox, UPONAI_API_KEY=WRONG_KEY)
    elif case == "wrong-base-path":
        env = cli_env(sandbox, UPONAI_BASE_URL=sandbox.url + "/v1")
    elif case == "too-long-name":
        args[2] = "x" * 1000
    elif case == "missing-option":
        args = ["clone", "--json", "--provider", "p", "--workspace-id", "1", sample]
    else:
        args = ["inspect", "--json", tmp_path / "nope.wav"]
    done = run_cli(*args, env=env)
    assert done.status == exit_status, done.text
    error = json.loads(done.out)["error"]
    assert set(error) == ERROR_KEYS
    assert error["type"] == error_type
    assert error["exit_status"] == exit_status
    assert error["message"]
    assert done.err.startswith(("error:", "Usage:", "warning:"))  # and a line for people
    if case == "wrong-key":
        assert error["http_status"] == 401
        assert "UPONAI_API_KEY" in error["hint"]
        assert "connect()" not in done.text
    elif case == "wrong-base-path":
        assert error["http_status"] == 404
        assert "--base-url / UPONAI_BASE_URL" in error["hint"]
    elif case == "too-long-name":
        (problem,) = error["problems"]
        assert problem["option"] == "--name"
        assert "--name:" in error["message"]
    assert sandbox.requests() == [] or case == "wrong-key"


def test_resume_of_a_table_that_does_not_exist_yet_starts_fresh_with_a_note(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    path = jobs_csv(tmp_path, "name,samples\nAda,a.wav\n")
    out = tmp_path / "results.json"
    done = run_cli(*BATCH, path, "--out", out, "--resume", out, sandbox=sandbox)
    assert done.status == 0, done.text
    note = next(line for line in done.err.splitlines() if line.startswith("note:"))
    assert f"--resume {out}: no results there yet, so this is a fresh batch" in note
    assert BatchResult.from_file(out).counts()["created"] == 1

    again = run_cli(*BATCH, path, "--out", out, "--resume", out, sandbox=sandbox)
    assert again.status == 0, again.text
    assert "note:" not in again.err
    assert BatchResult.from_file(out).counts()["skipped"] == 1
    assert len(sandbox.requests()) == 1


def test_prepare_problems_name_the_options(tmp_path: Path) -> None:
    tone = write_wav(tmp_path / "tone.wav", seconds=2.0)
    args = ("--target-lufs", "5", "--max-segment-s", "1")
    done = run_cli("prepare", tone, "--out", tmp_path / "ready", *args, env=cli_env(None))
    assert done.status == 2, done.text
    assert "--target-lufs: must be between -60 and 0 LUFS, got 5.0" in done.err
    assert "--max-segment-s: must be at least" in done.err
    assert "target_lufs" not in done.err
    assert "None" not in done.err


@pytest.mark.parametrize("command", ["clone", "batch"])
def test_the_key_is_checked_before_samples_are_prepared(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "speakers" / "ada"
    folder.mkdir(parents=True)
    tone = write_wav(folder / "tone.wav", seconds=2.0)
    if command == "clone":
        args: tuple[str | Path, ...] = (*CLONE, "--prepare", tone)
    else:
        args = (*BATCH, "--prepare", folder.parent, "--out", tmp_path / "r.csv")
    done = run_cli(*args, env=cli_env(None))
    assert done.status == 2, done.text
    assert done.err.startswith("error: no API key: set the UPONAI_API_KEY")
    assert "prepare" not in done.err  # nothing was read or prepared first
