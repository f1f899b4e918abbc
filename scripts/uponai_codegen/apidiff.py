"""What changed for SDK users between two (normalised) specs, each change marked breaking or not.

The surface is read the way the generated client sees it: operations by method and path (their
`operationId` is the public module name), parameters and headers, request-body fields, the
fields of success responses, and enum values. `$ref` and `allOf` are resolved first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .normalize import iter_operations, operation_key

Schema = dict[str, Any]


@dataclass(frozen=True, order=True)
class Change:
    """One difference in the API surface."""

    location: str
    kind: str
    detail: str
    breaking: bool

    def __str__(self) -> str:
        mark = "BREAKING  " if self.breaking else "compatible"
        return f"{mark}  {self.location}: {self.kind}{f' ({self.detail})' if self.detail else ''}"


@dataclass(frozen=True)
class Field:
    """A parameter, header or schema property as users meet it."""

    type: str
    required: bool
    nullable: bool
    enum: tuple[str, ...]


def resolve(document: dict[str, Any], schema: Schema | None, depth: int = 0) -> Schema:
    """Follow local `$ref`s and merge `allOf` parts into one object schema."""
    schema = dict(schema or {})
    while "$ref" in schema and depth < 32:
        target: Any = document
        for part in str(schema.pop("$ref")).lstrip("#/").split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
        schema = {**target, **schema}
        depth += 1
    if "allOf" in schema:
        merged: Schema = {"type": "object", "properties": {}, "required": []}
        for part in schema.pop("allOf"):
            piece = resolve(document, part, depth + 1)
            merged["properties"].update(piece.get("properties", {}))
            merged["required"] += piece.get("required", [])
        merged["properties"].update(schema.get("properties", {}))
        merged["required"] += schema.get("required", [])
        schema = {**schema, **merged}
    return schema


def type_name(document: dict[str, Any], schema: Schema | None) -> str:
    """A short, comparable name for a schema's type: `integer`, `string(binary)`, `array[Voice]`."""
    schema = schema or {}
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    resolved = resolve(document, schema)
    kind = resolved.get("type", "any")
    if isinstance(kind, list):
        kind = "|".join(sorted(str(k) for k in kind if k != "null")) or "null"
    for union in ("anyOf", "oneOf"):
        if union in resolved:
            names = sorted(
                type_name(document, s) for s in resolved[union] if s.get("type") != "null"
            )
            kind = "|".join(names)
    if kind == "array":
        return f"array[{type_name(document, resolved.get('items'))}]"
    return f"{kind}({resolved['format']})" if "format" in resolved else str(kind)


def is_nullable(document: dict[str, Any], schema: Schema | None) -> bool:
    """`nullable: true`, a type list with `null`, or a union with a null member."""
    resolved = resolve(document, schema)
    kind = resolved.get("type")
    unions = resolved.get("anyOf", []) + resolved.get("oneOf", [])
    return (
        resolved.get("nullable") is True
        or (isinstance(kind, list) and "null" in kind)
        or any(isinstance(s, dict) and s.get("type") == "null" for s in unions)
    )


def make_field(document: dict[str, Any], schema: Schema | None, required: bool) -> Field:
    """Describe one parameter or property."""
    resolved = resolve(document, schema)
    enum = resolved.get("enum") or resolve(document, resolved.get("items")).get("enum") or []
    return Field(
        type_name(document, schema),
        required,
        is_nullable(document, schema),
        tuple(str(v) for v in enum),
    )


def object_fields(document: dict[str, Any], schema: Schema | None) -> dict[str, Field]:
    """The properties of an object schema (after `$ref` / `allOf`), by name."""
    resolved = resolve(document, schema)
    required = set(resolved.get("required", []))
    return {
        name: make_field(document, prop, name in required)
        for name, prop in (resolved.get("properties") or {}).items()
    }


@dataclass
class Operation:
    """The surface of one operation."""

    name: str
    parameters: dict[str, Field]
    body: dict[str, dict[str, Field]]
    body_required: bool
    responses: dict[str, dict[str, Field]]


def surface(document: dict[str, Any]) -> dict[str, Operation]:
    """`"METHOD /path"` -> the operation's surface, for every operation in the document."""
    result = {}
    for method, path, op in iter_operations(document):
        shared = (document.get("paths", {}).get(path) or {}).get("parameters", [])
        parameters = {}
        for raw in [*shared, *op.get("parameters", [])]:
            param = resolve(document, raw)
            label = f"{param.get('in', '?')} {param.get('name', '?')}"
            parameters[label] = make_field(
                document, param.get("schema"), bool(param.get("required"))
            )
        body_spec = resolve(document, op.get("requestBody"))
        body = {
            ctype: object_fields(document, media.get("schema"))
            for ctype, media in (body_spec.get("content") or {}).items()
        }
        responses = {}
        for status, raw in (op.get("responses") or {}).items():
            if str(status).startswith("2"):
                response = resolve(document, raw)
                for ctype, media in (response.get("content") or {}).items():
                    schema = media.get("schema")
                    fields = object_fields(document, resolve(document, schema).get("items", schema))
                    responses[f"{status} {ctype}"] = fields
        result[operation_key(method, path)] = Operation(
            str(op.get("operationId", "")),
            parameters,
            body,
            bool(body_spec.get("required")),
            responses,
        )
    return result


def _enum_changes(where: str, old: Field, new: Field) -> Iterator[Change]:
    for value in sorted(set(new.enum) - set(old.enum)):
        yield Change(where, "enum value added", value, False)
    for value in sorted(set(old.enum) - set(new.enum)):
        yield Change(where, "enum value removed", value, True)


def _field_changes(
    where: str, old: dict[str, Field], new: dict[str, Field], *, request: bool
) -> Iterator[Change]:
    """Field changes of a request (parameters, body) or a response.

    Requests break on new required fields and on fields made required; responses break when a
    field may now be null or absent. Removing or retyping a field breaks both.
    """
    for name in sorted(set(new) - set(old)):
        required = request and new[name].required
        detail = ("required" if required else "optional") if request else ""
        yield Change(f"{where} {name}", "added", detail, required)
    for name in sorted(set(old) - set(new)):
        yield Change(f"{where} {name}", "removed", "", True)
    for name in sorted(set(old) & set(new)):
        before, after, at = old[name], new[name], f"{where} {name}"
        if before.type != after.type:
            yield Change(at, "type changed", f"{before.type} -> {after.type}", True)
        if request and after.required and not before.required:
            yield Change(at, "made required", "", True)
        if before.required and not after.required:
            yield Change(at, "made optional", "" if request else "may be absent now", not request)
        if not request and after.nullable and not before.nullable:
            yield Change(at, "made nullable", "", True)
        yield from _enum_changes(at, before, after)


def _operation_changes(key: str, old: Operation, new: Operation) -> Iterator[Change]:
    if old.name != new.name:
        yield Change(
            key, "operation renamed", f"{old.name} -> {new.name}: the module is renamed", True
        )
    yield from _field_changes(f"{key} parameter", old.parameters, new.parameters, request=True)
    for ctype in sorted(set(new.body) - set(old.body)):
        yield Change(f"{key} request body", "content type added", ctype, False)
    for ctype in sorted(set(old.body) - set(new.body)):
        yield Change(f"{key} request body", "content type removed", ctype, True)
    for ctype in sorted(set(old.body) & set(new.body)):
        yield from _field_changes(
            f"{key} body {ctype}", old.body[ctype], new.body[ctype], request=True
        )
    for response in sorted(set(old.responses) - set(new.responses)):
        yield Change(f"{key} response {response}", "response removed", "", True)
    for response in sorted(set(new.responses) - set(old.responses)):
        yield Change(f"{key} response {response}", "response added", "", False)
    for response in sorted(set(old.responses) & set(new.responses)):
        yield from _field_changes(
            f"{key} response {response}",
            old.responses[response],
            new.responses[response],
            request=False,
        )


def diff_specs(old_document: dict[str, Any], new_document: dict[str, Any]) -> list[Change]:
    """Every surface change from `old_document` to `new_document`, breaking ones first."""
    old, new = surface(old_document), surface(new_document)
    changes: list[Change] = []
    for key in sorted(set(new) - set(old)):
        changes.append(Change(key, "operation added", new[key].name, False))
    for key in sorted(set(old) - set(new)):
        changes.append(Change(key, "operation removed", old[key].name, True))
    for key in sorted(set(old) & set(new)):
        changes.extend(_operation_changes(key, old[key], new[key]))
    return sorted(changes, key=lambda c: (not c.breaking, c.location, c.kind, c.detail))


def render(changes: list[Change], old_version: str, new_version: str) -> str:
    """The report people read: one line a change and a count."""
    if not changes:
        return f"API surface unchanged ({old_version} -> {new_version})\n"
    breaking = sum(c.breaking for c in changes)
    lines = [
        f"API changes {old_version} -> {new_version}: {len(changes)} change(s), {breaking} breaking"
    ]
    lines += [f"  {change}" for change in changes]
    return "\n".join(lines) + "\n"
