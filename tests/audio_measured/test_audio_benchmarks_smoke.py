"""Smoke runs of the audio benchmarks on short inputs (their figures are in BENCHMARKS.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(script: str, *args: str) -> str:
    env = dict(os.environ)
    paths = [ROOT / "widgets", ROOT / "generated_client", ROOT / "devtools"]
    env["PYTHONPATH"] = os.pathsep.join(str(path) for path in paths)
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=True,
        cwd=ROOT,
    )
    return done.stdout


@pytest.mark.slow
def test_bench_detector_prints_the_table() -> None:
    out = run("bench_detector.py", "--minutes", "0.2")
    assert "| two-note chord, 3 Hz tremolo | under 1 s | " in out
    assert "| CPU for 0.2 min of 44.1 kHz stereo speech |" in out


@pytest.mark.slow
def test_bench_prepare_and_bench_inspect_run_on_speech() -> None:
    out = run("bench_prepare.py", "--minutes", "0.5", "--runs", "1")
    assert "prepare_sample: median" in out
    assert "written as 16-bit FLAC" in out
    out = run("bench_inspect.py", "--minutes", "0.5", "--runs", "1", "--speech")
    assert "inspect_sample" in out
