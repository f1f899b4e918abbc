"""Walking the operations of an OpenAPI document."""

from __future__ import annotations

from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operation_key(method: str, path: str) -> str:
    """The name-map key of an operation: `POST /api/voices/clone`."""
    return f"{method.upper()} {path}"


def iter_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every `(method, path, operation)` of the document, in document order."""
    found = []
    paths = document.get("paths")
    for path, item in (paths if isinstance(paths, dict) else {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                found.append((method, str(path), operation))
    return found


def with_own_operations(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of `document` whose paths, path items and operations are its own (shallow copies),
    so operations can be edited; everything below them is shared with `document`."""
    result = dict(document)
    paths = document.get("paths")
    if isinstance(paths, dict):
        result["paths"] = {
            path: {
                key: dict(value) if key in HTTP_METHODS and isinstance(value, dict) else value
                for key, value in item.items()
            }
            if isinstance(item, dict)
            else item
            for path, item in paths.items()
        }
    return result
