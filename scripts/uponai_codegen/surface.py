"""The API surface of a spec as the generated client sees it, flattened to comparable fields.

Every schema is walked to any depth (object properties, array items, map values, `allOf` /
`oneOf` / `anyOf` members). A `$ref` to `#/components/schemas/...` becomes a model of its own
in the generated client, so the walk stops there and records the model's name; each component
schema is flattened once on its own. The siblings of a `$ref` are ignored, as the generator
ignores them. Referenced parameters, request bodies and responses are inlined (the generator
inlines them into each endpoint).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .lint import resolve_pointer
from .names import python_name
from .operations import iter_operations, operation_key

Schema = dict[str, Any]
SCHEMA_PREFIX = "#/components/schemas/"
MAX_DEPTH = 64


@dataclass(frozen=True)
class Field:
    """A parameter, header, property or schema root as users meet it."""

    type: str
    required: bool
    nullable: bool
    enum: tuple[str, ...]
    default: str
    constraints: tuple[tuple[str, float | str], ...] = ()


CONSTRAINT_KEYS = (
    "maxLength",
    "minLength",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "maxItems",
    "minItems",
    "maxProperties",
    "minProperties",
    "multipleOf",
    "pattern",
)
"""Schema keywords that limit the values a field accepts (compared by the API diff)."""


def constraints_of(schema: Schema) -> tuple[tuple[str, float | str], ...]:
    """The schema's limits, as sorted (keyword, value) pairs; booleans and odd values skipped."""
    found: list[tuple[str, float | str]] = []
    for key in CONSTRAINT_KEYS:
        value = schema.get(key)
        if key == "pattern" and isinstance(value, str):
            found.append((key, value))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found.append((key, float(value)))
    return tuple(found)


@dataclass
class Operation:
    """The surface of one operation: each part is `label -> {field path -> Field}`."""

    name: str
    parameters: dict[str, Field]
    body: dict[str, dict[str, Field]]
    body_required: bool
    responses: dict[str, dict[str, Field]]
    request_refs: set[str] = field(default_factory=set)
    response_refs: set[str] = field(default_factory=set)


def follow(document: dict[str, Any], value: Any) -> Any:
    """Inline a non-schema `$ref` (parameter, body, response), up to a few levels."""
    for _ in range(8):
        if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
            return value
        target = resolve_pointer(document, value["$ref"])
        value = target if isinstance(target, dict) else {}
    return value


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def ref_name(ref: str) -> str:
    """`#/components/schemas/Voice` -> `Voice`; other references keep their full text."""
    return ref[len(SCHEMA_PREFIX) :] if ref.startswith(SCHEMA_PREFIX) else ref


def type_name(schema: Any, depth: int = 0) -> str:
    """A short, comparable name for a schema's type: `integer`, `array[Voice]`, `A|B`."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return "any"
    if isinstance(schema.get("$ref"), str):
        return ref_name(schema["$ref"])
    parts = []
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = "|".join(sorted(str(k) for k in kind if k != "null")) or "null"
    if kind == "array":
        kind = f"array[{type_name(schema.get('items'), depth + 1)}]"
    if kind is not None:
        parts.append(f"{kind}({schema['format']})" if "format" in schema else str(kind))
    if "const" in schema:
        parts.append(f"const {json.dumps(schema['const'], sort_keys=True)}")
    for union, joiner in (("allOf", "&"), ("oneOf", "|"), ("anyOf", "|")):
        members = [
            type_name(s, depth + 1)
            for s in _list(schema.get(union))
            if not (isinstance(s, dict) and s.get("type") == "null")
        ]
        if members:
            parts.append(f"{union}[{joiner.join(members)}]")
    return " ".join(parts) or "any"


def is_nullable(schema: Any) -> bool:
    """`nullable: true`, a type list with `null`, or a union with a null member."""
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    unions = _list(schema.get("anyOf")) + _list(schema.get("oneOf"))
    return (
        schema.get("nullable") is True
        or (isinstance(kind, list) and "null" in kind)
        or any(isinstance(s, dict) and s.get("type") == "null" for s in unions)
    )


def make_field(schema: Any, required: bool) -> Field:
    """Describe one schema as a field; siblings of a `$ref` are ignored like the generator does."""
    schema = _dict(schema)
    if isinstance(schema.get("$ref"), str):
        return Field(type_name(schema), required, False, (), "")
    enum = tuple(json.dumps(v, sort_keys=True).strip('"') for v in _list(schema.get("enum")))
    default = json.dumps(schema["default"], sort_keys=True) if "default" in schema else ""
    return Field(
        type_name(schema), required, is_nullable(schema), enum, default, constraints_of(schema)
    )


def _required(schema: Schema) -> set[str]:
    """The `required` names of an object schema; anything but a list of strings counts as none."""
    return {name for name in _list(schema.get("required")) if isinstance(name, str)}


def flatten(
    schema: Any,
    at: str,
    out: dict[str, Field],
    refs: set[str],
    depth: int = 0,
    required: bool = True,
) -> None:
    """Record `schema` at `at` and everything nested in it (stopping at component `$ref`s)."""
    out[at or "(schema)"] = make_field(schema, required)
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return
    if isinstance(schema.get("$ref"), str):
        refs.add(ref_name(schema["$ref"]))
        return
    names = _required(schema)
    for union in ("allOf", "oneOf", "anyOf"):
        for index, member in enumerate(_list(schema.get(union))):
            if isinstance(member, dict) and union == "allOf" and "$ref" not in member:
                names |= _required(member)
                _properties(member, at, out, refs, depth, names)
            else:
                flatten(member, f"{at}<{union} {index}>", out, refs, depth + 1)
    _properties(schema, at, out, refs, depth, names)
    if isinstance(schema.get("items"), dict):
        flatten(schema["items"], f"{at}[]", out, refs, depth + 1)
    if isinstance(schema.get("additionalProperties"), dict):
        flatten(schema["additionalProperties"], f"{at}{{*}}", out, refs, depth + 1)


def _properties(
    schema: Schema, at: str, out: dict[str, Field], refs: set[str], depth: int, names: set[str]
) -> None:
    for name, prop in _dict(schema.get("properties")).items():
        where = f"{at}.{name}" if at else str(name)
        flatten(prop, where, out, refs, depth + 1, required=name in names)


def _operation(document: dict[str, Any], path: str, op: dict[str, Any]) -> Operation:
    refs: set[str] = set()
    response_refs: set[str] = set()
    shared = _list(_dict(_dict(document.get("paths")).get(path)).get("parameters"))
    parameters: dict[str, Field] = {}
    for raw in [*shared, *_list(op.get("parameters"))]:
        param = _dict(follow(document, raw))
        label = f"{param.get('in', '?')} {param.get('name', '?')}"
        found: dict[str, Field] = {}
        flatten(param.get("schema"), "", found, refs, required=param.get("required") is True)
        for sub, value in found.items():
            parameters[label if sub == "(schema)" else f"{label} {sub}"] = value
    body_spec = _dict(follow(document, op.get("requestBody")))
    body: dict[str, dict[str, Field]] = {}
    for ctype, media in _dict(body_spec.get("content")).items():
        flatten(_dict(media).get("schema"), "", body.setdefault(str(ctype), {}), refs)
    responses: dict[str, dict[str, Field]] = {}
    for status, raw in _dict(op.get("responses")).items():
        response = _dict(follow(document, raw))
        content = _dict(response.get("content"))
        responses.setdefault(f"{status}", {})
        for ctype, media in content.items():
            fields = responses.setdefault(f"{status} {ctype}", {})
            flatten(_dict(media).get("schema"), "", fields, response_refs)
        for name, header in _dict(response.get("headers")).items():
            header = _dict(follow(document, header))
            flatten(
                header.get("schema"),
                "",
                responses.setdefault(f"{status} header {name}", {}),
                response_refs,
            )
    return Operation(
        str(op.get("operationId", "")),
        parameters,
        body,
        body_spec.get("required") is True,
        responses,
        refs,
        response_refs,
    )


def surface(document: dict[str, Any]) -> dict[str, Operation]:
    """`"METHOD /path"` -> the operation's surface, for every operation in the document."""
    return {
        operation_key(method, path): _operation(document, path, op)
        for method, path, op in iter_operations(document)
    }


def components(document: dict[str, Any]) -> tuple[dict[str, dict[str, Field]], dict[str, set[str]]]:
    """Each component schema flattened, and the components each one references."""
    schemas = _dict(_dict(document.get("components")).get("schemas"))
    flat: dict[str, dict[str, Field]] = {}
    refs: dict[str, set[str]] = {}
    for name, schema in schemas.items():
        found: set[str] = set()
        flatten(schema, "", flat.setdefault(str(name), {}), found)
        refs[str(name)] = found
    return flat, refs


def reach(
    operations: dict[str, Operation], refs: dict[str, set[str]], side: str
) -> dict[str, set[str]]:
    """Component name -> the operations whose `side` ("request" or "response") reaches it."""
    reached: dict[str, set[str]] = {}
    for key, operation in operations.items():
        start = operation.request_refs if side == "request" else operation.response_refs
        pending, seen = list(start), set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            reached.setdefault(name, set()).add(key)
            pending.extend(refs.get(name, ()))
    return reached


def module_name(operation_id: str) -> str:
    """The generated module an operation id becomes (empty for an empty id)."""
    return python_name(operation_id) if operation_id else ""
