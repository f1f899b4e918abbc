"""`clone_voices` in a script whose stderr is a log file: one line per finished job, then the
summary; no tqdm redraws. (On a terminal it keeps its tqdm bar.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.cli import cli_env, speakers

from uponai_devtools.sandbox import RunningSandbox

SCRIPT = """
import sys
import uponai_widgets as uw
connection = uw.connect()
jobs = uw.jobs_from_folder(sys.argv[1], provider="demo", workspace_id=1)
result = uw.clone_voices(connection, jobs, concurrency=2)
print(result.counts()["created"])
"""


def test_a_log_file_gets_one_line_per_job_and_no_redraws(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    folder = speakers(tmp_path / "speakers", [f"s{i}" for i in range(6)], files_each=1)
    log = tmp_path / "script.log"
    with log.open("w") as err:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(folder)],
            env=cli_env(sandbox), stdout=subprocess.PIPE, stderr=err, text=True, timeout=60,
        )  # fmt: skip
    text = log.read_text()
    assert done.returncode == 0, text
    assert done.stdout.strip() == "6"
    assert "\r" not in text, "tqdm redraws in a log file"
    lines = text.splitlines()
    assert len(lines) == 6 + 1, text
    assert [line.split(" jobs done")[0] for line in lines[:6]] == [
        f"Cloning voices: {n}/6" for n in range(1, 7)
    ]
    assert lines[-1].startswith("6 jobs: 6 created, 0 unknown, 0 failed, 0 skipped")
    assert sandbox.token not in text
