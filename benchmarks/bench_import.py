"""`import uponai_widgets` + `connect()` in a fresh process, next to its parts.

.venv/bin/python benchmarks/bench_import.py [--runs 15]

Each run is a new interpreter; the figure is measured inside it with `time.perf_counter()`
around the import and the `connect()` call (interpreter start-up excluded, listed separately).
For scale the same is measured for `import httpx` alone, `import ipywidgets` alone, and
whether any view or heavy module (ipywidgets, numpy, pandas, soundfile, IPython) got imported.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

PROBES = {
    "import uponai_widgets + connect()": (
        "import uponai_widgets\nuponai_widgets.connect('http://127.0.0.1:9', 'benchmark-token')\n"
    ),
    "import httpx (alone)": "import httpx\n",
    "import ipywidgets (alone, not needed by the above)": "import ipywidgets\n",
}

TEMPLATE = """
import json, sys, time
start = time.perf_counter()
{body}
seconds = time.perf_counter() - start
heavy = [m for m in ("ipywidgets", "numpy", "pandas", "soundfile", "IPython") if m in sys.modules]
print(json.dumps({{"seconds": seconds, "heavy": heavy}}))
"""


def one(body: str) -> tuple[float, list[str]]:
    """Run one probe in a fresh interpreter; return its timing and the heavy modules loaded."""
    out = subprocess.run(
        [sys.executable, "-c", TEMPLATE.format(body=body)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(out.stdout)
    return float(result["seconds"]), [str(name) for name in result["heavy"]]


def main() -> None:
    """Print the median and worst of each probe."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    print("command: python benchmarks/bench_import.py " + shlex.join(sys.argv[1:]))
    print(f"1-min load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    one(PROBES["import uponai_widgets + connect()"])  # warm the file cache and .pyc files
    for name, body in PROBES.items():
        results = [one(body) for _ in range(runs)]
        seconds = [taken for taken, _ in results]
        heavy = sorted({name for _, loaded in results for name in loaded})
        print(
            f"{name}: median {statistics.median(seconds):.3f} s, worst {max(seconds):.3f} s "
            f"over {runs} fresh processes; heavy modules loaded: {', '.join(heavy) or 'none'}"
        )
    startup = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        startup.append(time.perf_counter() - start)
    print(
        f"bare interpreter start-up (not included above): median {statistics.median(startup):.3f} s"
    )


if __name__ == "__main__":
    main()
