"""`scripts/regenerate.py` against raw openapi-python-client on a 300+ operation spec, same run.

.venv/bin/python benchmarks/bench_regenerate_large.py [--runs 5] [--resources 28] [--spec PATH]

The spec is built by `uponai_devtools.large_spec` (308 operations by default), or is a published
one given with `--spec` (JSON or YAML; keep it out of the repository). Raw is the
pinned generator's command line with `--meta none` and its usual ruff hooks (check --fix-only
and format); the pipeline adds naming, validation, the API diff, its transforms, and the import
check of every module. Runs alternate (raw, pipeline, raw, ...) so load hits both alike. CPU is
user + system seconds of each run's process and its children (the pipeline's forked ones
included): less sensitive to load than wall time, but blind to work done side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from uponai_codegen.operations import iter_operations
from uponai_codegen.spec import load_spec
from uponai_devtools.large_spec import build_large_spec

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = ROOT / "scripts" / "regenerate.py"

RAW_CONFIG = (
    "package_name_override: uponai_client\n"
    "post_hooks:\n"
    '  - "ruff check . --fix-only --extend-select I --isolated --no-cache --quiet"\n'
    '  - "ruff format . --isolated --no-cache --quiet"\n'
)


CPU: list[float] = []


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str]) -> float:
    """Wall seconds one run takes (its CPU seconds go to `CPU`); fails loudly on failure."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    CPU.append(_children_cpu() - cpu)
    if done.returncode != 0:
        raise SystemExit(f"{command[1]} failed:\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    """Print the median and worst of each and the ratio of the medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--resources", type=int, default=28)
    parser.add_argument("--spec", type=Path, help="a published spec instead of the synthetic one")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])}
    raw_cli = str(bin_dir / "openapi-python-client")
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        spec, config, names = scratch / "large.json", scratch / "raw.yaml", scratch / "names.json"
        document = load_spec(args.spec) if args.spec else build_large_spec(args.resources)
        operations = len(iter_operations(document))
        spec.write_text(json.dumps(document, indent=2))
        config.write_text(RAW_CONFIG)
        names.write_text("{}")
        raw: list[float] = []
        pipeline: list[float] = []
        print(f"load average {os.getloadavg()[0]:.1f} at the start")
        for run in range(args.runs):
            raw.append(
                timed(
                    [
                        raw_cli,
                        "generate",
                        "--path",
                        str(spec),
                        "--meta",
                        "none",
                        "--config",
                        str(config),
                        "--output-path",
                        str(scratch / f"raw{run}"),
                    ],
                    env,
                )
            )
            package = scratch / f"run{run}" / "generated_client" / "uponai_client"
            pipeline.append(
                timed(
                    [
                        sys.executable,
                        str(REGENERATE),
                        "--spec",
                        str(spec),
                        "--name-map",
                        str(names),
                        "--package-dir",
                        str(package),
                    ],
                    env,
                )
            )
    schemas = len((document.get("components") or {}).get("schemas") or {})
    label = args.spec.name if args.spec else "synthetic"
    print(f"spec: {label}, {operations} operations, {schemas} schemas")
    cpu = {"raw openapi-python-client": CPU[0::2], "scripts/regenerate.py": CPU[1::2]}
    for name, samples in (("raw openapi-python-client", raw), ("scripts/regenerate.py", pipeline)):
        print(
            f"{name}: median {statistics.median(samples):.2f} s, worst {max(samples):.2f} s "
            f"over {args.runs} runs ({', '.join(f'{s:.2f}' for s in samples)}); "
            f"CPU median {statistics.median(cpu[name]):.2f} s"
        )
    ratio = statistics.median(pipeline) / statistics.median(raw)
    cpu_ratio = statistics.median(cpu["scripts/regenerate.py"]) / statistics.median(
        cpu["raw openapi-python-client"]
    )
    print(
        f"ratio of medians: {ratio:.2f}x wall (target <= 1.30x), {cpu_ratio:.2f}x CPU; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
