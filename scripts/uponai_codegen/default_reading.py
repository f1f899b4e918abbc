"""How openapi-python-client 0.29.1 reads a schema's `default`: its Python text, nothing, or a
failure that would make it leave out the model or operation holding it.

`lint_defaults` reports what this finds; the pipeline gives the generator a copy of the spec
without the defaults it cannot read (`lint_defaults.without_unreadable_defaults`).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .lint import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_SINGLES, Parts, resolve_pointer, schema_roots

READ_MAPS = ("properties",)
READ_SINGLES = ("items", "additionalProperties")
READ_LISTS = SCHEMA_LISTS
"""Where the generator reads a nested schema; it ignores the other schema keywords."""
UNREAD_MAPS = tuple(key for key in SCHEMA_MAPS if key not in READ_MAPS)
UNREAD_SINGLES = tuple(key for key in SCHEMA_SINGLES if key not in READ_SINGLES)
MAX_REF_HOPS = 32


@dataclass(frozen=True)
class Reading:
    """What the generated client does with a default: its Python text, nothing, or a failure."""

    python: str | None = None
    note: str = ""
    failure: str | None = None


IGNORED = Reading()


def _fail(message: str) -> Reading:
    return Reading(failure=message)


def _as_string(value: Any) -> Reading:
    text = value if isinstance(value, str) else str(value)
    note = (
        ""
        if isinstance(value, str | int | float) and not isinstance(value, bool)
        else (" (Python's spelling of the value, as a string)")
    )
    return Reading(repr(text), note)


def _boolean(value: Any) -> Reading:
    if isinstance(value, bool):
        return Reading(str(value))
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return Reading(str(value.lower() == "true"))
    return _fail(f"Invalid boolean value: {value}")


def _integer(value: Any) -> Reading:
    converted = value
    if isinstance(converted, str):
        try:
            converted = float(converted)
        except ValueError:
            return _fail(f"Invalid int value: {converted}")
    if isinstance(converted, float) and converted.is_integer():
        converted = int(converted)
    if isinstance(converted, int) and not isinstance(converted, bool):
        return Reading(str(converted))
    return _fail(f"Invalid int value: {value}")


def _number(value: Any) -> Reading:
    if isinstance(value, str):
        try:
            return Reading(str(float(value)))
        except ValueError:
            return _fail(f"Invalid float value: {value}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Reading(str(float(value)))
    return _fail(f"Cannot convert {value} to a float")


PARSERS: dict[str, Callable[[str], object]] = {
    "date": datetime.date.fromisoformat,
    "date-time": datetime.datetime.fromisoformat,
    "uuid": uuid.UUID,
}


def _parsed(value: Any, kind: str) -> Reading:
    """A date, date-time or uuid string, checked with the parser the generated code uses."""
    parse = PARSERS[kind]
    if not isinstance(value, str):
        return _fail(f"Cannot convert {value} to a {kind}")
    try:
        parse(value)
    except ValueError as exc:
        return _fail(f"Invalid {kind}: {exc}")
    return Reading(repr(value))


def _enum(schema: dict[str, Any], value: Any) -> Reading:
    values = [v for v in schema["enum"] if v is not None]
    types = {type(v) for v in values}
    if len(types) != 1 or not types <= {str, int}:
        return IGNORED  # the generator refuses the enum itself; its default is not the problem
    if not isinstance(value, types.pop()):
        return _fail(f"Cannot convert {value} to the enum")
    if not any(value == v for v in values):
        return _fail(f"Value {value} is not valid for the enum")
    return Reading(f"the enum member for {value!r}")


SIMPLE = {"boolean": _boolean, "integer": _integer, "number": _number, "string": _as_string}


def _python_literal(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _members(schema: dict[str, Any], *keys: str) -> list[Any]:
    return [m for key in keys if isinstance(schema.get(key), list) for m in schema[key]]


def _kind(schema: dict[str, Any], version_31: bool) -> str:
    """The kind of property the generator builds from `schema` (its order of checks)."""
    types = schema.get("type")
    if not version_31 and schema.get("nullable") is True and isinstance(types, str):
        types = [types, "null"]
    members = _members(schema, "allOf", "anyOf", "oneOf")
    if "$ref" in schema:
        return "ref"
    if len(members) == 1 and isinstance(members[0], dict) and "$ref" in members[0]:
        return "ref-wrapper"
    if types == "boolean":
        return "boolean"
    if schema.get("enum") and isinstance(schema["enum"], list):
        return "enum"
    if _members(schema, "anyOf", "oneOf") or isinstance(types, list):
        return "union"
    if schema.get("const") is not None:
        return "const"
    if types == "string":
        fmt = schema.get("format")
        return fmt if fmt in ("date", "date-time", "uuid", "binary") else "string"
    if types in ("number", "integer", "null", "array"):
        return str(types)
    if types == "object" or schema.get("allOf") or (types is None and schema.get("properties")):
        return "model"
    return "any"


class Reader:
    """Emulates the generator's conversion of defaults for one document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.version_31 = str(document.get("openapi", "")).startswith("3.1")

    def _target(self, schema: dict[str, Any]) -> dict[str, Any] | None:
        """The schema a `$ref` (or a chain of them) ends at; None when it leads nowhere."""
        for _ in range(MAX_REF_HOPS):
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                return schema
            found = resolve_pointer(self.document, ref) if ref.startswith("#") else None
            if not isinstance(found, dict):
                return None
            schema = found
        return None

    def built(self, schema: dict[str, Any], value: Any) -> Reading:
        """What the generator makes of `value` as the `default` of `schema` itself."""
        if value is None:
            return IGNORED
        kind = _kind(schema, self.version_31)
        if kind in ("ref", "null", "array", "model", "binary"):
            return IGNORED  # these properties are built without a default
        return self.converted(schema, value)

    def converted(self, schema: Any, value: Any, depth: int = 0) -> Reading:
        """`value` passed to the `convert_value` of the property built from `schema`."""
        if value is None or not isinstance(schema, dict) or depth > MAX_REF_HOPS:
            return IGNORED
        kind = _kind(schema, self.version_31)
        if kind in ("ref", "ref-wrapper"):
            inner = schema if kind == "ref" else _members(schema, "allOf", "anyOf", "oneOf")[0]
            target = self._target(inner)
            return IGNORED if target is None else self.converted(target, value, depth + 1)
        if kind in SIMPLE:
            return SIMPLE[kind](value)
        if kind == "any":
            return _as_string(value) if isinstance(value, str) else Reading(str(value))
        if kind in ("date", "date-time", "uuid"):
            return _parsed(value, kind)
        if kind == "enum":
            return _enum(schema, value)
        if kind == "const":
            const = _python_literal(schema["const"])
            if _python_literal(value) != const:
                return _fail(f"Invalid value for const; {value} != {schema['const']}")
            return Reading(const)
        if kind == "union":
            return self._union(schema, value, depth)
        if kind == "array":
            return IGNORED
        if kind == "null":
            return Reading("None") if value == "None" else _fail(f"Value {value} is not None")
        if kind == "binary":
            return _fail("File properties cannot have a default value")
        return _fail("ModelProperty cannot have a default value")

    def _union(self, schema: dict[str, Any], value: Any, depth: int) -> Reading:
        members = _members(schema, "anyOf", "oneOf")
        types = schema.get("type")
        if not self.version_31 and schema.get("nullable") is True and isinstance(types, str):
            types = [types, "null"]
        if isinstance(types, list):
            bare = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf", "nullable")}
            members += [{**bare, "type": t} for t in types]
        reading = _fail(f"Invalid default value for the union: {value}")
        for member in members:
            reading = self.converted(member, value, depth + 1)
            if reading.failure is None:
                return reading
        return reading


def _read_children(
    schema: dict[str, Any], at: Parts, read: bool
) -> Iterator[tuple[Parts, Any, bool]]:
    for key in (*READ_MAPS, *UNREAD_MAPS):
        members = schema.get(key)
        for name, sub in members.items() if isinstance(members, dict) else ():
            yield (*at, key, str(name)), sub, read and key in READ_MAPS
    for key in (*READ_SINGLES, *UNREAD_SINGLES):
        if isinstance(schema.get(key), dict):
            yield (*at, key), schema[key], read and key in READ_SINGLES
    for key in READ_LISTS:
        if isinstance(schema.get(key), list):
            for index, sub in enumerate(schema[key]):
                yield (*at, key, str(index)), sub, read


def _walk(schema: Any, at: Parts, read: bool) -> Iterator[tuple[Parts, dict[str, Any], bool]]:
    if not isinstance(schema, dict):
        return
    yield at, schema, read
    for sub_at, sub, sub_read in _read_children(schema, at, read):
        yield from _walk(sub, sub_at, sub_read)


def schemas_with_reading(document: dict[str, Any]) -> Iterator[tuple[Parts, dict[str, Any], bool]]:
    """Every schema with its path and whether the generator builds a property from it (it reads
    neither webhooks nor headers of responses, nor `not`, `if`, `patternProperties` ...)."""
    for at, root in schema_roots(document):
        read = at[0] != "webhooks" and "headers" not in at[:-2]
        yield from _walk(root, at, read)
