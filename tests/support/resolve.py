"""pip resolving `constraints.txt` with every extra for other Python versions, in the background.

`start(root)` launches one `pip install --dry-run --python-version X --only-binary=:all:` per
version at once (nothing is installed: `--target` only satisfies `--python-version`);
`Resolutions.wait()` collects them. The install tests' conftest starts them as soon as
collection is over, so the registry round trips overlap the tests that run first.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Debian 12's own python3, and the newest two: the range `requires-python` states.
PYTHONS = ("3.11.2", "3.12", "3.13")
TIMEOUT = 300


def extras() -> list[str]:
    """Every optional-dependency group of pyproject.toml."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return sorted(project["optional-dependencies"])


def command(version: str, target: Path, report: Path) -> list[str]:
    """The pip command line for one Python version (report: pip's JSON install report)."""
    args = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
            "--quiet", "--disable-pip-version-check", "--target", str(target),
            "--python-version", version, "--only-binary=:all:",
            "-c", str(REPO / "constraints.txt"), "--report", str(report)]  # fmt: skip
    if importlib.util.find_spec("hatchling") is not None:
        args.append("--no-build-isolation")  # read our metadata with the installed hatchling
    return [*args, f"{REPO}[{','.join(extras())}]"]


@dataclass
class Resolutions:
    """The running pip processes, by version; `wait()` gives (status, stderr, report path)."""

    processes: dict[str, tuple[subprocess.Popen[str], Path]] = field(default_factory=dict)
    results: dict[str, tuple[int, str, Path]] = field(default_factory=dict)

    def wait(self) -> dict[str, tuple[int, str, Path]]:
        """Wait for every process (bounded) and return the results."""
        for version, (process, report) in self.processes.items():
            if version not in self.results:
                _, err = process.communicate(timeout=TIMEOUT)
                self.results[version] = (process.returncode, err, report)
        return self.results

    def stop(self) -> None:
        """Kill what is still running (by PID) and reap it."""
        for process, _ in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(10)


def start(root: Path) -> Resolutions:
    """Launch pip for every version in `PYTHONS`, working in `root`."""
    root.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PIP_REQUIRE_VIRTUALENV"}}
    running = Resolutions()
    for version in PYTHONS:
        report = root / f"report-{version}.json"
        process = subprocess.Popen(
            command(version, root / f"target-{version}", report),
            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        running.processes[version] = (process, report)
    return running
