"""The files of `make demo` (scripts/demo.py): the scratch copy of the notebooks, which opens
clean at every start, and the servers' private log files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

__all__ = ["log_tail", "scratch_notebooks", "server_log", "without_outputs"]

REPO = Path(__file__).resolve().parents[1]


def scratch_notebooks(data_dir: Path) -> Path:
    """Copy `notebooks/` to `data_dir/lab/notebooks/` and return `data_dir/lab` to serve.

    A file is copied when the scratch copy is missing or older than the repository's (so edits
    made in the demo survive a restart until the repository's notebook changes). Every scratch
    notebook then loses the outputs and widget state Lab autosaved: they belong to a kernel
    that is gone ("model not found"), so the demo opens clean every time.
    """
    source_root = REPO / "notebooks"
    lab_root = data_dir / "lab"
    for source in sorted(source_root.rglob("*")):
        relative = source.relative_to(source_root)
        if not source.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        target = lab_root / "notebooks" / relative
        if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        if target.suffix == ".ipynb":
            _with_kernel_language_info(target)
            os.utime(target, (source.stat().st_atime, source.stat().st_mtime))
    for notebook in sorted((lab_root / "notebooks").rglob("*.ipynb")):
        without_outputs(notebook)
    return lab_root


def without_outputs(path: Path) -> None:
    """Drop the outputs, execution counts and saved widget state of the notebook at `path`
    (its cells' sources stay); its modification time is kept."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # not a notebook Lab could open either; left as it is
    changed = notebook.get("metadata", {}).pop("widgets", None) is not None
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        changed = changed or bool(cell.get("outputs")) or cell.get("execution_count") is not None
        cell["outputs"], cell["execution_count"] = [], None
    if changed:
        times = path.stat()
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))


def server_log(data_dir: Path, name: str) -> Path:
    """Where a server's own output goes (``.demo/logs/NAME.log``): the console keeps to the URL,
    the export lines and errors."""
    folder = data_dir / "logs"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{name}.log"
    path.touch(mode=0o600)
    path.chmod(0o600)
    return path


def log_tail(path: Path, lines: int = 20) -> str:
    """The last `lines` lines of a server's log (for an error message)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _with_kernel_language_info(path: Path) -> None:
    """Give the notebook the `language_info` its kernel will report, so JupyterLab does not
    mark it unsaved the moment the kernel starts (it writes that metadata into the model)."""
    try:
        from ipykernel.ipkernel import IPythonKernel
    except ImportError:
        return
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook.setdefault("metadata", {})["language_info"] = dict(IPythonKernel.language_info)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
