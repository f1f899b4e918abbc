"""Wall time of `scripts/regenerate.py` (full regeneration into a scratch folder) and `--check`.

.venv/bin/python benchmarks/bench_regenerate.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = ROOT / "scripts" / "regenerate.py"


def timed(*args: str) -> float:
    """Seconds one run of the command takes; fails loudly when it fails."""
    start = time.perf_counter()
    subprocess.run([sys.executable, str(REGENERATE), *args], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    """Print median and worst of each command."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        fresh = [
            timed("--package-dir", str(Path(scratch) / f"run{i}" / "uponai_client"))
            for i in range(runs)
        ]
    check = [timed("--check") for _ in range(runs)]
    for name, samples in (("regenerate (fresh folder)", fresh), ("regenerate --check", check)):
        print(
            f"{name}: median {statistics.median(samples):.2f} s, "
            f"worst {max(samples):.2f} s over {runs} runs"
        )


if __name__ == "__main__":
    main()
