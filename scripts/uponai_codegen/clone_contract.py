"""The clone operation's contract with the hand-written SDK, written into the generated package.

The SDK (`widgets/uponai_widgets`) builds every surface of a clone (the keywords of
`clone_voice`, validation, batch job keys and CSV columns, CLI options, the widget's form) from
one description of the request. Part of it is in the generated code (the body model, the header
parameters, their enums); the rest only the spec says (wire names, which fields are required,
limits such as `maxLength` or `maxItems`, descriptions). `write_clone_fields` writes that part as
`_clone_fields.py`, with a `TypedDict` of the keywords for type checkers, and `clone_problem`
says, before anything is swapped in, why a spec cannot serve the SDK.

The keyword of a field is its Python name with one rule: header parameters lose their `x_`
prefix, body fields their `voice_` prefix (`voiceName` -> `name`), the one binary array is
`samples`, unless that would clash with another keyword.
"""

from __future__ import annotations

import json
import keyword
from pathlib import Path
from typing import Any

from .lint import resolve_pointer
from .names import python_name
from .operations import iter_operations, operation_key
from .surface import constraints_of

__all__ = ["CLONE_MODULE", "CloneOperation", "clone_problem", "find_clone", "write_clone_fields"]

CLONE_MODULE = "clone_voice"
"""The Python name of the clone operation the SDK calls (`uponai_client.api.<tag>.clone_voice`)."""

MULTIPART = "multipart/form-data"
SDK_KEYWORDS = {"connection", "samples", "on_progress", "timeout", "limits"}
"""Keywords `clone_voice` has besides the request's fields."""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _schema(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    """`schema` with local `$ref`s followed (a few levels)."""
    found = _dict(schema)
    for _ in range(8):
        ref = found.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#"):
            break
        found = _dict(resolve_pointer(document, ref))
    return found


def _is_binary_array(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    items = _schema(document, schema.get("items"))
    return schema.get("type") == "array" and items.get("format") == "binary"


class CloneOperation:
    """The clone operation of a (normalised) spec: where it is and what its request holds."""

    def __init__(self, document: dict[str, Any], method: str, path: str, operation: dict[str, Any]):
        self.document = document
        self.method = method
        self.path = path
        self.operation = operation
        self.key = operation_key(method, path)
        self.module = python_name(str(operation.get("operationId", "")))
        body = _dict(_dict(operation.get("requestBody")).get("content"))
        self.body = _schema(document, _dict(body.get(MULTIPART)).get("schema"))
        properties = _dict(self.body.get("properties"))
        self.properties = {
            str(name): _schema(document, schema) for name, schema in properties.items()
        }
        self.binary = [
            name for name, schema in self.properties.items() if _is_binary_array(document, schema)
        ]

    def parameters(self) -> list[dict[str, Any]]:
        """The operation's header parameters, `$ref`s followed."""
        shared = _dict(_dict(self.document.get("paths")).get(self.path)).get("parameters")
        found = []
        for raw in [*(shared or []), *(self.operation.get("parameters") or [])]:
            parameter = _schema(self.document, raw)
            if parameter.get("in") == "header":
                found.append(parameter)
        return found


def find_clone(document: dict[str, Any]) -> CloneOperation | None:
    """The operation named `clone_voice`, else the one multipart POST with a binary array."""
    candidates = []
    for method, path, operation in iter_operations(document):
        found = CloneOperation(document, method, path, operation)
        if found.module == CLONE_MODULE:
            return found
        if method == "post" and len(found.binary) == 1:
            candidates.append(found)
    return candidates[0] if len(candidates) == 1 else None


def clone_problem(document: dict[str, Any], name_map_label: str) -> str | None:
    """Why the SDK could not clone with a client generated from `document`, or None."""
    found = find_clone(document)
    if found is None:
        return (
            "the SDK clones with an operation named cloneVoice (module clone_voice), and the "
            "spec has none, nor one POST with a multipart body holding one array of binary "
            f'files; name it in {name_map_label} ("METHOD /path": "cloneVoice")'
        )
    if found.module != CLONE_MODULE:
        return (
            f"the clone operation is now {found.key} (operationId "
            f"{found.operation.get('operationId')!r}, module {found.module}); the SDK calls "
            f'module {CLONE_MODULE}: in {name_map_label}, set "{found.key}": "cloneVoice" (move '
            "the entry of its old path there), then regenerate"
        )
    if found.method != "post" or not found.body:
        return f"{found.key}: the SDK sends clones as a POST with a {MULTIPART} body"
    if len(found.binary) != 1:
        return (
            f"{found.key}: the {MULTIPART} body must hold exactly one array of binary files "
            f"(the samples), found {len(found.binary)}"
        )
    return None


def _kind(schema: dict[str, Any], document: dict[str, Any]) -> str:
    if isinstance(schema.get("enum"), list):
        return "enum"
    kind = schema.get("type")
    if kind in ("string", "integer", "number", "boolean"):
        return str(kind)
    if kind == "array":
        return "list"
    if kind == "object" and "properties" not in schema and schema.get("additionalProperties"):
        return "map"
    return "object"


_PYTHON_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def _python_type(field: dict[str, Any], document: dict[str, Any], schema: dict[str, Any]) -> str:
    kind = field["kind"]
    if kind == "enum":
        return "str"
    if kind in _PYTHON_TYPES:
        return _PYTHON_TYPES[kind]
    if kind == "list":
        item = _schema(document, schema.get("items"))
        return f"Sequence[{_PYTHON_TYPES.get(str(item.get('type')), 'object')}]"
    if kind == "map":
        value = _schema(document, schema.get("additionalProperties"))
        return f"Mapping[str, {_PYTHON_TYPES.get(str(value.get('type')), 'object')}]"
    return "Mapping[str, object]"


def _field(
    document: dict[str, Any], wire: str, location: str, schema: dict[str, Any], required: bool
) -> dict[str, Any]:
    field: dict[str, Any] = {
        "keyword": "",
        "python": python_name(wire),
        "wire": wire,
        "in": location,
        "kind": _kind(schema, document),
        "required": required,
        "enum": [str(value) for value in schema.get("enum") or []],
        "limits": dict(constraints_of(schema)),
        "description": str(schema.get("description") or "").strip(),
    }
    field["type"] = _python_type(field, document, schema)
    return field


def _keywords(fields: list[dict[str, Any]]) -> None:
    """Give each field its SDK keyword (see the module docstring), in place."""
    taken = set(SDK_KEYWORDS)
    plain = {field["python"] for field in fields}
    for field in fields:
        python = field["python"]
        prefix = "x_" if field["in"] == "header" else "voice_"
        short = python[len(prefix) :] if python.startswith(prefix) else python
        fits = short and not keyword.iskeyword(short) and short not in plain | taken
        field["keyword"] = short if fits else python
        taken.add(field["keyword"])


def clone_fields(found: CloneOperation) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(the request's fields, the samples field) of the clone operation."""
    document = found.document
    required = {str(name) for name in found.body.get("required") or []}
    fields = []
    samples: dict[str, Any] = {}
    for wire, schema in found.properties.items():
        field = _field(document, wire, "body", schema, wire in required)
        if wire in found.binary:
            samples = {**field, "keyword": "samples", "kind": "files"}
            continue
        fields.append(field)
    for parameter in found.parameters():
        schema = _schema(document, parameter.get("schema"))
        field = _field(
            document,
            str(parameter.get("name")),
            "header",
            schema,
            parameter.get("required") is True,
        )
        if not field["description"]:
            field["description"] = str(parameter.get("description") or "").strip()
        fields.append(field)
    _keywords(fields)
    return fields, samples


def success_models(found: CloneOperation) -> list[str]:
    """The generated class names of the clone's documented 2xx bodies that are component
    schemas (named by the generator's own rule), in status order."""
    from openapi_python_client.strings import ClassName

    names = []
    responses = _dict(found.operation.get("responses"))
    for status in sorted(str(key) for key in responses):
        if not status.startswith("2"):
            continue
        content = _dict(_dict(_schema(found.document, responses[status])).get("content"))
        for media in content.values():
            ref = _dict(_dict(media).get("schema")).get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = str(ClassName(ref.rsplit("/", 1)[-1], "field_"))
                if name not in names:
                    names.append(name)
    return names


def _operation_module(package: Path) -> str:
    found = sorted((package / "api").rglob(f"{CLONE_MODULE}.py"))
    if len(found) != 1:
        raise LookupError(f"{len(found)} generated modules named {CLONE_MODULE}")
    return ".".join(found[0].relative_to(package).with_suffix("").parts)


def _typed_dict(fields: list[dict[str, Any]]) -> str:
    lines = [
        "class CloneVoiceFields(TypedDict):",
        '    """The clone request\'s fields as keywords of `clone_voice` (samples apart)."""',
        "",
    ]
    for field in fields:
        kind = field["type"]
        if field["enum"]:
            lines.append(f"    # one of: {', '.join(field['enum'])}")
        annotation = kind if field["required"] else f"NotRequired[{kind} | None]"
        lines.append(f"    {field['keyword']}: {annotation}")
    return "\n".join(lines) + "\n"


def write_clone_fields(package: Path, document: dict[str, Any]) -> bool:
    """Write `_clone_fields.py` when the spec has the clone operation; True when written."""
    found = find_clone(document)
    if found is None or found.module != CLONE_MODULE or len(found.binary) != 1:
        return False
    fields, samples = clone_fields(found)
    models = success_models(found) or ["Voice"]
    text = (
        '"""The clone operation as the SDK offers it, written from the spec by '
        'scripts/regenerate.py."""\n\n'
        "from collections.abc import Mapping, Sequence\n"
        "from typing import NotRequired, TypeAlias, TypedDict\n\n"
        f"from .models import {', '.join(sorted(models))}\n\n"
        f"CloneResult: TypeAlias = {' | '.join(models)}\n"
        '"""What a clone answers with: the documented 2xx bodies (a `Voice` when it is done)."""'
        "\n\n"
        f"OPERATION_MODULE = {json.dumps(_operation_module(package))}\n"
        f"METHOD = {json.dumps(found.method.upper())}\n"
        f"PATH = {json.dumps(found.path)}\n\n"
        f"FIELDS: tuple[dict[str, object], ...] = {_literal(fields)}\n"
        f"SAMPLES: dict[str, object] = {_literal(samples)}\n\n\n" + _typed_dict(fields)
    )
    (package / "_clone_fields.py").write_text(text, encoding="utf-8")
    return True


def _literal(value: Any) -> str:
    """A Python literal of JSON data (true/false/null spelled the Python way)."""
    if isinstance(value, list):
        return "(" + "".join(f"{_literal(item)}, " for item in value) + ")"
    return repr(value)
