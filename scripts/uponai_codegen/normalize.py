"""Named, individually tested normalisation steps applied to the spec before generation.

Nothing here invents API surface: a step only fills in what the generator needs and the
spec already implies (an operation's name from the committed map or its own summary).
"""

from __future__ import annotations

import copy
import json
import keyword
import re
from pathlib import Path
from typing import Any

from . import PipelineError

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_OPERATION_ID = re.compile(r"^[a-z][A-Za-z0-9]*$")


def operation_key(method: str, path: str) -> str:
    """The name-map key of an operation: `POST /api/voices/clone`."""
    return f"{method.upper()} {path}"


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


def operation_id_from_summary(summary: str) -> str:
    """`Clone voice` -> `cloneVoice`: words of letters and digits, camel-cased."""
    words: list[str] = re.findall(r"[A-Za-z0-9]+", summary)
    if not words:
        return ""
    first, *rest = words
    return first.lower() + "".join(word[:1].upper() + word[1:].lower() for word in rest)


def is_usable_operation_id(name: str) -> bool:
    """True when `name` becomes a valid, non-keyword Python module name once snake-cased."""
    return bool(_OPERATION_ID.match(name)) and not keyword.iskeyword(name)


def iter_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every `(method, path, operation)` of the document, in document order."""
    found = []
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                found.append((method, path, operation))
    return found


def assign_operation_ids(document: dict[str, Any], name_map: dict[str, str]) -> dict[str, Any]:
    """Return a copy where every operation has an `operationId`.

    The committed name map wins, so an upstream edit of a summary cannot rename a public
    module; otherwise the summary gives the name. A missing summary, an unusable name or
    two operations with one name is a `PipelineError` naming the operation to map.
    """
    result = copy.deepcopy(document)
    owners: dict[str, str] = {}
    for method, path, operation in iter_operations(result):
        key = operation_key(method, path)
        name = operation.get("operationId") or name_map.get(key)
        if not name:
            summary = operation.get("summary")
            if not isinstance(summary, str) or not summary.strip():
                raise PipelineError(
                    f"{key}: no operationId and no summary to name it from; "
                    f'add "{key}": "<name>" to scripts/operation-names.json'
                )
            name = operation_id_from_summary(summary)
        if not is_usable_operation_id(name):
            raise PipelineError(
                f"{key}: {name!r} is not a usable operation name (lowerCamelCase letters and "
                f'digits); add "{key}": "<name>" to scripts/operation-names.json'
            )
        if name in owners:
            raise PipelineError(
                f"{key}: operation name {name!r} is already used by {owners[name]}; "
                f"give one of them its own entry in scripts/operation-names.json"
            )
        owners[name] = key
        operation["operationId"] = name
    return result


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
        content = (operation.get("requestBody") or {}).get("content")
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
    document: dict[str, Any], name_map: dict[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """All normalisation steps, in order; returns the document and warnings for people."""
    named = assign_operation_ids(document, name_map)
    return keep_one_body_content_type(named)
