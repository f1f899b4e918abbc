"""The result table: its content, CSV / JSON / DataFrame forms, and loading it back."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from support.batch import sample_jobs, sandbox_connection

from uponai_devtools.sandbox import RunningSandbox
from uponai_widgets.batch._result import COLUMNS
from uponai_widgets.batch._run import BatchResult, BatchRow, clone_voices
from uponai_widgets.jupyter._batch_html import summary_html

ROWS = [
    BatchRow("ada", "created", "voice_1", "", 32580, 0.25),
    BatchRow("bob", "failed", None, 'ServerError: boom, "quoted"\n  - second line', 1000, 1.5),
    BatchRow("cy, jr", "skipped", "voice_0"),
    BatchRow("dee", "cancelled", None, "cancelled before its upload started", 0, 0.0),
]


def test_table_content_from_a_real_batch(sandbox: RunningSandbox, tmp_path: Path) -> None:
    jobs = sample_jobs(tmp_path, 3)
    jobs[1]["samples"] = []
    sandbox.inject_fault(status=413, count=1)
    result = clone_voices(sandbox_connection(sandbox), jobs, concurrency=1, on_progress=False)
    frame = result.to_dataframe()
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame["name"]) == ["voice-0", "voice-1", "voice-2"]
    assert list(frame["status"]) == ["failed", "failed", "created"]
    assert frame["error"][0].startswith("PayloadTooLargeError:")
    assert "no samples" in frame["error"][1]
    assert frame["error"][2] == ""
    assert frame["voice_id"][2] == result.voice_ids["voice-2"]
    assert frame["voice_id"].isna().tolist() == [True, True, False]
    assert str(frame["bytes"].dtype) == "int64"
    assert str(frame["seconds"].dtype) == "float64"
    logged = {e["fields"]["voiceName"]: e["bodyBytes"] for e in sandbox.requests()}
    assert frame["bytes"].tolist() == [logged["voice-0"], 0, logged["voice-2"]]
    assert (frame["seconds"] > 0).all()
    assert result.summary().startswith(
        "3 jobs: 1 created, 0 unknown, 2 failed, 0 skipped, 0 cancelled"
    )


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_saved_table_loads_back_equal(tmp_path: Path, suffix: str) -> None:
    result = BatchResult(ROWS, interrupted=True)
    path = tmp_path / f"run{suffix}"
    (result.to_csv if suffix == ".csv" else result.to_json)(path)
    loaded = BatchResult.from_file(path)
    assert [r.name for r in loaded] == [r.name for r in ROWS]
    assert [r.error for r in loaded] == [r.error for r in ROWS]
    assert [(r.status, r.voice_id, r.bytes) for r in loaded] == [
        (r.status, r.voice_id, r.bytes) for r in ROWS
    ]
    assert [r.seconds for r in loaded] == pytest.approx([r.seconds for r in ROWS], abs=1e-3)
    if suffix == ".json":
        assert loaded == result  # JSON keeps everything, the interrupted flag too
        assert json.loads(path.read_text())["format"] == "uponai-batch-result"
    # No temporary file is left next to the table.
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_csv_is_readable_by_pandas_and_back(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    BatchResult(ROWS).to_csv(path)
    frame = pd.read_csv(path)
    assert list(frame.columns) == list(COLUMNS)
    assert frame["name"].tolist() == ["ada", "bob", "cy, jr", "dee"]
    # A table edited and saved by pandas (NaN for empty cells) still loads.
    frame.to_csv(tmp_path / "pandas.csv", index=False)
    loaded = BatchResult.from_file(tmp_path / "pandas.csv")
    assert [r.voice_id for r in loaded] == ["voice_1", None, "voice_0", None]
    assert loaded.rows[0].error == ""
    assert loaded.rows[1].error == ROWS[1].error
    # And a records-style JSON from pandas.
    frame.to_json(tmp_path / "records.json", orient="records")
    assert [r.status for r in BatchResult.from_file(tmp_path / "records.json")] == [
        "created",
        "failed",
        "skipped",
        "cancelled",
    ]


def test_loading_something_else_fails_clearly(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="columns"):
        BatchResult.from_file(tmp_path / "x.csv")
    (tmp_path / "y.csv").write_text("name,status\nada,done\n")
    with pytest.raises(ValueError, match="unknown batch status 'done'"):
        BatchResult.from_file(tmp_path / "y.csv")
    (tmp_path / "z.json").write_text('{"rows": 3}')
    with pytest.raises(ValueError, match="list of rows"):
        BatchResult.from_file(tmp_path / "z.json")


def test_to_dataframe_without_pandas_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    with pytest.raises(ImportError, match="pip install pandas"):
        BatchResult(ROWS).to_dataframe()


def test_counts_summary_and_html() -> None:
    result = BatchResult(ROWS)
    assert result.counts() == {
        "created": 1,
        "unknown": 0,
        "failed": 1,
        "skipped": 1,
        "cancelled": 1,
    }
    assert result.voice_ids == {"ada": "voice_1", "cy, jr": "voice_0"}
    assert [r.name for r in result.by_status("failed")] == ["bob"]
    assert repr(result).startswith("BatchResult(4 jobs: 1 created, 0 unknown, 1 failed")
    page = summary_html(result)
    assert "&quot;quoted&quot;" in page  # escaped
    assert page.index("bob") < page.index("ada")  # failures first
    assert "... and" not in page
    assert "... and 3 more rows" in summary_html(result, limit=1)
