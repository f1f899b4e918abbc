"""Random edits of fixture specs for the property tests: API edits and arbitrary mutations."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from uponai_codegen.lint import document_schemas
from uponai_codegen.spec import load_spec

CORPUS = Path(__file__).resolve().parents[1] / "codegen" / "fixtures" / "corpus"
FIXTURES = sorted(
    p for p in CORPUS.iterdir() if p.suffix in (".json", ".yaml") and ".names" not in p.name
)
TYPES = ("string", "integer", "number", "boolean")
Draw = Callable[..., Any]


def fixture(name: str) -> dict[str, Any]:
    """A corpus fixture, parsed."""
    return load_spec(CORPUS / name)


def _object_schemas(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for _, s in document_schemas(document) if isinstance(s.get("properties"), dict)]


def _typed_schemas(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for _, s in document_schemas(document) if s.get("type") in TYPES and "$ref" not in s]


def _enum_schemas(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for _, s in document_schemas(document) if len(s.get("enum") or []) >= 2]


def _operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p, m) for p, item in document["paths"].items() for m in item if m != "parameters"]


def edit_api(document: dict[str, Any], draw: Draw) -> str:
    """Apply one edit users can see (in place); return what it did."""
    kinds = ["add property", "remove property", "toggle required", "retype", "nullable"]
    kinds += ["add enum value", "remove enum value", "remove operation", "add parameter"]
    kinds += ["require parameter", "remove response", "set default"]
    kind = draw(st.sampled_from(kinds))
    objects, typed, enums = (
        _object_schemas(document),
        _typed_schemas(document),
        _enum_schemas(document),
    )
    operations = _operations(document)
    if kind in ("add property", "remove property", "toggle required") and objects:
        schema = draw(st.sampled_from(objects))
        names = sorted(schema["properties"])
        if kind == "add property" or not names:
            required = draw(st.booleans())
            schema["properties"]["zz_added"] = {"type": draw(st.sampled_from(TYPES))}
            if required:
                schema["required"] = [*schema.get("required", []), "zz_added"]
            return f"add property zz_added (required={required})"
        name = draw(st.sampled_from(names))
        required = [r for r in schema.get("required", []) if r != name]
        if kind == "remove property":
            del schema["properties"][name]
            schema["required"] = required
            return f"remove property {name}"
        schema["required"] = required if name in schema.get("required", []) else [*required, name]
        return f"toggle required {name}"
    if kind in ("retype", "nullable", "set default") and typed:
        schema = draw(st.sampled_from(typed))
        if kind == "retype":
            schema["type"] = draw(st.sampled_from([t for t in TYPES if t != schema["type"]]))
            for key in ("enum", "default", "format", "minimum", "maximum", "examples", "example"):
                schema.pop(key, None)
            return f"retype to {schema['type']}"
        if kind == "nullable":
            if str(document["openapi"]).startswith("3.1"):
                schema["type"] = [schema["type"], "null"]
            else:
                schema["nullable"] = True
            return "make nullable"
        defaults = {"string": "zz", "integer": 7, "number": 2.5, "boolean": True}
        if "enum" in schema:
            return "nothing (enum)"
        schema["default"] = defaults[schema["type"]]
        return "set default"
    if kind in ("add enum value", "remove enum value") and enums:
        schema = draw(st.sampled_from(enums))
        if kind == "add enum value":
            schema["enum"] = [*schema["enum"], "zz_value"]
            return "add enum value"
        value = draw(st.sampled_from(schema["enum"]))
        schema["enum"] = [v for v in schema["enum"] if v != value]
        if "default" in schema and schema["default"] == value:
            del schema["default"]
        return f"remove enum value {value}"
    if operations and kind in (
        "remove operation",
        "add parameter",
        "require parameter",
        "remove response",
    ):
        path, method = draw(st.sampled_from(operations))
        operation = document["paths"][path][method]
        if kind == "remove operation" and len(operations) > 1:
            del document["paths"][path][method]
            return f"remove {method} {path}"
        if kind == "remove response" and len(operation.get("responses", {})) > 1:
            status = draw(st.sampled_from(sorted(operation["responses"])))
            del operation["responses"][status]
            return f"remove response {status}"
        optional = [
            p for p in operation.get("parameters", []) if "$ref" not in p and not p.get("required")
        ]
        if kind == "require parameter" and optional:
            draw(st.sampled_from(optional))["required"] = True
            return "require parameter"
        required = draw(st.booleans())
        parameter = {
            "name": "zz_param",
            "in": "query",
            "required": required,
            "schema": {"type": "string"},
        }
        operation["parameters"] = [*operation.get("parameters", []), parameter]
        return f"add parameter (required={required})"
    return "nothing"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["", "x", "#/nope", "3.1.0"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["type", "$ref", "a", "required", "enum", "properties"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)


def _nodes(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _nodes(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _nodes(item, (*at, index))
    return found


def mutate(document: dict[str, Any], draw: Draw) -> dict[str, Any]:
    """Replace, delete, duplicate or add something anywhere in a copy of `document`."""
    result = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        nodes = _nodes(result)[1:]
        if not nodes:
            break
        at = draw(st.sampled_from(nodes))
        parent: Any = result
        for part in at[:-1]:
            parent = parent[part]
        last = at[-1]
        action = draw(st.sampled_from(["replace", "delete", "duplicate", "add key"]))
        if action == "replace":
            parent[last] = draw(JSON_VALUES)
        elif action == "delete":
            del parent[last]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        elif isinstance(parent[last], dict):
            parent[last][draw(st.sampled_from(["zz", "nullable", "$ref", "allOf"]))] = draw(
                JSON_VALUES
            )
    return json.loads(json.dumps(result))
