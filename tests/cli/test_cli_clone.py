"""`uponai-voices clone` and `inspect` against the sandbox: output, --json, exit statuses, secrets."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from support.cli import cli_env, run_cli

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import write_wav

CLONE = ("clone", "--name", "Ada", "--provider", "elevenlabs", "--workspace-id", "42")


def test_clone_prints_the_voice_id_and_preview_url(sandbox: RunningSandbox, tmp_path: Path) -> None:
    samples = [write_wav(tmp_path / f"take{i}.wav", seconds=1.0, freq=300.0 + i) for i in (1, 2)]
    done = run_cli(*CLONE, *samples, sandbox=sandbox)
    assert done.status == 0, done.text
    lines = dict(line.split(":", 1) for line in done.out.splitlines())
    voice_id = lines["voice id"].strip()
    assert lines["preview URL"].strip().startswith(f"{sandbox.url}/preview/")
    record = sandbox.voice_record(voice_id)
    assert len(record["samples"]) == 2
    assert len(sandbox.requests()) == 1


def test_clone_json_is_the_voice(sandbox: RunningSandbox, tmp_path: Path) -> None:
    sample = write_wav(tmp_path / "take.wav", seconds=1.0)
    done = run_cli(*CLONE, "--json", sample, sandbox=sandbox)
    assert done.status == 0, done.text
    voice = json.loads(done.out)
    assert voice["name"] == "Ada"
    assert voice["provider"] == "elevenlabs"
    assert sandbox.voice_record(voice["voiceId"])["samples"][0]["size"] > 0


def test_admin_headers_reach_the_api_and_the_reason_is_never_printed(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sample = write_wav(tmp_path / "take.wav", seconds=1.0)
    reason = "support ticket 4711 for a confidential customer"
    env = cli_env(sandbox, UPONAI_IMPERSONATION_REASON=reason)
    args = ("--actor-type", "platform_admin", "--tenant-id", "7", "--provider-id", "3", "--json")
    done = run_cli(*CLONE, *args, sample, env=env)
    assert done.status == 0, done.text
    assert reason not in done.text
    headers = sandbox.requests()[0]["headers"]
    assert headers["x-actor-type"] == "platform_admin"
    assert headers["x-tenant-id"] == "7"


def test_bad_input_is_status_2_naming_the_file_and_nothing_is_sent(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.wav"
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("meeting notes, not audio")
    done = run_cli(*CLONE, missing, not_audio, sandbox=sandbox)
    assert done.status == 2
    assert "missing.wav" in done.err
    assert "notes.wav" in done.err
    assert sandbox.requests() == []


@pytest.mark.parametrize(
    "args",
    [
        ("clone", "--name", "Ada", "--provider", "p", "--workspace-id", "x", "a.wav"),
        ("clone", "--provider", "p", "--workspace-id", "1", "a.wav"),
        (
            "clone",
            "--token",
            "abc",
            "--name",
            "A",
            "--provider",
            "p",
            "--workspace-id",
            "1",
            "a.wav",
        ),
        ("frobnicate",),
    ],
    ids=["not-an-integer", "missing-option", "no-token-flag", "unknown-command"],
)
def test_usage_errors_are_status_2(sandbox: RunningSandbox, args: tuple[str, ...]) -> None:
    done = run_cli(*args, sandbox=sandbox)
    assert done.status == 2, done.text
    assert "Usage" in done.err or "Error" in done.err
    assert sandbox.requests() == []


def test_without_a_key_it_says_how_to_set_one(tmp_path: Path) -> None:
    sample = write_wav(tmp_path / "take.wav", seconds=1.0)
    done = run_cli(*CLONE, sample, env=cli_env(None))
    assert done.status == 2
    assert "UPONAI_API_KEY" in done.err
    assert "--token" in done.err  # says why there is no such flag


def test_the_api_refusing_is_status_1_without_the_token(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sample = write_wav(tmp_path / "take.wav", seconds=1.0)
    wrong = "wrong-key-" + "x" * 20
    done = run_cli(*CLONE, sample, env=cli_env(sandbox, UPONAI_API_KEY=wrong))
    assert done.status == 1
    assert "HTTP 401" in done.err
    assert wrong not in done.text
    sandbox.inject_fault(status=500, count=5)
    done = run_cli(*CLONE, sample, sandbox=sandbox)
    assert done.status == 1
    assert "HTTP 500" in done.err


def test_the_token_is_redacted_even_where_the_user_typed_it(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    # A mistaken argument that holds the key (here a file name) is echoed redacted.
    done = run_cli(*CLONE, tmp_path / f"{sandbox.token}.wav", sandbox=sandbox)
    assert done.status == 2
    assert "[redacted]" in done.err


def test_an_unreachable_api_is_status_1(tmp_path: Path) -> None:
    sample = write_wav(tmp_path / "take.wav", seconds=1.0)
    env = cli_env(None, UPONAI_API_KEY="k" * 24, UPONAI_BASE_URL="http://127.0.0.1:9")
    done = run_cli(*CLONE, sample, env=env)
    assert done.status == 1, done.text
    assert any(line.startswith("error: ") for line in done.err.splitlines()), done.err
    assert "hint: Is the API reachable at http://127.0.0.1:9?" in done.err


def test_help_says_why_there_is_no_token_flag() -> None:
    done = run_cli("--help", env=cli_env(None))
    assert done.status == 0
    flat = " ".join(done.out.split())
    assert "UPONAI_API_KEY" in flat
    assert "no --token flag" in flat
    assert "visible to other users" in flat
    for command in ("clone", "batch", "inspect", "sandbox"):
        assert command in done.out


def test_without_typer_it_prints_the_pip_line() -> None:
    probe = (
        "import sys; sys.modules['typer'] = None\n"
        "from uponai_widgets.cli import main\n"
        "sys.exit(main(['--help']))\n"
    )
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", probe], env=cli_env(None), capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert "pip install '.[cli]' in a checkout" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_inspect_prints_each_report_and_the_overall_verdict(tmp_path: Path) -> None:
    good = write_wav(tmp_path / "long.wav", seconds=12.0)
    short = write_wav(tmp_path / "short.wav", seconds=0.5)
    done = run_cli("inspect", good, short, env=cli_env(None))
    assert done.status == 1, done.text  # a bad sample: the gate closes
    assert "long.wav: " in done.out
    assert "short.wav: bad" in done.out
    assert "too short" in done.out
    assert done.out.splitlines()[-2].startswith("overall: ") or "overall: " in done.out

    done = run_cli("inspect", "--json", good, short, env=cli_env(None))
    document = json.loads(done.out)
    assert [s["name"] for s in document["samples"]] == ["long.wav", "short.wav"]
    assert document["samples"][1]["verdict"] == "bad"
    assert document["overall"]["count"] == 2


def test_inspect_of_a_missing_file_is_status_2(tmp_path: Path) -> None:
    done = run_cli("inspect", tmp_path / "nope.wav", env=cli_env(None))
    assert done.status == 2
    assert "nope.wav" in done.err


def test_an_unknown_outcome_is_status_1_and_says_to_check(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sample = write_wav(tmp_path / "take.wav", seconds=1.0)
    sandbox.inject_fault(drop="after-store")
    done = run_cli(*CLONE, sample, sandbox=sandbox)
    assert done.status == 1, done.text
    assert "check the workspace" in done.err
    assert len(sandbox.requests()) == 1  # never resent
