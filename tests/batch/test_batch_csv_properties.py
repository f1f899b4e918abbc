"""Hypothesis: results CSV cells are spreadsheet-safe and read back exactly; terminal text is inert."""

from __future__ import annotations

import csv
import io
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from uponai_widgets import BatchResult, BatchRow
from uponai_widgets.batch._result import from_cell, spreadsheet_safe
from uponai_widgets.cli._output import shown

FORMULA = ("=", "+", "-", "@", "\t", "\r")
texts = st.text(
    alphabet=st.one_of(st.sampled_from("=+-@'\t\r\n,\"x "), st.characters()), max_size=30
)


@settings(deadline=None)
@given(texts)
def test_a_neutralised_cell_reads_back_as_it_was(text: str) -> None:
    cell = spreadsheet_safe(text)
    assert not cell.startswith(FORMULA)
    assert from_cell(cell) == text


@settings(deadline=None)
@given(st.lists(st.tuples(texts.filter(str.strip), texts), min_size=1, max_size=5), st.booleans())
def test_a_results_table_round_trips_through_csv_with_or_without_a_bom(
    cells: list[tuple[str, str]], bom: bool
) -> None:
    names = {name.strip(): error for name, error in cells}
    rows = [BatchRow(name, "failed", None, error, 3, 0.5) for name, error in names.items()]
    text = BatchResult(rows).to_csv_text()
    for cells_read in list(csv.reader(io.StringIO(text, newline="")))[1:]:
        assert not any(cell.startswith(FORMULA) for cell in cells_read), cells_read
    loaded = BatchResult.from_csv_text(("\ufeff" if bom else "") + text)
    expected = [(row.name, row.error if row.error.strip() else "") for row in rows]
    assert [(row.name, row.error) for row in loaded] == expected


@settings(deadline=None)
@given(st.text(max_size=40))
def test_shown_text_has_no_control_character(text: str) -> None:
    out = shown(text)
    assert all(unicodedata.category(char) != "Cc" for char in out)
    assert "\u202e" not in out
    if all(unicodedata.category(c) != "Cc" and c not in "\u202e\u202d\u2066\u2067" for c in text):
        assert out == text or any(
            c in text for c in "\u061c\u200e\u200f\u202a\u202b\u202c\u2068\u2069"
        )
