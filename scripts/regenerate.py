#!/usr/bin/env python3
"""Regenerate `generated_client/uponai_client` from `openapi.json` (or check that it is current).

    python scripts/regenerate.py [--spec PATH | --from URL] [--check] [--strict]
                                 [--diff-only] [--fail-on-breaking]

It first prints what changed for SDK users since the committed client's spec (recorded in
`generated_client/openapi.snapshot.json`), each change marked breaking or not. Exit status: 0
done (or up to date), 1 the committed client is stale (`--check`) or a breaking change was found
(`--fail-on-breaking`), 2 invalid input or generation failure. Messages for people go to stderr;
`--diff-only` prints the report to stdout and writes nothing. The package is generated into a
temporary folder, verified, and only then swapped in; on any failure nothing is changed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from uponai_codegen import PipelineError
from uponai_codegen.apidiff import diff_specs, render
from uponai_codegen.checks import Checks
from uponai_codegen.clone_contract import write_clone_fields
from uponai_codegen.fetch import fetch_spec
from uponai_codegen.gate import check_consumer
from uponai_codegen.generator import GENERATOR_VERSION, run_generator, run_ruff_format
from uponai_codegen.lint import Finding
from uponai_codegen.lint_defaults import without_unreadable_defaults
from uponai_codegen.lint_operations import (
    content_type_overrides,
    not_reported_yet,
    without_operations,
    without_skipped_operations,
)
from uponai_codegen.normalize import load_name_map, normalize, stale_name_map_entries
from uponai_codegen.spec import check_version, dump_spec, load_spec
from uponai_codegen.transforms import add_py_typed, record_spec_info, transform_package
from uponai_codegen.tree import (
    diff_trees,
    leave_out_broken_operations,
    replace_tree,
    verify_package,
)

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
DEFAULT_SPEC = ROOT / "openapi.json"
DEFAULT_PACKAGE = ROOT / "generated_client" / "uponai_client"
CONFIG = SCRIPTS / "generator-config.yaml"
NAME_MAP = SCRIPTS / "operation-names.json"
SNAPSHOT_NAME = "openapi.snapshot.json"

EXIT_OK, EXIT_STALE, EXIT_INVALID = 0, 1, 2
MAX_FILES_LISTED = 40


def say(message: str) -> None:
    """Print a line for people (stderr)."""
    print(message, file=sys.stderr)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC, help="OpenAPI document (JSON or YAML)"
    )
    parser.add_argument(
        "--from",
        dest="url",
        metavar="URL",
        help="download a published spec, validate it, show the diff, then replace --spec with it",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument(
        "--consumer-gate",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="before the swap, check that the SDK (widgets/uponai_widgets) works with the new "
        "client: the clone operation, the import, mypy (default: on for the SDK's own "
        "generated_client/uponai_client, off for another --package-dir)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="treat warnings (spec and generator) as errors"
    )
    parser.add_argument(
        "--name-map",
        type=Path,
        default=NAME_MAP,
        help="METHOD /path -> operation name map (default: scripts/operation-names.json)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=CONFIG,
        help="openapi-python-client configuration, yours to edit: literal_enums, "
        "docstrings_on_attributes, ... (default: scripts/generator-config.yaml)",
    )
    parser.add_argument(
        "--diff-only", action="store_true", help="print the API diff to stdout; write nothing"
    )
    parser.add_argument(
        "--fail-on-breaking", action="store_true", help="exit 1 when a change breaks users"
    )
    parser.add_argument(
        "--package-dir",
        type=Path,
        default=DEFAULT_PACKAGE,
        help="package folder to write or check (default: generated_client/uponai_client)",
    )
    return parser.parse_args(argv)


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` by a rename, so readers never see half a file."""
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)


def load_source(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    """The new spec (downloaded or read) and a label for messages, its version checked."""
    if args.url:
        document, label = fetch_spec(args.url), args.url
    else:
        document, label = load_spec(args.spec), str(args.spec)
    check_version(document, label)
    return document, label


def load_snapshot(path: Path) -> dict[str, Any]:
    """The normalised spec the committed client was generated from (empty when there is none)."""
    if not path.exists():
        return {"info": {"version": "nothing"}, "paths": {}}
    return load_spec(path)


def build_package(
    normalized: dict[str, Any], staging: Path, validation: Checks, config: Path = CONFIG
) -> tuple[Path, list[str], list[str]]:
    """Generate, transform, format and verify the package in `staging`.

    Returns the package folder, the warnings (the generator's, the transforms', operations left
    out) and the `METHOD /path` of each operation left out because its module does not import.
    A generator failure on a spec that is invalid reports the spec's errors, not the
    generator's.
    """
    try:
        package, generator_warnings = run_generator(
            without_unreadable_defaults(normalized),
            config,
            staging,
            config_label=display_path(config),
        )
    except PipelineError:
        validation.result()
        raise
    record_spec_info(package, normalized)
    written = [package / "_spec.py"]
    if write_clone_fields(package, normalized):
        written.append(package / "_clone_fields.py")
    report = transform_package(package, GENERATOR_VERSION)
    run_ruff_format(package, sorted(set(report.changed) | set(written)))
    add_py_typed(package)
    left_out = leave_out_broken_operations(package, verify_package(package))
    warnings = [str(warning) for warning in generator_warnings] + report.notes
    return package, warnings + [str(gone) for gone in left_out], [g.operation for g in left_out]


def collect_warnings(
    document: dict[str, Any], name_map: Path, normalize_warnings: list[str]
) -> list[str]:
    """Warnings from the name map and normalisation (the generator's are added later)."""
    stale = stale_name_map_entries(document, load_name_map(name_map))
    return [
        f"{name_map.name}: {key} is not in the spec any more; if the operation moved, make its "
        "new METHOD /path the key (the name, and so the module, stays), else remove the entry"
        for key in stale
    ] + normalize_warnings


def spec_version(document: dict[str, Any]) -> str:
    """`info.version` of a spec, for the diff's heading."""
    return str((document.get("info") or {}).get("version", "?"))


def run(args: argparse.Namespace) -> int:
    """The pipeline; returns the exit status."""
    document, label = load_source(args)
    map_label = display_path(args.name_map)
    normalized, normalize_warnings = normalize(document, load_name_map(args.name_map), map_label)
    args.overrides = content_type_overrides(args.config)
    old = load_snapshot(args.package_dir.resolve().parent / SNAPSHOT_NAME)
    validation = Checks(normalized, label, args.strict, args.overrides, old)
    try:
        return run_validated(args, document, normalized, normalize_warnings, validation, old)
    finally:
        validation.close()


def display_path(path: Path) -> str:
    """`path` relative to the project when it is inside it (for messages)."""
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


def spec_warnings(findings: list[Finding]) -> list[str]:
    """The validation warnings, one line each."""
    return [f"spec {finding}" for finding in findings]


def run_validated(
    args: argparse.Namespace,
    document: dict[str, Any],
    normalized: dict[str, Any],
    normalize_warnings: list[str],
    validation: Checks,
    old: dict[str, Any],
) -> int:
    """Diff, generate and write, with validation and the diff finishing alongside (`old`: the
    committed client's spec)."""
    target: Path = args.package_dir.resolve()
    snapshot_path = target.parent / SNAPSHOT_NAME
    overrides = args.overrides
    if args.diff_only or args.fail_on_breaking:
        changes = validation.changes()
        report = render(changes, spec_version(old), spec_version(normalized))
        breaking = any(change.breaking for change in changes)
    if args.diff_only:
        validation.result()
        sys.stdout.write(report)
        return EXIT_STALE if args.fail_on_breaking and breaking else EXIT_OK
    if args.fail_on_breaking and breaking:
        validation.result()
        say(report.rstrip("\n"))
        say("error: --fail-on-breaking: the new spec breaks users; nothing was written")
        return EXIT_STALE
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".regen-", dir=target.parent))
    try:
        warnings = collect_warnings(document, args.name_map, normalize_warnings)
        package, generator_warnings, left_out = build_package(
            normalized, staging, validation, args.config
        )
        generator_warnings = not_reported_yet(generator_warnings, normalized, overrides)
        changes = validation.changes()
        if left_out:
            changes = diff_specs(
                without_operations(without_skipped_operations(old, overrides), left_out),
                without_operations(without_skipped_operations(normalized, overrides), left_out),
            )
        report = render(changes, spec_version(old), spec_version(normalized))
        warnings = spec_warnings(validation.result()) + warnings + generator_warnings
        gate = args.consumer_gate
        if gate is None:
            gate = target == DEFAULT_PACKAGE.resolve()
        if gate and not args.check:
            check_consumer(package, normalized, display_path(args.name_map))
        if changes:
            say(report.rstrip("\n"))
        snapshot_text = validation.snapshot_text()
        return finish(args, package, target, snapshot_path, snapshot_text, document, warnings)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def finish(
    args: argparse.Namespace,
    package: Path,
    target: Path,
    snapshot_path: Path,
    snapshot_text: str,
    document: dict[str, Any],
    warnings: list[str],
) -> int:
    """Report warnings, then check or write the package, the snapshot and (with --from) the spec."""
    if warnings:
        say(f"The pipeline reported {len(warnings)} warning(s):")
        for warning in warnings:
            say(f"  - {warning}")
        if args.strict:
            say("error: --strict: warnings are fatal; nothing was written")
            return EXIT_INVALID
    differences = diff_trees(package, target)
    snapshot_current = snapshot_path.exists() and snapshot_path.read_text("utf-8") == snapshot_text
    if args.check:
        if not snapshot_current:
            say(f"the spec changed since the last regeneration ({SNAPSHOT_NAME} differs)")
        if differences:
            say(f"{target.name} is stale; run `make regenerate`:")
            for line in differences:
                say(f"  {line}")
        if differences or not snapshot_current:
            return EXIT_STALE
        say("generated client is up to date")
        return EXIT_OK
    if differences:
        replace_tree(package, target)
        say(f"regenerated {len(differences)} file(s):")
        for line in differences[:MAX_FILES_LISTED]:
            say(f"  {line}")
        if len(differences) > MAX_FILES_LISTED:
            say(f"  ... and {len(differences) - MAX_FILES_LISTED} more")
    if not snapshot_current:
        write_atomically(snapshot_path, snapshot_text)
    if args.url:
        write_atomically(args.spec, dump_spec(document))
        say(f"{args.spec.name} replaced by the spec from {args.url}")
    if not differences and snapshot_current:
        say("generated client unchanged")
    return EXIT_OK


@contextlib.contextmanager
def cyclic_collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one run of the pipeline.

    The spec and the generator's parse of it are hundreds of thousands of long-lived objects,
    which every full collection walks again: on a 387-operation spec the collector took 1.5 s of
    a 14 s run, a 0.6 s pass right after generation among them. A run frees almost nothing
    cyclic before it ends (its peak memory grew 165 -> 181 MiB on that spec), so the collector
    waits until the run is over; the forked checks inherit the pause.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline; see the module docstring for the exit status."""
    args = parse_args(argv)
    try:
        with cyclic_collector_paused():
            return run(args)
    except PipelineError as exc:
        say(f"error: {exc}")
    except RecursionError:
        say("error: the spec nests too deeply (or its $refs loop) to be processed")
    except KeyboardInterrupt:
        say("error: interrupted")
    except Exception as exc:  # never a traceback: say what failed and where to report it
        say(f"error: unexpected {type(exc).__name__} in the pipeline: {exc}")
        say("this is a bug in scripts/uponai_codegen; please report it with the spec")
    say("nothing was changed")
    return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
