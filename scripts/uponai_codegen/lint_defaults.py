"""`default` values read the way openapi-python-client 0.29.1 reads them.

Published specs often give a default of the wrong type: `default: 1` on a string, `'true'` on a
boolean, `"4"` on an integer, an array or an object where a scalar is declared, `null` where null
is not allowed. The generator copes with most of them: it converts the value (`str(1)` is `'1'`,
`'true'` is `True`) or ignores it (arrays, objects and `null` get no default). Those are warnings
that say what the generated client does. Where the generator cannot convert the value (`'yes'` on
a boolean, a default outside its enum, an unparsable date, a default for a model) it would leave
out the model or operation that holds it: the pipeline gives it the spec without that default
(`without_unreadable_defaults`), so the client is whole and sends nothing for the value, which
leaves the server's default to apply; that is a warning too. Each finding names the `default`
key itself; the validator's copy of the document loses every `default`, since they are all judged
here.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from .default_reading import IGNORED, Reader, Reading, schemas_with_reading
from .lint import Finding, Parts, json_pointer
from .validator import skip_iri_grammar

DROPPED = (
    "the generator gets the spec without this default, so the client has no default for it "
    "and the server's applies"
)
SPEC_URI = "urn:uponai:spec"


class ValueCheck:
    """The validator's own check of a default against its schema (same classes, same formats)."""

    def __init__(self, document: dict[str, Any]) -> None:
        skip_iri_grammar()
        from openapi_schema_validator import (
            OAS30Validator,
            OAS31Validator,
            oas30_format_checker,
            oas31_format_checker,
        )
        from referencing import Registry
        from referencing.jsonschema import DRAFT4, DRAFT202012

        self.version_31 = str(document.get("openapi", "")).startswith("3.1")
        spec = DRAFT202012 if self.version_31 else DRAFT4
        self.registry = Registry().with_resource(SPEC_URI, spec.create_resource(document))
        self.validator = OAS31Validator if self.version_31 else OAS30Validator
        self.formats = oas31_format_checker if self.version_31 else oas30_format_checker

    def problem(self, schema: dict[str, Any], at: Parts, value: Any) -> str | None:
        """Why the validator refuses `value` as the default at `at`, or None."""
        if not self.version_31 and value is None and schema.get("nullable") is True:
            return None
        ref = {"$ref": f"{SPEC_URI}#{quote(json_pointer(at), safe='/~')}"}
        try:
            validator = self.validator(ref, registry=self.registry, format_checker=self.formats)
            error = next(iter(validator.iter_errors(value)), None)
        except Exception:  # a $ref loop or a bad $ref is reported elsewhere
            return None
        if error is None:
            return None
        text, instance = str(error.message), repr(error.instance)
        subject = "".join(f"[{part!r}]" for part in error.absolute_path) or "it"
        text = subject + text[len(instance) :] if text.startswith(instance) else text
        return text if len(text) <= 160 else text[:157] + "..."


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 60 else text[:57] + "..."


def _finding(
    at: Parts, value: Any, reading: Reading, problem: str | None, read: bool
) -> Finding | None:
    where = json_pointer((*at, "default"))
    if reading.failure is not None:
        message = (
            f"default {_shown(value)} cannot be read by the generator ({reading.failure}), which "
            f"would leave out what holds it; {DROPPED}"
        )
        return Finding(where, message, "default-dropped", False)
    if problem is None:
        return None
    head = f"default {_shown(value)} does not fit the schema ({problem}); "
    if reading.python is not None:
        message = (
            f"the generated client uses {reading.python}{reading.note} when the caller "
            "leaves the value out"
        )
        return Finding(where, head + message, "default-converted", False)
    what = "reads no default from it" if read else "does not read this schema"
    message = f"the generator {what}, so the client has no default for it"
    return Finding(where, head + message, "default-ignored", False)


def _at(document: Any, parts: Parts) -> Any:
    """The value at `parts` (no pointer escaping, no URI decoding); None when absent."""
    for part in parts:
        if isinstance(document, list) and part.isdigit() and int(part) < len(document):
            document = document[int(part)]
        else:
            document = document.get(part) if isinstance(document, dict) else None
    return document


def check_defaults(document: dict[str, Any], cleaned: dict[str, Any]) -> list[Finding]:
    """A finding for each `default` the generated client would not take as written.

    Every `default` is removed from `cleaned` (the validator's copy): this check replaces the
    validator's own, with the absolute pointer of the key and what the client does with it.
    """
    reader, check, findings = Reader(document), None, []
    for at, schema, read in list(schemas_with_reading(document)):
        if "default" not in schema:
            continue
        value = schema["default"]
        check = check or ValueCheck(document)
        reading = reader.built(schema, value) if read else IGNORED
        finding = _finding(at, value, reading, check.problem(schema, at, value), read)
        if finding is not None:
            findings.append(finding)
        twin = _at(cleaned, at)
        if isinstance(twin, dict):
            twin.pop("default", None)
    return findings


def unreadable_defaults(document: dict[str, Any]) -> list[Parts]:
    """The places of the schemas whose `default` the generator cannot convert."""
    reader = Reader(document)
    return [
        at
        for at, schema, read in schemas_with_reading(document)
        if read and "default" in schema and reader.built(schema, schema["default"]).failure
    ]


def without_unreadable_defaults(document: dict[str, Any]) -> dict[str, Any]:
    """`document` without the defaults the generator cannot convert (the generator's copy).

    Only the objects on the way to each such schema are copied; `document` is not changed.
    """
    copy = dict(document)
    for at in unreadable_defaults(document):
        node: Any = copy
        for part in at:
            key: Any = int(part) if isinstance(node, list) else part
            node[key] = _shallow(node[key])
            node = node[key]
        if isinstance(node, dict):
            node.pop("default", None)
    return copy


def _shallow(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else list(value)
