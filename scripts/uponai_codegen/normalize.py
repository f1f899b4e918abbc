"""Named, individually tested normalisation steps applied to the spec before generation.

Nothing here invents API surface: a step only fills in what the generator needs and the
spec already implies (an operation's name from the committed map, its own `operationId`, its
summary, or its method and path).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from . import PipelineError
from .names import assign_operation_ids
from .operations import iter_operations, operation_key

__all__ = [
    "BODY_PREFERENCE",
    "assign_operation_ids",
    "iter_operations",
    "keep_one_body_content_type",
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


BODY_PREFERENCE = ("application/json", "multipart/form-data", "application/x-www-form-urlencoded")


def keep_one_body_content_type(document: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Return a copy where each request body offers one content type, and a warning per change.

    openapi-python-client 0.29.1 emits broken code for a body with several content types: an
    undefined `Unset` name (openapi-python-client#1451) and, when they share a schema, a chain of
    `isinstance` checks where the last one always wins (#1276). The first of JSON, multipart,
    form (else the first listed) is kept; the warning names what was dropped.
    """
    result = copy.deepcopy(document)
    warnings = []
    for method, path, operation in iter_operations(result):
        body = operation.get("requestBody")
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, dict) or len(content) < 2:
            continue
        preferred = [c for c in BODY_PREFERENCE if c in content]
        kept = preferred[0] if preferred else next(iter(content))
        dropped = [c for c in content if c != kept]
        operation["requestBody"]["content"] = {kept: content[kept]}
        warnings.append(
            f"{operation_key(method, path)}: request body offers {', '.join([kept, *dropped])}; "
            f"the generator cannot send more than one, so only {kept} is generated"
        )
    return result, warnings


def normalize(
    document: dict[str, Any],
    name_map: dict[str, str],
    map_label: str = "scripts/operation-names.json",
) -> tuple[dict[str, Any], list[str]]:
    """All normalisation steps, in order; returns the document and warnings for people."""
    named = assign_operation_ids(document, name_map, map_label)
    return keep_one_body_content_type(named)
