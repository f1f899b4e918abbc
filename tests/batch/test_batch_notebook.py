"""`notebooks/batch_clone.ipynb` executed headless with nbclient against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from uponai_devtools.sandbox import RunningSandbox

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "batch_clone.ipynb"
SPEAKERS = ["amira", "bastian", "chen", "dolores", "emeka"]

pytestmark = pytest.mark.timeout(150)


def outputs_text(nb: Any) -> str:
    return "\n".join(json.dumps(output) for cell in nb.cells for output in cell.get("outputs", []))


def test_committed_notebook_has_outputs_stripped() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


@pytest.mark.slow
def test_batch_notebook_runs_against_the_sandbox(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPONAI_BASE_URL", sandbox.url)
    monkeypatch.setenv("UPONAI_API_KEY", sandbox.token)
    monkeypatch.setenv("UPONAI_WORKSPACE_ID", "9")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.delenv("DATASET", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    text = outputs_text(nb)
    assert "Traceback" not in text
    assert "6 jobs: 5 created, 0 unknown, 1 failed, 0 skipped, 0 cancelled" in text
    assert "6 jobs: 0 created, 0 unknown, 1 failed, 5 skipped, 0 cancelled" in text
    assert "sent again: ['silent']" in text
    assert "final progress (done, failed, total, bytes): (2, 0, 2, " in text
    assert "uponai-batch-summary" in text  # the result's HTML table

    # The progress view (a widget) ended on the summary table, as saved widget state shows.
    state = json.dumps(nb.metadata["widgets"])
    assert "uponai-batch-summary" in state
    assert "6 / 6 jobs done, 1 failed" in state

    # One voice per speaker and per table row; the resumed run sent nothing new.
    created = sorted(e["fields"]["voiceName"] for e in sandbox.requests() if e["status"] == 201)
    assert created == sorted([*SPEAKERS, "Narrator (bright)", "Narrator (calm)"])
    assert all(e["fields"]["workspaceId"] == "9" for e in sandbox.requests())

    saved = tmp_path / "executed.ipynb"
    nbformat.write(nb, saved)
    assert sandbox.token not in saved.read_text()
