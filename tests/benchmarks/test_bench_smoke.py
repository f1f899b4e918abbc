"""Every benchmark in benchmarks/ runs end to end at a small size and prints its figures.

A benchmark that no longer runs (a renamed option, a selector the widget stopped drawing, a
helper that moved) fails here. The sizes are tiny, so the figures themselves mean nothing: the
tests check that each report line is there and well formed, never a speed. `bench_call.py` has
its own smoke test (test_bench_call_smoke.py); `bench_picker.py` has one in
test_bench_picker_smoke.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCHMARKS = REPO / "benchmarks"

pytestmark = pytest.mark.slow

SMOKED_ELSEWHERE = {"bench_call.py", "bench_picker.py"}


def run(script: str, *args: str, timeout: float = 120) -> str:
    """Run one benchmark script; its standard output (it must exit 0)."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"{script} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


def lines_matching(report: str, *patterns: str) -> None:
    """Each pattern matches a whole line of `report`."""
    for pattern in patterns:
        assert re.search(pattern, report, re.MULTILINE), f"no line matches {pattern!r}:\n{report}"


def test_every_benchmark_has_a_smoke_test() -> None:
    smoked = set(re.findall(r'run\(\s*"(bench_\w+\.py)"', Path(__file__).read_text()))
    scripts = {path.name for path in BENCHMARKS.glob("bench_*.py")}
    assert scripts - smoked - SMOKED_ELSEWHERE == set()
    for name in SMOKED_ELSEWHERE:
        smoke = Path(__file__).with_name(f"test_{name.removesuffix('.py')}_smoke.py")
        assert smoke.exists(), smoke


def test_bench_batch() -> None:
    report = run(
        "bench_batch.py",
        *("--jobs", "10", "--concurrency", "5", "--latency-ms", "10", "--runs", "1"),
        *("--memory-jobs", "5,10"),
    )
    lines_matching(
        report,
        r"^clone_voices wall time: median \d+\.\d+ s .* ratio \d+\.\d+x$",
        r"^memory, 10 jobs: peak RSS above idle \d+\.\d+ MiB",
    )


def test_bench_chaos() -> None:
    report = json.loads(
        run("bench_chaos.py", "--jobs", "30", "--kills", "1", "--concurrency", "4", timeout=180)
    )
    assert report["jobs"] == 30
    assert report["duplicates"] == 0
    assert report["created_not_stored_once"] == 0
    assert report["unknown_stored_twice"] == 0
    assert sum(report["final"].values()) == 30


def test_bench_clone_memory() -> None:
    report = run("bench_clone_memory.py", "--size-mib", "2", "--runs", "1", "--repeat", "1")
    for scenario in ("raw-httpx-files", "paths", "memoryview", "paths-async"):
        lines_matching(report, rf"^{scenario}\s+median\s+\d+\.\d MiB/s .* peak RSS above idle")


def test_bench_import() -> None:
    report = run("bench_import.py", "--runs", "2")
    lines_matching(report, r"^import uponai_widgets \+ connect\(\): median \d+\.\d{3} s")


def test_bench_inspect() -> None:
    report = run("bench_inspect.py", "--minutes", "0.1", "--runs", "1")
    lines_matching(report, r"^WAV: inspect_sample median \d+\.\d{3} s")


def test_bench_prepare() -> None:
    report = run("bench_prepare.py", "--minutes", "0.5", "--runs", "1")
    lines_matching(
        report,
        r"^prepare_sample: median \d+\.\d+ s, .* RSS growth median \d+\.\d MiB",
        r"^soundfile\.read of the whole file, for scale:",
    )


def test_bench_detector() -> None:
    report = run("bench_detector.py", "--minutes", "0.2", timeout=240)
    lines_matching(
        report,
        r"^\| signal \| right answer \| webrtcvad \(mode 3\) \| ours ",
        r"^\| two-note chord, 3 Hz tremolo \| under 1 s \| \d+\.\d s \| \d+\.\d s ",
        r"^\| CPU for 0\.2 min of 44\.1 kHz stereo speech \|",
    )


def test_bench_regenerate() -> None:
    report = run("bench_regenerate.py", "--runs", "1")
    lines_matching(
        report,
        r"^regenerate \(fresh folder\): median \d+\.\d+ s",
        r"^regenerate --check: median \d+\.\d+ s",
    )


def test_bench_regenerate_large() -> None:
    report = run("bench_regenerate_large.py", "--runs", "1", "--resources", "2", timeout=180)
    lines_matching(
        report,
        r"^raw openapi-python-client: median \d+\.\d+ s",
        r"^scripts/regenerate\.py: median \d+\.\d+ s",
        r"^ratio of medians: \d+\.\d+x",
    )


def test_bench_regenerate_large_on_a_given_spec() -> None:
    """`--spec` is how a published spec is measured (one of the corpus stands in for it)."""
    spec = "tests/codegen/fixtures/corpus/json_or_multipart_body.json"
    report = run("bench_regenerate_large.py", "--runs", "1", "--spec", spec, timeout=180)
    lines_matching(
        report,
        r"^spec: json_or_multipart_body\.json, 2 operations, 4 schemas$",
        r"^ratio of medians: \d+\.\d+x",
    )
