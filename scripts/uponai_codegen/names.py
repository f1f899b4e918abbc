"""Operation names: which `operationId` each operation gets, and the Python name it becomes.

The generator snake-cases an `operationId` into the endpoint's module and function name (and
the prefix of its models' class names). The pipeline uses the generator's own functions for
that, so what it checks is exactly what will be generated.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import PipelineError
from .operations import iter_operations, operation_key, with_own_operations

FIELD_PREFIX = "field_"
NAME_MAP_LABEL = "scripts/operation-names.json"


def python_name(operation_id: str) -> str:
    """The module and function name openapi-python-client 0.29.1 derives from `operation_id`."""
    from openapi_python_client.strings import PythonIdentifier

    return str(PythonIdentifier(operation_id, prefix=FIELD_PREFIX))


def has_words(operation_id: str) -> bool:
    """True when snake-casing leaves something of `operation_id` (not only punctuation)."""
    from openapi_python_client.strings import snake_case

    return bool(snake_case(operation_id))


def name_from_method_and_path(method: str, path: str) -> str:
    """The name the raw generator gives an operation without an `operationId`."""
    from openapi_python_client.parser.openapi import generate_operation_id
    from openapi_python_client.schema.untrusted_string import UntrustedString

    return str(
        generate_operation_id(path=UntrustedString(path), method=method, prefix=FIELD_PREFIX)
    )


def operation_id_from_summary(summary: str) -> str:
    """`Clone voice` -> `cloneVoice`: words of letters and digits, camel-cased."""
    words: list[str] = re.findall(r"[A-Za-z0-9]+", summary)
    if not words:
        return ""
    first, *rest = words
    return first.lower() + "".join(word[:1].upper() + word[1:].lower() for word in rest)


def chosen_name(
    method: str,
    path: str,
    operation: dict[str, Any],
    name_map: dict[str, str],
    map_label: str = NAME_MAP_LABEL,
) -> str:
    """The name-map entry, else the spec's `operationId`, else the summary, else method and path."""
    key = operation_key(method, path)
    if key in name_map:
        return name_map[key]
    spec_id = operation.get("operationId")
    if spec_id is not None:
        if not isinstance(spec_id, str):
            raise PipelineError(
                f"{key}: operationId must be a string, found {spec_id!r}; "
                f'add "{key}": "<name>" to {map_label}'
            )
        return spec_id
    summary = operation.get("summary")
    from_summary = operation_id_from_summary(summary) if isinstance(summary, str) else ""
    return from_summary or name_from_method_and_path(method, path)


def _suggestions(clashes: dict[str, list[tuple[str, str, str]]], taken: set[str]) -> dict[str, str]:
    """Name-map entries that give all but the first operation of each clash a name of its own."""
    entries: dict[str, str] = {}
    for members in clashes.values():
        for method, path, _ in members[1:]:
            base = name_from_method_and_path(method, path)
            candidate, number = base, 2
            while candidate in taken:
                candidate, number = f"{base}_{number}", number + 1
            taken.add(candidate)
            entries[operation_key(method, path)] = candidate
    return entries


def assign_operation_ids(
    document: dict[str, Any], name_map: dict[str, str], map_label: str = NAME_MAP_LABEL
) -> dict[str, Any]:
    """Return a copy where every operation has the `operationId` it is generated from.

    A name-map entry always wins, so an upstream edit cannot rename a public module. Names in
    any common style are accepted; two operations whose names become the same Python name are
    a `PipelineError` listing each of them and the name-map entries that fix it.
    """
    result = with_own_operations(document)
    by_python: dict[str, list[tuple[str, str, str]]] = {}
    for method, path, operation in iter_operations(result):
        key = operation_key(method, path)
        name = chosen_name(method, path, operation, name_map, map_label)
        if not has_words(name):
            raise PipelineError(
                f"{key}: operation name {name!r} has no letters or digits to name a module "
                f'after; add "{key}": "<name>" to {map_label}'
            )
        operation["operationId"] = name
        by_python.setdefault(python_name(name), []).append((method, path, name))
    clashes = {name: members for name, members in by_python.items() if len(members) > 1}
    if clashes:
        lines = []
        for python, members in sorted(clashes.items()):
            owners = ", ".join(
                f"{operation_key(method, path)} (operationId {name!r})"
                for method, path, name in members
            )
            lines.append(f"  {python}: {owners}")
        fix = _suggestions(clashes, set(by_python))
        raise PipelineError(
            "operations share a Python name (module and function) after snake-casing:\n"
            + "\n".join(lines)
            + f"\nadd these entries to {map_label} (or names of your choice):\n"
            + "\n".join(f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in fix.items())
        )
    return result
