"""Spec problems the pipeline finds itself, each named by its absolute JSON pointer.

Some mistakes of published specs are harmless to openapi-python-client (it ignores the key, or
reads it the way the author meant): they are warnings, and a copy of the document without them
goes to the validator so its report is about the rest. Others make the generated client wrong
or make the generator fail: they are errors.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .operations import HTTP_METHODS

Parts = tuple[str, ...]


def json_pointer(parts: list[Any] | tuple[Any, ...]) -> str:
    """Render a path into the document as a JSON pointer (`/paths/~1api~1voices/post`)."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "/" + "/".join(escaped) if parts else "/"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: where (absolute JSON pointer), what, and whether the client would be wrong."""

    pointer: str
    message: str
    code: str
    fatal: bool

    def __str__(self) -> str:
        return f"{self.pointer}: {self.message}"


COMMON_KEYWORDS = frozenset(
    [
        "title",
        "multipleOf",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "maxItems",
        "minItems",
        "uniqueItems",
        "maxProperties",
        "minProperties",
        "required",
        "enum",
        "type",
        "allOf",
        "oneOf",
        "anyOf",
        "not",
        "items",
        "properties",
        "additionalProperties",
        "description",
        "format",
        "default",
        "discriminator",
        "readOnly",
        "writeOnly",
        "xml",
        "externalDocs",
        "example",
        "deprecated",
        "$ref",
    ]
)
KEYWORDS_30 = COMMON_KEYWORDS | {"nullable"}
KEYWORDS_31 = KEYWORDS_30 | frozenset(
    [
        "$id",
        "$schema",
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "$vocabulary",
        "$comment",
        "$defs",
        "definitions",
        "prefixItems",
        "contains",
        "patternProperties",
        "dependentSchemas",
        "propertyNames",
        "if",
        "then",
        "else",
        "unevaluatedItems",
        "unevaluatedProperties",
        "const",
        "maxContains",
        "minContains",
        "dependentRequired",
        "dependencies",
        "examples",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
        "additionalItems",
    ]
)
READ_FROM_31_IN_30 = frozenset(["const", "prefixItems"])
"""JSON Schema keywords of 3.1 that openapi-python-client reads in a 3.0 spec too (one schema
model serves both versions)."""
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
SCHEMA_SINGLES = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
    "contentSchema",
)
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")


def _dicts(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict):
                yield str(key), item


def iter_schemas(schema: Any, at: Parts) -> Iterator[tuple[Parts, dict[str, Any]]]:
    """`schema` and every sub-schema in it, with their paths."""
    if not isinstance(schema, dict):
        return
    yield at, schema
    for key in SCHEMA_MAPS:
        for name, sub in _dicts(schema.get(key)):
            yield from iter_schemas(sub, (*at, key, name))
    for key in SCHEMA_SINGLES:
        if isinstance(schema.get(key), dict):
            yield from iter_schemas(schema[key], (*at, key))
    for key in SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            for index, sub in enumerate(schema[key]):
                yield from iter_schemas(sub, (*at, key, str(index)))


def _media_roots(holder: dict[str, Any], at: Parts) -> Iterator[tuple[Parts, Any]]:
    """Root schemas of a parameter, header, request body or response (`schema`, `content`,
    headers)."""
    if "schema" in holder:
        yield (*at, "schema"), holder["schema"]
    for ctype, media in _dicts(holder.get("content")):
        yield (*at, "content", ctype, "schema"), media.get("schema")
    for name, header in _dicts(holder.get("headers")):
        yield from _media_roots(header, (*at, "headers", name))


def _operation_roots(op: dict[str, Any], at: Parts) -> Iterator[tuple[Parts, Any]]:
    parameters = op.get("parameters")
    for index, param in enumerate(parameters if isinstance(parameters, list) else []):
        if isinstance(param, dict):
            yield from _media_roots(param, (*at, "parameters", str(index)))
    if isinstance(op.get("requestBody"), dict):
        yield from _media_roots(op["requestBody"], (*at, "requestBody"))
    for status, response in _dicts(op.get("responses")):
        yield from _media_roots(response, (*at, "responses", status))


def schema_roots(document: dict[str, Any]) -> Iterator[tuple[Parts, Any]]:
    """The outermost schemas of the document (operations, webhooks, components), with their
    paths; the value may be anything (the validator judges what is not a schema)."""
    for top in ("paths", "webhooks"):
        for path, item in _dicts(document.get(top)):
            yield from _operation_roots(item, (top, path))
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    yield from _operation_roots(item[method], (top, path, method))
    components = document.get("components")
    components = components if isinstance(components, dict) else {}
    for name, schema in _dicts(components.get("schemas")):
        yield ("components", "schemas", name), schema
    for kind in ("parameters", "headers", "requestBodies", "responses"):
        for name, holder in _dicts(components.get(kind)):
            yield from _media_roots(holder, ("components", kind, name))


def document_schemas(document: dict[str, Any]) -> Iterator[tuple[Parts, dict[str, Any]]]:
    """Every schema object of the document (operations, webhooks, components), with its path."""
    for at, root in schema_roots(document):
        yield from iter_schemas(root, at)


def iter_refs(value: Any, at: Parts = ()) -> Iterator[tuple[Parts, Any]]:
    """Every `$ref` in the document with the path of the object holding it."""
    if isinstance(value, dict):
        if "$ref" in value:
            yield at, value["$ref"]
        for key, item in value.items():
            if key != "$ref":
                yield from iter_refs(item, (*at, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_refs(item, (*at, str(index)))


_MISSING = object()


def resolve_pointer(document: Any, ref: str) -> Any:
    """The value a local `#/...` reference points to, or `_MISSING`."""
    target = document
    for raw in unquote(ref[1:]).split("/")[1:] if ref != "#" else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and part in target:
            target = target[part]
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            return _MISSING
    return target


def check_refs(document: dict[str, Any]) -> list[Finding]:
    """Errors for references that point nowhere or outside the document."""
    findings = []
    for at, ref in iter_refs(document):
        where = json_pointer((*at, "$ref"))
        if not isinstance(ref, str):
            findings.append(
                Finding(where, f"$ref must be a string, found {ref!r}", "bad-ref", True)
            )
        elif not ref.startswith("#"):
            message = f"external reference {ref!r} is not supported; bundle the spec into one file"
            findings.append(Finding(where, message, "external-ref", True))
        elif resolve_pointer(document, ref) is _MISSING:
            message = f"{ref!r} points to nothing in the document"
            findings.append(Finding(where, message, "dangling-ref", True))
    return findings


def _check_schema(
    schema: dict[str, Any], at: Parts, version_31: bool
) -> Iterator[tuple[Finding, str | None]]:
    """Findings for one schema, each with the key the validation copy drops (or None)."""
    where = json_pointer(at)
    required = schema.get("required")
    if "required" in schema and (
        not isinstance(required, list) or not all(isinstance(r, str) for r in required)
    ):
        message = f"'required' must be a list of property names, found {required!r}"
        yield Finding(where + "/required", message, "required-not-a-list", True), "required"
    elif isinstance(required, list):
        for name in sorted({r for r in required if required.count(r) > 1}):
            message = f"'required' lists {name!r} more than once (the generator reads it once)"
            yield Finding(where + "/required", message, "duplicate-required", False), None
    known = KEYWORDS_31 if version_31 else KEYWORDS_30
    for key in schema:
        if key in known or str(key).startswith("x-"):
            continue
        pointer = f"{where}/{json_pointer([key])[1:]}"
        if key in READ_FROM_31_IN_30:
            message = (
                f"{key!r} is OpenAPI 3.1 (JSON Schema) in a 3.0 spec; the generator honours it"
            )
            yield Finding(pointer, message, "keyword-from-3.1", False), key
        else:
            message = f"unknown key {key!r} in a schema (the generator ignores it)"
            yield Finding(pointer, message, "unknown-key", False), key
    if version_31 and "nullable" in schema:
        message = (
            "'nullable' is OpenAPI 3.0; the generator honours it (3.1 writes type: [..., 'null'])"
        )
        yield Finding(where + "/nullable", message, "nullable-in-3.1", False), None
    for bound in ("exclusiveMinimum", "exclusiveMaximum"):
        if version_31 and isinstance(schema.get(bound), bool):
            message = (
                f"boolean {bound!r} is OpenAPI 3.0; 3.1 wants a number (the generator ignores it)"
            )
            yield Finding(f"{where}/{bound}", message, "boolean-exclusive-bound", False), bound
    if version_31 and "examples" in schema and not isinstance(schema["examples"], list):
        message = "'examples' must be a list in 3.1 (the generator ignores it)"
        yield Finding(where + "/examples", message, "examples-not-a-list", False), "examples"
    enum = schema.get("enum")
    if isinstance(enum, list):
        if not enum:
            yield Finding(where + "/enum", "'enum' is empty", "empty-enum", True), None
        seen: list[Any] = []
        for value in enum:
            if value in seen:
                message = f"'enum' repeats {value!r}: the generator cannot name both members"
                yield Finding(where + "/enum", message, "duplicate-enum", True), None
            seen.append(value)


def lint(document: dict[str, Any]) -> tuple[list[Finding], dict[str, Any]]:
    """The pipeline's own findings, and a copy of the document for the validator.

    The copy drops what the warnings are about (a repeated `required` entry, an unknown key),
    so the validator reports only the remaining problems.
    """
    version_31 = str(document.get("openapi", "")).startswith("3.1")
    findings = check_refs(document)
    cleaned = copy.deepcopy(document)
    for at, schema in list(document_schemas(cleaned)):
        for finding, dropped in list(_check_schema(schema, at, version_31)):
            findings.append(finding)
            if dropped is not None:
                schema.pop(dropped, None)
        required = schema.get("required")
        if isinstance(required, list):
            schema["required"] = list(dict.fromkeys(required))
    return sorted(set(findings)), cleaned
