"""Compare, verify and atomically replace generated package trees."""

from __future__ import annotations

import importlib
import json
import math
import multiprocessing
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import PipelineError

IGNORED_PARTS = frozenset({"__pycache__", ".ruff_cache", ".mypy_cache"})
COMPILED_AHEAD = 0.6
"""The share of the models `_compile_ahead` compiles for the import check. On a 387-operation
spec (425 operation modules, 1,718 models), left to run to the end, it had compiled 1,525 to
2,138 of the 2,143 modules when the check finished: the last of those the check had imported
already."""


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


_PROBE = (
    "import importlib, json, sys\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "import uponai_client as p\n"
    "assert p.__file__.startswith(sys.argv[1]), p.__file__\n"
    "for name in sys.argv[2:]:\n"
    "    try:\n"
    "        importlib.import_module(name)\n"
    "    except Exception as exc:\n"
    "        sys.modules.pop(name, None)\n"
    "        print(json.dumps([name, f'{type(exc).__name__}: {exc}']), flush=True)\n"
)


def module_names(package: Path) -> list[str]:
    """The dotted name of every module file in `package` (`uponai_client.api.voices.x`)."""
    names = []
    for module in sorted(package.rglob("*.py")):
        parts = module.relative_to(package.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _compile_ahead(package: Path, cache: str) -> None:
    """In a forked process: byte-compile `package`'s modules into `cache`, those the import
    check reaches last first: the operations, then the models from the end of the alphabet.

    The import check, importing from the other end with `cache` as its `sys.pycache_prefix`,
    finds the code of the modules this process got to first already compiled (hash-checked
    against the text, as CPython checks any cache) and compiles the rest itself: two cores share
    the compiling. It stops at `COMPILED_AHEAD` of the models, about where the two meet on a
    quiet machine (beyond, it would compile what the check has already imported). A module
    that does not compile is left to the import check, which reports it.
    """
    sys.pycache_prefix = cache
    modules = sorted(package.rglob("*.py"))
    operations = [path for path in modules if path.relative_to(package).parts[0] == "api"]
    models = [path for path in modules if path.parent == package / "models"]
    models_ahead = models[len(models) - math.ceil(len(models) * COMPILED_AHEAD) :]
    for path in [*reversed(operations), *reversed(models_ahead)]:
        try:
            py_compile.compile(
                str(path),
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
            )
        except py_compile.PyCompileError:
            continue


def _import_share(root: str, names: list[str], cache: str | None = None) -> dict[str, str]:
    """In a forked process: import `names` from the package under `root`; the ones that fail.

    `cache`: where `_compile_ahead` puts the code it compiled (read, never written, here).
    """
    sys.dont_write_bytecode = True
    sys.pycache_prefix = cache
    for loaded in [name for name in sys.modules if name.split(".")[0] == "uponai_client"]:
        del sys.modules[loaded]
    sys.path.insert(0, root)
    top = importlib.import_module("uponai_client")
    if not str(top.__file__).startswith(root):
        raise PipelineError(f"the import check found another uponai_client: {top.__file__}")
    broken = {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:
            sys.modules.pop(name, None)
            broken[name] = f"{type(exc).__name__}: {exc}"
    return broken


def verify_package(package: Path, workers: int = 1) -> dict[str, str]:
    """Import every module of `package` (which compiles each one), in a process of its own.

    Returns the modules that do not import (dotted name -> the exception); raises
    `PipelineError` when the package itself does not. The modules are split between `workers`
    processes that run side by side, forked from this one (which has loaded what the modules
    need, such as attrs and httpx, already), else fresh interpreters. One by default: every
    operation module imports the models package, which imports every model (nine tenths of the
    time), so each further process would run all of that again for little gain. Where processes
    can be forked, another compiles the modules ahead of it from the other end
    (`_compile_ahead`): on a 387-operation spec the check took 2.0-2.4 s instead of 3.1-3.8 s
    on a quiet machine. Nothing is written in the package: no `__pycache__` is left behind.
    """
    names = module_names(package)
    shares = [share for share in (names[index::workers] for index in range(workers)) if share]
    if "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        with (
            tempfile.TemporaryDirectory(prefix="uponai-import-check-") as cache,
            ProcessPoolExecutor(len(shares), mp_context=context) as pool,
        ):
            compiler = context.Process(target=_compile_ahead, args=(package, cache), daemon=True)
            compiler.start()
            try:
                found = pool.map(
                    _import_share,
                    [str(package.parent)] * len(shares),
                    shares,
                    [cache] * len(shares),
                )
                broken = {name: error for part in found for name, error in part.items()}
            except PipelineError:
                raise
            except Exception as exc:
                raise PipelineError(
                    f"the generated package does not import: {type(exc).__name__}: {exc}"
                ) from exc
            finally:
                compiler.terminate()
                compiler.join()
    else:
        broken = _probe_in_interpreters(package, shares)
    leftovers = list(package.rglob("__pycache__"))
    if leftovers:
        raise PipelineError(f"verification left {leftovers[0]} behind")
    return broken


def _probe_in_interpreters(package: Path, shares: list[list[str]]) -> dict[str, str]:
    """The import check in fresh interpreters (where processes cannot be forked)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    probes = [
        subprocess.Popen(
            [sys.executable, "-B", "-c", _PROBE, str(package.parent), *share],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=package.parent,
        )
        for share in shares
    ]
    failures: list[str] = []
    broken: dict[str, str] = {}
    for probe in probes:
        stdout, stderr = probe.communicate()
        if probe.returncode != 0:
            failures.append(stderr.strip())
        broken.update(json.loads(line) for line in stdout.splitlines() if line.startswith("["))
    if failures:
        raise PipelineError(f"the generated package does not import:\n{failures[0]}")
    return broken


@dataclass(frozen=True)
class LeftOut:
    """An operation whose generated module does not import, removed from the client."""

    operation: str
    module: str
    error: str

    def __str__(self) -> str:
        return (
            f"{self.operation}: left out of the client; its generated module {self.module} does "
            f"not import ({self.error})"
        )


def leave_out_broken_operations(package: Path, broken: dict[str, str]) -> list[LeftOut]:
    """Remove the operation modules among `broken` (from `verify_package`) from `package`.

    Nothing imports an operation module, so the rest of the client stays whole. Any other
    module that does not import makes the client unusable: `PipelineError`.
    """
    from .transforms import operation_of_module

    left_out = []
    for name, error in sorted(broken.items()):
        path = package.parent.joinpath(*name.split(".")).with_suffix(".py")
        parts = name.split(".")
        operation = operation_of_module(path.read_text("utf-8")) if path.is_file() else None
        if len(parts) != 4 or parts[1] != "api" or operation is None:
            raise PipelineError(f"the generated package does not import: {name}: {error}")
        path.unlink()
        left_out.append(LeftOut(operation, path.relative_to(package.parent).as_posix(), error))
    return left_out


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
