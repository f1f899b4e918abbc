"""`uponai-voices prepare`, `clone --prepare` and `batch --prepare`, run as a subprocess.

The speech is espeak-ng's (skipped with the reason when it is missing).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pyloudnorm as pyln
import pytest
import soundfile as sf
from support.cli import cli_env, run_cli
from support.speech import RUN_ON, speech

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import write_wav
from uponai_widgets import BatchResult

pytestmark = pytest.mark.slow  # each runs the command and prepares real speech

CLONE = ("clone", "--name", "Ada", "--provider", "elevenlabs", "--workspace-id", "42")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def padded(tmp_path: Path) -> Path:
    """A quiet espeak-ng sentence with 3 s of silence before and 2 s after."""
    voice, rate = sf.read(str(speech(tmp_path / "raw.wav")))
    signal = np.concatenate([np.zeros(3 * rate), 0.05 * voice, np.zeros(2 * rate)])
    path = tmp_path / "take.wav"
    sf.write(str(path), signal, rate, subtype="PCM_16")
    return path


def lufs(path: Path) -> float:
    data, rate = sf.read(str(path))
    return float(pyln.Meter(rate).integrated_loudness(data))


def test_prepare_writes_clone_ready_files_and_says_what_changed(
    padded: Path, tmp_path: Path
) -> None:
    digest = sha(padded)
    out = tmp_path / "ready"
    done = run_cli("prepare", padded, "--out", out, env=cli_env(None))
    assert done.status == 0, done.text
    written = out / "take.prepared.flac"
    assert done.out.splitlines()[0] == f"{padded} -> {written}"
    assert "  - trimmed " in done.out
    assert "dB to -20.0 LUFS" in done.out
    assert sha(padded) == digest
    assert lufs(written) == pytest.approx(-20.0, abs=1.0)
    assert sf.info(str(written)).subtype == "PCM_16"

    again = run_cli(
        "prepare",
        "--json",
        "--target-lufs",
        "-23",
        "--no-trim",
        padded,
        "--out",
        out,
        env=cli_env(None),
    )
    assert again.status == 0, again.text
    (entry,) = json.loads(again.out)
    assert entry["files"] == [str(written)]
    assert not any(line.startswith("trimmed") for line in entry["changes"])
    assert entry["before"]["speech_s"] > 5
    assert lufs(written) == pytest.approx(-23.0, abs=1.0)
    assert sf.info(str(written)).duration == pytest.approx(sf.info(str(padded)).duration)


def test_prepare_splits_with_max_segment_s(tmp_path: Path) -> None:
    source = speech(tmp_path / "run-on.wav", RUN_ON)
    done = run_cli(
        "prepare", source, "--out", tmp_path / "parts", "--max-segment-s", "10", env=cli_env(None)
    )
    assert done.status == 0, done.text
    parts = sorted((tmp_path / "parts").glob("run-on.prepared-*.flac"))
    assert len(parts) >= 3
    assert all(sf.info(str(part)).duration <= 10.0 for part in parts)
    assert "split at pauses into" in done.out


def test_a_tone_or_a_bad_option_is_status_2_and_writes_nothing(tmp_path: Path) -> None:
    tone = write_wav(tmp_path / "tone.wav", seconds=5.0)
    out = tmp_path / "out"
    done = run_cli("prepare", tone, "--out", out, env=cli_env(None))
    assert done.status == 2
    assert "no speech found" in done.err
    assert not out.exists() or not any(out.iterdir())
    bad = run_cli("prepare", tone, "--out", out, "--target-lufs", "5", env=cli_env(None))
    assert bad.status == 2
    assert "--target-lufs" in bad.err
    missing = run_cli("prepare", tmp_path / "nope.wav", "--out", out, env=cli_env(None))
    assert missing.status == 2
    assert "nope.wav" in missing.err


def test_clone_prepare_sends_the_prepared_copy(
    sandbox: RunningSandbox, padded: Path, tmp_path: Path
) -> None:
    done = run_cli(*CLONE, "--prepare", padded, sandbox=sandbox)
    assert done.status == 0, done.text
    voice_id = dict(line.split(":", 1) for line in done.out.splitlines())["voice id"].strip()
    (stored,) = sandbox.voice_record(voice_id)["samples"]
    assert stored["filename"] == "take.prepared.flac"
    assert stored["sha256"] != sha(padded)
    kept = Path(stored["path"])
    assert lufs(kept) == pytest.approx(-20.0, abs=1.0)
    assert sf.info(str(kept)).duration < sf.info(str(padded)).duration - 4.0  # trimmed

    tone = write_wav(tmp_path / "tone.wav", seconds=5.0)
    sandbox.clear_requests()
    refused = run_cli(*CLONE, "--prepare", tone, sandbox=sandbox)
    assert refused.status == 2
    assert "no speech found" in refused.err
    assert sandbox.requests() == []  # nothing sent


def test_batch_prepare_sends_prepared_copies(
    sandbox: RunningSandbox, padded: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "speakers"
    for name in ("ada", "bob"):
        (folder / name).mkdir(parents=True)
        (folder / name / "take.wav").write_bytes(padded.read_bytes())
    out = tmp_path / "results.csv"
    done = run_cli(
        "batch",
        "--provider",
        "p",
        "--workspace-id",
        "1",
        "--prepare",
        folder,
        "--out",
        out,
        sandbox=sandbox,
    )
    assert done.status == 0, done.text
    voices = BatchResult.from_file(out).voice_ids
    assert sorted(voices) == ["ada", "bob"]
    for voice_id in voices.values():
        (stored,) = sandbox.voice_record(voice_id)["samples"]
        assert stored["filename"] == "take.prepared.flac"
        assert stored["sha256"] != sha(padded)
        assert lufs(Path(stored["path"])) == pytest.approx(-20.0, abs=1.0)
