"""Compare, verify and atomically replace generated package trees."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from . import PipelineError

IGNORED_PARTS = frozenset({"__pycache__", ".ruff_cache", ".mypy_cache"})


def tree_files(root: Path) -> dict[str, bytes]:
    """Relative POSIX path -> bytes of every file under `root`, caches left out."""
    if not root.is_dir():
        return {}
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        skipped = IGNORED_PARTS.intersection(relative.parts) or path.suffix == ".pyc"
        if path.is_file() and not skipped:
            files[relative.as_posix()] = path.read_bytes()
    return files


def diff_trees(expected: Path, actual: Path) -> list[str]:
    """Readable lines for every file `expected` adds, removes or changes relative to `actual`."""
    want, have = tree_files(expected), tree_files(actual)
    lines = []
    for name in sorted(set(want) | set(have)):
        if name not in have:
            lines.append(f"added: {name}")
        elif name not in want:
            lines.append(f"removed: {name}")
        elif want[name] != have[name]:
            lines.append(f"changed: {name}")
    return lines


def verify_package(package: Path) -> None:
    """Byte-compile every module in memory, then import them all in a fresh interpreter.

    Nothing is written: no `__pycache__` is left behind.
    """
    for module in sorted(package.rglob("*.py")):
        try:
            compile(module.read_bytes(), str(module), "exec", dont_inherit=True)
        except SyntaxError as exc:
            raise PipelineError(f"generated {module.name} does not compile: {exc}") from exc
    probe = (
        "import importlib, pkgutil, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "import uponai_client as p\n"
        "assert p.__file__.startswith(sys.argv[1]), p.__file__\n"
        "for m in pkgutil.walk_packages(p.__path__, 'uponai_client.'):\n"
        "    importlib.import_module(m.name)\n"
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-B", "-c", probe, str(package.parent)],
        capture_output=True,
        text=True,
        env=env,
        cwd=package.parent,
        check=False,
    )
    if done.returncode != 0:
        raise PipelineError(f"the generated package does not import:\n{done.stderr.strip()}")
    leftovers = [p for p in package.rglob("__pycache__")]
    if leftovers:
        raise PipelineError(f"verification left {leftovers[0]} behind")


def replace_tree(new: Path, target: Path) -> None:
    """Swap `new` in for `target` by renames on one filesystem; restore `target` on failure."""
    backup = target.with_name(f".{target.name}.previous-{os.getpid()}")
    had_target = target.exists()
    if had_target:
        os.replace(target, backup)
    try:
        os.replace(new, target)
    except OSError:
        if had_target:
            os.replace(backup, target)
        raise
    if had_target:
        shutil.rmtree(backup)
