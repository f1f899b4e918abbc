"""Run every benchmark script in this folder, one after another (`make benchmarks`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Run each `bench_*.py`; the exit status is the number of failures."""
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        failures += subprocess.run([sys.executable, str(script)], check=False).returncode != 0
    return failures


if __name__ == "__main__":
    sys.exit(main())
