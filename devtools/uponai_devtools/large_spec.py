"""A deterministic, generated OpenAPI 3.1 document with 300+ operations (for the benchmark).

It is shaped like a published voice-AI platform spec: a dozen tags, CRUD on each resource,
snake_case ids, shared `$ref` components, paginated lists, `allOf` extensions, inline and
referenced enums, multipart uploads and header parameters. Built here, not copied.

    python tests/codegen/large_spec.py OUT.json [--resources 28]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

TAGS = (
    "calls",
    "agents",
    "llm models",
    "chat",
    "flows",
    "knowledge bases",
    "voices",
    "tests",
    "account",
    "phone numbers",
    "webhooks",
    "workspaces",
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _resource_schemas(name: str, index: int) -> dict[str, Any]:
    """Four schemas a resource: the object, its create body, its page and a status enum."""
    status = f"{name}Status"
    return {
        status: {"type": "string", "enum": ["active", "paused", "archived", f"state{index}"]},
        f"{name}Create": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "maxLength": 120},
                "description": {"type": ["string", "null"]},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "priority": {"type": "integer", "minimum": 0, "maximum": 10},
                "mode": {"type": "string", "enum": ["fast", "accurate"]},
                "settings": _ref("Settings"),
            },
        },
        name: {
            "allOf": [
                _ref(f"{name}Create"),
                {
                    "type": "object",
                    "required": ["id", "created_at", "status"],
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "status": _ref(status),
                        "owner": _ref("Owner"),
                        "history": {"type": "array", "items": _ref("HistoryItem")},
                    },
                },
            ]
        },
        f"{name}Page": {
            "type": "object",
            "required": ["items", "has_more"],
            "properties": {
                "items": {"type": "array", "items": _ref(name)},
                "has_more": {"type": "boolean"},
                "next_cursor": {"type": ["string", "null"]},
            },
        },
    }


def _shared_schemas() -> dict[str, Any]:
    return {
        "Settings": {
            "type": "object",
            "properties": {
                "language": {"type": "string", "enum": ["en", "de", "fr", "es", "ja"]},
                "temperature": {"type": "number"},
                "stream": {"type": "boolean", "default": False},
            },
        },
        "Owner": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "email": {"type": "string", "format": "email"},
            },
        },
        "HistoryItem": {
            "type": "object",
            "required": ["at", "event"],
            "properties": {
                "at": {"type": "string", "format": "date-time"},
                "event": {"type": "string"},
                "actor": _ref("Owner"),
            },
        },
        "Error": {
            "type": "object",
            "required": ["detail"],
            "properties": {"detail": {"type": "string"}, "code": {"type": "integer"}},
        },
    }


def _resource_paths(resource: str, name: str, tag: str) -> dict[str, Any]:
    """Eleven operations a resource, ids in snake_case as many published specs have them."""
    base = f"/v1/{resource}"
    item = f"{base}/{{{resource[:-1]}_id}}"
    id_param = {
        "name": f"{resource[:-1]}_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    errors = {"404": _json(_ref("Error"), "Not found"), "422": _json(_ref("Error"), "Invalid")}
    single = resource[:-1]

    def op(op_id: str, **rest: Any) -> dict[str, Any]:
        """One operation of this resource, tagged and summarised from its id."""
        return {"tags": [tag], "operationId": op_id, "summary": op_id.replace("_", " "), **rest}

    upload = {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "note": {"type": "string"},
        },
    }
    return {
        base: {
            "get": op(
                f"list_{resource}",
                parameters=[
                    {"$ref": "#/components/parameters/Cursor"},
                    {"$ref": "#/components/parameters/PageSize"},
                    {"name": "status", "in": "query", "schema": _ref(f"{name}Status")},
                ],
                responses={"200": _json(_ref(f"{name}Page")), **errors},
            ),
            "post": op(
                f"create_{single}",
                parameters=[{"$ref": "#/components/parameters/IdempotencyKey"}],
                requestBody={
                    "required": True,
                    "content": {"application/json": {"schema": _ref(f"{name}Create")}},
                },
                responses={"201": _json(_ref(name), "Created"), **errors},
            ),
        },
        item: {
            "parameters": [id_param],
            "get": op(f"get_{single}", responses={"200": _json(_ref(name)), **errors}),
            "patch": op(
                f"update_{single}",
                requestBody={"content": {"application/json": {"schema": _ref(f"{name}Create")}}},
                responses={"200": _json(_ref(name)), **errors},
            ),
            "delete": op(f"delete_{single}", responses={"204": {"description": "Deleted"}}),
        },
        f"{item}/duplicate": {
            "parameters": [id_param],
            "post": op(f"duplicate_{single}", responses={"201": _json(_ref(name), "Created")}),
        },
        f"{item}/history": {
            "parameters": [id_param],
            "get": op(
                f"get_{single}_history",
                parameters=[{"$ref": "#/components/parameters/PageSize"}],
                responses={"200": _json({"type": "array", "items": _ref("HistoryItem")})},
            ),
        },
        f"{item}/files": {
            "parameters": [id_param],
            "post": op(
                f"upload_{single}_file",
                requestBody={"content": {"multipart/form-data": {"schema": upload}}},
                responses={"201": _json({"type": "object", "properties": {"url": {}}})},
            ),
        },
        f"{item}/archive": {
            "parameters": [id_param],
            "post": op(f"archive_{single}", responses={"200": _json(_ref(name))}),
        },
        f"{item}/restore": {
            "parameters": [id_param],
            "post": op(f"restore_{single}", responses={"200": _json(_ref(name))}),
        },
        f"{item}/settings": {
            "parameters": [id_param],
            "put": op(
                f"set_{single}_settings",
                requestBody={"content": {"application/json": {"schema": _ref("Settings")}}},
                responses={"200": _json(_ref("Settings"))},
            ),
        },
    }


def build_large_spec(resources: int = 28) -> dict[str, Any]:
    """The document: `resources` x 11 operations (308 by default), 4 schemas a resource."""
    schemas = _shared_schemas()
    paths: dict[str, Any] = {}
    for index in range(resources):
        resource = f"res{index:02d}items"
        name = f"Res{index:02d}Item"
        schemas.update(_resource_schemas(name, index))
        paths.update(_resource_paths(resource, name, TAGS[index % len(TAGS)]))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Large generated platform API", "version": f"{resources}.0"},
        "tags": [{"name": tag} for tag in TAGS],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "Cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                "PageSize": {
                    "name": "page_size",
                    "in": "query",
                    "schema": {"type": "integer", "default": 20, "maximum": 100},
                },
                "IdempotencyKey": {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "schema": {"type": "string"},
                },
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def main() -> None:
    """Write the document to the path given."""
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--resources", type=int, default=28)
    args = parser.parse_args()
    args.out.write_text(json.dumps(build_large_spec(args.resources), indent=2) + "\n")


if __name__ == "__main__":
    main()
