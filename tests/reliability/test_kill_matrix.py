"""The client killed at seeded random instants, then resumed with the same command: no duplicate.

`uponai-voices batch FOLDER --out OUT --resume OUT` and a script calling
`clone_voices(..., journal=J)` run behind a reverse proxy (tests/support/proxy.py) that holds
each request at one of three points: before it reaches the sandbox (nothing stored), right
after the sandbox answered (stored, the client has heard nothing), and after the status line
reached the client (stored, the body not yet sent). The client gets SIGKILL, SIGTERM or SIGINT
at a seeded random instant inside the hold, is resumed with the same command, and may be
killed again. After each kill the sandbox's voices are counted per name and compared with the
rows rebuilt from the results file and its journal: a row that says a voice exists must name
the one stored; ``failed``, ``cancelled`` and never-sent jobs must have none; ``unknown`` may
have one. A final uninterrupted run completes every batch.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.cli import COMMAND, cli_env
from support.proxy import ReverseProxy

from uponai_devtools.sandbox import RunningSandbox, SandboxFactory
from uponai_devtools.wav import write_wav
from uponai_widgets import BatchRow
from uponai_widgets.batch._journal import journal_beside, resume_rows

pytestmark = [pytest.mark.slow, pytest.mark.isolated, pytest.mark.timeout(400)]

KILLS_WANTED = 54
JOBS_PER_BATCH = 12
HOLD = 0.3
PHASES = {  # the proxy's hold -> the event that says a request is held there
    "before_store": ("hold_before_forward", "received"),
    "after_store": ("hold_after_upstream", "upstream_answered"),
    "after_status_line": ("hold_after_status", "status_sent"),
}
SIGNALS = {"SIGKILL": signal.SIGKILL, "SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}

SCRIPT = textwrap.dedent(
    """
    import os, sys
    import uponai_widgets as uw

    folder, journal, table = sys.argv[1:4]
    jobs = uw.jobs_from_folder(folder, provider="elevenlabs", workspace_id=5)
    connection = uw.connect(os.environ["UPONAI_BASE_URL"], os.environ["UPONAI_API_KEY"])
    result = uw.clone_voices(connection, jobs, concurrency=2, on_progress=False, journal=journal)
    result.to_csv(table)
    """
)


def _ctrl_c_as_in_a_terminal() -> None:
    # A test run in the background (make test's second pytest) inherits an ignored SIGINT,
    # and so would the client: give it the default action a user's terminal gives it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Tally:
    """What the matrix did and found (printed at the end, for the record)."""

    kills: Counter[str] = field(default_factory=Counter)
    finished_before_kill: int = 0
    unknown_after_kills: int = 0
    final_unknown: int = 0
    unknown_stored: int = 0
    duplicates: list[str] = field(default_factory=list)
    contradictions: list[str] = field(default_factory=list)
    checks: int = 0


def _speakers(root: Path, prefix: str) -> list[str]:
    names = [f"{prefix}-{index:02d}" for index in range(JOBS_PER_BATCH)]
    for number, name in enumerate(names):
        (root / name).mkdir(parents=True)
        write_wav(root / name / "take.wav", seconds=0.1, freq=180 + 9 * number)
    return names


def _check(
    names: list[str], rows: dict[str, BatchRow], sandbox: RunningSandbox, tally: Tally
) -> None:
    """Count duplicates and rows that contradict the store; count unknown rows."""
    counts = sandbox.voice_counts()
    tally.checks += 1
    for name in names:
        stored = counts.get(name, 0)
        row = rows.get(name)
        if stored > 1:
            tally.duplicates.append(f"{name}: stored {stored} times")
        if row is None or row.status in ("failed", "cancelled"):
            if stored:
                tally.contradictions.append(f"{name}: {row} but stored {stored}")
        elif row.done:
            ids = sandbox.voice_ids(name)
            if ids != [row.voice_id]:
                tally.contradictions.append(f"{name}: {row} but stored {ids}")


def _command(runner: str, folder: Path, out: Path, script: Path) -> list[str]:
    if runner == "cli":
        command = [*COMMAND, "batch", str(folder), "--provider", "elevenlabs"]
        return [*command, "--workspace-id", "5", "--concurrency", "2", "--out", str(out),
                "--resume", str(out)]  # fmt: skip
    return [sys.executable, str(script), str(folder), str(journal_beside(out)), str(out)]


def _wait_for(
    proxy: ReverseProxy, event: str, count: int, process: subprocess.Popen[bytes]
) -> bool:
    """Until `event` reached `count` (True) or the process ended first (False); bounded."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        if proxy.events().get(event, 0) >= count:
            return True
        time.sleep(0.005)
    return False


def _sendable(names: list[str], out: Path) -> int:
    """Jobs a resume would still send (no row says the voice exists or may exist)."""
    try:
        rows = resume_rows(out)
    except FileNotFoundError:
        return len(names)
    return sum(1 for n in names if n not in rows or rows[n].status in ("failed", "cancelled"))


def test_kill_matrix_then_resume_never_duplicates_nor_contradicts_the_store(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    chooser = random.Random(2323)
    sandbox = sandbox_factory(tmp_path / "data")
    script = tmp_path / "batch_script.py"
    script.write_text(SCRIPT)
    tally = Tally()
    started = time.monotonic()
    with ReverseProxy(sandbox.url) as proxy:
        env = cli_env(None, UPONAI_BASE_URL=proxy.url, UPONAI_API_KEY=sandbox.token)
        env["PYTHONPATH"] = os.pathsep.join(sys.path)
        batch = 0
        while sum(tally.kills.values()) < KILLS_WANTED:
            runner = "cli" if batch % 2 == 0 else "python"
            folder = tmp_path / f"batch{batch}"
            names = _speakers(folder, f"m{batch:02d}")
            out = tmp_path / f"results{batch}.csv"
            command = _command(runner, folder, out, script)
            while _sendable(names, out) > 0 and sum(tally.kills.values()) < KILLS_WANTED:
                phase = chooser.choice(sorted(PHASES))
                kind = chooser.choice(sorted(SIGNALS))
                hold, event = PHASES[phase]
                proxy.configure(
                    **{name: HOLD if name == hold else 0.0 for name, _ in PHASES.values()}
                )
                target = proxy.events().get(event, 0) + chooser.randint(1, 3)
                process = subprocess.Popen(
                    command,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    preexec_fn=_ctrl_c_as_in_a_terminal,
                )
                try:
                    if _wait_for(proxy, event, target, process):
                        time.sleep(chooser.uniform(0.0, HOLD * 0.8))
                        process.send_signal(SIGNALS[kind])
                    _, err = process.communicate(timeout=30)
                finally:
                    if process.poll() is None:
                        process.kill()
                        process.wait(10)
                if process.returncode in (0, 1):
                    tally.finished_before_kill += 1
                else:
                    assert "Traceback" not in err.decode() or runner == "python", err.decode()
                    tally.kills[f"{runner} {kind} {phase}"] += 1
                    if runner == "cli" and kind != "SIGKILL":  # stopped cleanly: table written
                        assert out.exists(), err.decode()[-2000:]
                proxy.wait_idle()
                rows = resume_rows(out)
                tally.unknown_after_kills += sum(1 for r in rows.values() if r.status == "unknown")
                _check(names, rows, sandbox, tally)
            proxy.configure(**{name: 0.0 for name, _ in PHASES.values()})
            final = subprocess.run(command, env=env, capture_output=True, timeout=60)
            assert final.returncode in (0, 1), final.stderr.decode()[-2000:]
            rows = resume_rows(out)
            assert {row.status for row in rows.values()} <= {"created", "skipped", "unknown"}
            assert set(rows) == set(names)
            counts = sandbox.voice_counts()
            tally.final_unknown += sum(1 for r in rows.values() if r.status == "unknown")
            tally.unknown_stored += sum(
                1 for r in rows.values() if r.status == "unknown" and counts.get(r.name)
            )
            _check(names, rows, sandbox, tally)
            batch += 1
    summary = {
        "kills": sum(tally.kills.values()),
        "by_runner_signal_phase": dict(sorted(tally.kills.items())),
        "batches": batch,
        "jobs": batch * JOBS_PER_BATCH,
        "runs_that_finished_before_the_kill": tally.finished_before_kill,
        "unknown_rows_after_each_kill_summed": tally.unknown_after_kills,
        "final_unknown_rows": tally.final_unknown,
        "final_unknown_rows_whose_voice_exists": tally.unknown_stored,
        "store_checks": tally.checks,
        "duplicates": len(tally.duplicates),
        "rows_contradicting_the_store": len(tally.contradictions),
        "seconds": round(time.monotonic() - started, 1),
    }
    print("kill matrix:", json.dumps(summary, indent=1))
    assert tally.duplicates == []
    assert tally.contradictions == []
    assert sum(tally.kills.values()) >= 50
    for kind in SIGNALS:  # every signal and every phase was exercised
        assert any(kind in key for key in tally.kills), tally.kills
    for phase in PHASES:
        assert any(key.endswith(phase) for key in tally.kills), tally.kills
    for runner in ("cli", "python"):
        assert any(key.startswith(runner) for key in tally.kills), tally.kills
    assert tally.unknown_after_kills > 0
