"""Hypothesis: whatever mix of good and broken rows a jobs CSV has (written by Python's csv
module, not by the loader), every broken line is reported, once, and no good one is."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uponai_widgets.cli._errors import CliError
from uponai_widgets.cli._jobs import load_jobs

HEADER = ["name", "samples", "provider", "workspace_id", "timeout"]
GOOD = {"name": "", "samples": "a.wav; b.wav", "provider": "p", "workspace_id": "7", "timeout": ""}
DEFECTS = {  # what breaks a row, and the column the report names
    "no-name": ({"name": ""}, "name"),
    "word-id": ({"workspace_id": "seven"}, "workspace_id"),
    "no-provider": ({"provider": ""}, "provider"),
    "odd-timeout": ({"timeout": "soon"}, "timeout"),
}
rows = st.lists(st.sampled_from([None, *DEFECTS]), min_size=1, max_size=12)


@settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kinds=rows)
def test_every_broken_line_is_reported_once(tmp_path: Path, kinds: list[str | None]) -> None:
    path = tmp_path / "jobs.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, HEADER)
        writer.writeheader()
        for index, kind in enumerate(kinds):
            row = {**GOOD, "name": f"voice {index}"}
            if kind is not None:
                row.update(DEFECTS[kind][0])
            writer.writerow(row)
    broken = {index + 2: DEFECTS[kind][1] for index, kind in enumerate(kinds) if kind}
    if not broken:
        jobs = load_jobs(path, {})
        assert [job["name"] for job in jobs] == [f"voice {i}" for i in range(len(kinds))]
        assert all(job["samples"] == [tmp_path / "a.wav", tmp_path / "b.wav"] for job in jobs)
        return
    with pytest.raises(CliError) as raised:
        load_jobs(path, {})
    reported = re.findall(r"line (\d+), column (\w+)", raised.value.message)
    assert sorted((int(line), column) for line, column in reported) == sorted(broken.items())
    assert f"{len(broken)} problem" in raised.value.message
