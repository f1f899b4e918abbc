"""The HTML table of a `BatchResult` (pure: no ipywidgets), for the notebook's rich display."""

from __future__ import annotations

import html

from .._sizes import format_size
from ..batch._result import COLUMNS, STATUSES, BatchResult

__all__ = ["summary_html"]

_HTML_ROW_LIMIT = 200
_CELL_STYLE = ' style="white-space: pre-line; text-align: left"'  # keep multi-line errors readable


def summary_html(result: BatchResult, limit: int = _HTML_ROW_LIMIT) -> str:
    """The summary line and an HTML table of the rows (failed, unknown and cancelled first)."""
    first = ("failed", "unknown", "cancelled")
    order = {status: index for index, status in enumerate(dict.fromkeys((*first, *STATUSES)))}
    rows = sorted(result.rows, key=lambda row: order[row.status])
    head = "".join(f"<th>{html.escape(column)}</th>" for column in COLUMNS)
    body = []
    for row in rows[:limit]:
        cells = (
            row.name,
            row.status,
            row.voice_id or "",
            row.error,
            format_size(row.bytes),
            f"{row.seconds:.2f}",
        )
        body.append(
            f'<tr class="uponai-batch-{row.status}">'
            + "".join(f"<td{_CELL_STYLE}>{html.escape(str(cell))}</td>" for cell in cells)
            + "</tr>"
        )
    more = len(rows) - limit
    tail = f"<p>... and {more} more rows (see to_dataframe()).</p>" if more > 0 else ""
    return (
        f'<div class="uponai-batch-summary"><p>{html.escape(result.summary())}</p>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{tail}</div>"
    )
