"""`make demo` opens clean: the scratch notebooks lose what Lab autosaved (outputs, widget state of
a kernel that is gone) at every start, and keep the user's edits."""

from __future__ import annotations

import json
import os
from pathlib import Path

from demo_files import log_tail, scratch_notebooks, server_log
from support.demo_process import REPO

NOTEBOOK = "notebooks/clone_voice.ipynb"


def autosaved(path: Path) -> None:
    """What Lab's autosave leaves after a session: outputs, counts, widget state; an edit."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    code[0]["source"] = "# my edit\n" + "".join(code[0]["source"])
    for number, cell in enumerate(code, 1):
        cell["execution_count"] = number
        cell["outputs"] = [
            {
                "output_type": "display_data",
                "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "gone"}},
                "metadata": {},
            }
        ]
    notebook["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    later = (REPO / NOTEBOOK).stat().st_mtime + 60  # newer than the repository's: kept
    os.utime(path, (later, later))


def test_each_start_drops_autosaved_outputs_and_widget_state_but_keeps_edits(
    tmp_path: Path,
) -> None:
    root = scratch_notebooks(tmp_path)
    scratch = root / NOTEBOOK
    autosaved(scratch)
    mtime = scratch.stat().st_mtime

    assert scratch_notebooks(tmp_path) == root  # the next `make demo`
    notebook = json.loads(scratch.read_text(encoding="utf-8"))
    assert "widgets" not in notebook["metadata"]
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert all(cell["outputs"] == [] for cell in code)
    assert all(cell["execution_count"] is None for cell in code)
    assert "".join(code[0]["source"]).startswith("# my edit\n")  # the user's edit stays
    assert scratch.stat().st_mtime == mtime
    assert "model_id" not in scratch.read_text(encoding="utf-8")


def test_server_logs_are_private_files_and_their_end_is_readable(tmp_path: Path) -> None:
    log = server_log(tmp_path, "jupyterlab")
    assert log.parent == tmp_path / "logs"
    assert log.stat().st_mode & 0o777 == 0o600
    log.write_text("".join(f"line {n}\n" for n in range(50)))
    assert log_tail(log, 3) == "line 47\nline 48\nline 49"
