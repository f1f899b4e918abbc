"""Named, individually tested normalisation steps applied to the spec before generation.

Nothing here invents API surface: a step only fills in what the generator needs and the
spec already implies (an operation's name from the committed map, its own `operationId`, its
summary, or its method and path).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import PipelineError
from .names import assign_operation_ids
from .operations import iter_operations, operation_key

__all__ = [
    "assign_operation_ids",
    "iter_operations",
    "load_name_map",
    "normalize",
    "operation_key",
    "stale_name_map_entries",
]


def load_name_map(path: Path) -> dict[str, str]:
    """Read the committed `"METHOD /path" -> operationId` map."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PipelineError(f"{path}: cannot read the operation name map: {exc}") from exc
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise PipelineError(f"{path}: the name map must be an object of strings")
    return {key: value for key, value in raw.items() if not key.startswith("$")}


def stale_name_map_entries(document: dict[str, Any], name_map: dict[str, str]) -> list[str]:
    """Name-map keys for operations the spec no longer has (reported as warnings)."""
    present = {operation_key(method, path) for method, path, _ in iter_operations(document)}
    return sorted(set(name_map) - present)


def normalize(
    document: dict[str, Any],
    name_map: dict[str, str],
    map_label: str = "scripts/operation-names.json",
) -> tuple[dict[str, Any], list[str]]:
    """All normalisation steps, in order; returns the document and warnings for people.

    A request body offered in several content types is kept whole: the generator's defects
    with them are fixed after generation (`transforms.unset_imported_where_used`,
    `transforms.one_body_branch_per_class`), so the client can send each of them.
    """
    return assign_operation_ids(document, name_map, map_label), []
