"""`benchmarks/bench_picker.py` runs end to end at a small size, and says what never came.

The runs use real JupyterLab, Chromium and the sandbox (a few seconds of transfer each); the
figures are not checked, only that every report line is there and the sandbox got the bytes.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from uponai_devtools.browser import CHROMIUM
from uponai_devtools.cdp import plain_chromium
from uponai_devtools.measure import PageTimeline, WaitedTooLong

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "bench_picker.py"

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(280)]


@pytest.fixture(autouse=True)
def _chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does)")


def run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def lines_matching(report: str, *patterns: str) -> None:
    for pattern in patterns:
        assert re.search(pattern, report, re.MULTILINE), f"no line matches {pattern!r}:\n{report}"


def test_one_file_arrives_is_analysed_and_cloned_with_lab_and_httpx_for_scale() -> None:
    report = run(
        *("--size-bytes", "12000000", "--raw-upload", "--lab-upload", "--breakdown"),
    )
    lines_matching(
        report,
        r"^command: \.venv/bin/python benchmarks/bench_picker\.py --size-bytes 12000000 ",
        r"^load average at the start: \d+\.\d\d .* on \d+ CPUs",
        r"^browser -> kernel: \d+\.\d\d s \(\d+\.\d MiB/s\)$",
        r"^CPU during browser -> kernel: .*chromium renderer \d+\.\d s.* kernel \d+\.\d s, "
        r"sandbox \d+\.\d s$",
        r"^CPU during upload \+ clone: .*sandbox \d+\.\d s$",
        r"^CPU during the raw httpx upload: sandbox \d+\.\d s, httpx \d+\.\d s$",
        r"^kernel peak RSS during browser -> kernel: \+\d+\.\d MiB over idle$",
        r"^sample analysis: \d+\.\d s, \+\d+\.\d MiB over idle$",
        r"^upload \+ clone after the click: \d+\.\d\d s$",
        r"^raw httpx upload of the same files: \d+\.\d\d s",
        r"^JupyterLab's own upload of the first file: \d+\.\d\d s",
        r"^route: direct \(one PUT per file\)$",
        r"^CPU of all processes: \d+\.\d s \(\d+\.\d s per GB\)$",
        r"^kernel chunk handler: .*\b1 stored\b.*; \d+\.\d\d s handling",
        r"^sandbox sha256 and size match every file: True$",
    )


def test_two_files_over_the_comm_with_clone_at_once_driven_by_playwright() -> None:
    report = run(
        *("--size-bytes", "12000000", "--files", "2", "--clone-at-once", "--raw-upload"),
        *("--driver", "playwright", "--comm", "--discard-samples"),
    )
    lines_matching(
        report,
        r"^files: 2 x 12000000 B WAV",
        r"^route: comm \(chunks over the websocket\)$",
        r"^CPU during browser -> kernel: .*playwright driver \d+\.\d s",
        r"^upload started -?\d+\.\d\d s after arrival$",
        r"^whole run, choosing to voice card: \d+\.\d\d s$",
        r"^whole run / \(browser -> kernel \+ raw httpx upload\): \d+\.\d\dx$",
        r"^the same with the raw upload before the widget's leg: \d+\.\d\dx$",
        r"^raw httpx upload before the widget's leg: \d+\.\d\d s",
        r"^sandbox sha256 and size match every file: True$",
    )


def test_a_wait_that_runs_out_says_what_it_waited_for_and_what_showed() -> None:
    # A short folder: Chromium's singleton socket path must stay under 108 bytes.
    with tempfile.TemporaryDirectory(prefix="cdp-") as tmp, plain_chromium(Path(tmp)) as page:
        page.goto("data:text/html,<div class=picker>Choose audio or drop files here</div>")
        page.wait_for("() => !!document.querySelector('.picker')", 10, "the test page")
        timeline = PageTimeline(page, {"ready": ".uponai-row-ready"})
        with pytest.raises(WaitedTooLong) as raised:
            timeline.wait("ready", "sample.wav in the kernel", 1.0, shown=".picker")
    message = str(raised.value)
    assert "sample.wav in the kernel" in message
    assert ".uponai-row-ready" in message
    assert "Choose audio or drop files here" in message
