#!/usr/bin/env python3
"""Regenerate `generated_client/uponai_client` from `openapi.json` (or check that it is current).

    python scripts/regenerate.py [--spec PATH] [--check] [--strict]

Exit status: 0 done (or up to date), 1 the committed client is stale (`--check`),
2 invalid input or generation failure. Messages for people go to stderr. The package is
generated into a temporary folder, verified, and only then swapped in; on any failure
`generated_client/` is left as it was.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from uponai_codegen import PipelineError
from uponai_codegen.generator import (
    GENERATOR_VERSION,
    run_generator,
    run_ruff_format,
)
from uponai_codegen.normalize import load_name_map, normalize, stale_name_map_entries
from uponai_codegen.spec import load_spec, validate_openapi
from uponai_codegen.transforms import (
    SOURCE_TRANSFORMS,
    add_generated_header,
    add_py_typed,
)
from uponai_codegen.tree import diff_trees, replace_tree, verify_package

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
DEFAULT_SPEC = ROOT / "openapi.json"
DEFAULT_PACKAGE = ROOT / "generated_client" / "uponai_client"
CONFIG = SCRIPTS / "generator-config.yaml"
NAME_MAP = SCRIPTS / "operation-names.json"

EXIT_OK, EXIT_STALE, EXIT_INVALID = 0, 1, 2


def say(message: str) -> None:
    """Print a line for people (stderr)."""
    print(message, file=sys.stderr)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="OpenAPI document (JSON)")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the package is stale"
    )
    parser.add_argument("--strict", action="store_true", help="treat generator warnings as errors")
    parser.add_argument(
        "--package-dir",
        type=Path,
        default=DEFAULT_PACKAGE,
        help="package folder to write or check (default: generated_client/uponai_client)",
    )
    return parser.parse_args(argv)


def build_package(spec_path: Path, staging: Path) -> tuple[Path, list[str]]:
    """Run every step into `staging`; return the verified package and the warnings."""
    document = load_spec(spec_path)
    validate_openapi(document, spec_path)
    name_map = load_name_map(NAME_MAP)
    warnings = [
        f"scripts/operation-names.json: {key} is not in the spec any more; remove the entry"
        for key in stale_name_map_entries(document, name_map)
    ]
    package, generator_warnings = run_generator(normalize(document, name_map), CONFIG, staging)
    warnings += [str(warning) for warning in generator_warnings]
    for transform in SOURCE_TRANSFORMS:
        transform(package)
    run_ruff_format(package)
    add_generated_header(package, GENERATOR_VERSION)
    add_py_typed(package)
    verify_package(package)
    return package, warnings


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; see the module docstring for the exit status."""
    args = parse_args(argv)
    target: Path = args.package_dir.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".regen-", dir=target.parent))
    try:
        package, warnings = build_package(args.spec.resolve(), staging)
        if warnings:
            say(f"The generator reported {len(warnings)} warning(s):")
            for warning in warnings:
                say(f"  - {warning}")
            if args.strict:
                say("error: --strict: warnings are fatal; nothing was written")
                return EXIT_INVALID
        differences = diff_trees(package, target)
        if args.check:
            if differences:
                say(f"{target.relative_to(target.parent.parent)} is stale; run `make regenerate`:")
                for line in differences:
                    say(f"  {line}")
                return EXIT_STALE
            say("generated client is up to date")
            return EXIT_OK
        if not differences:
            say("generated client unchanged")
            return EXIT_OK
        replace_tree(package, target)
        say(f"regenerated {len(differences)} file(s):")
        for line in differences:
            say(f"  {line}")
        return EXIT_OK
    except PipelineError as exc:
        say(f"error: {exc}")
        say("generated_client/ was left unchanged")
        return EXIT_INVALID
    finally:
        shutil.rmtree(staging, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
