"""`benchmarks/bench_call.py` runs end to end: generation, loopback server, both modes, report."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "bench_call.py"


@pytest.mark.slow
def test_bench_call_reports_both_modes_and_their_ratio() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--requests", "50", "--rounds", "1", "--no-target"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = done.stdout
    per_1000 = r": best \d+\.\d{3} s, median \d+\.\d{3} s per 1,000 GETs"
    assert re.search(r"^raw get_voice\.sync" + per_1000, report, re.MULTILINE), report
    assert re.search(r"^uw\.call\s*" + per_1000, report, re.MULTILINE), report
    assert re.search(r"^ratio call/raw: \d+\.\d{3}x of the best rounds", report, re.MULTILINE)
    assert "load average at the start" in report
