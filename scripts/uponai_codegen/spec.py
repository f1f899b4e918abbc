"""Load an OpenAPI document (JSON or YAML) and check it, naming each problem's absolute place."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from . import PipelineError
from .lint import Finding, document_schemas, json_pointer, lint, resolve_pointer
from .lint_defaults import check_defaults
from .lint_operations import check_operations
from .operations import iter_operations
from .validator import spec_validator

TOP_LEVEL_KEYS = frozenset(
    [
        "openapi",
        "info",
        "jsonSchemaDialect",
        "servers",
        "paths",
        "webhooks",
        "components",
        "security",
        "tags",
        "externalDocs",
    ]
)
MAX_LISTED = 25


class _SpecLoader(yaml.SafeLoader):
    """YAML as JSON sees it: dates and times stay strings (`version: 2024-05-01`)."""


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _string_keys(value: Any) -> Any:
    """YAML allows `200:` (an int key) where OpenAPI means the string `"200"`."""
    if isinstance(value, dict):
        return {
            (json.dumps(k) if isinstance(k, bool) or k is None else str(k)): _string_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value


def parse_spec_text(text: str | bytes, label: str) -> dict[str, Any]:
    """Parse JSON, else YAML; `PipelineError` names the line and column when neither parses."""
    document: Any
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PipelineError(f"{label}: the spec is not UTF-8 text: {exc.reason}") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if text.lstrip()[:1] in ("{", "["):
            raise PipelineError(
                f"{label}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}"
            ) from exc
        try:
            document = _string_keys(yaml.load(text, Loader=_SpecLoader))  # noqa: S506 - safe loader
        except yaml.YAMLError as yexc:
            mark = getattr(yexc, "problem_mark", None)
            where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
            problem = getattr(yexc, "problem", None) or str(yexc).splitlines()[0]
            raise PipelineError(f"{where}: neither JSON nor valid YAML: {problem}") from yexc
    except (RecursionError, ValueError) as exc:
        raise PipelineError(f"{label}: cannot parse the spec: {type(exc).__name__}") from exc
    if not isinstance(document, dict):
        raise PipelineError(f"{label}: the spec must be an object, not {type(document).__name__}")
    return document


def load_spec(path: Path) -> dict[str, Any]:
    """Read `path` (JSON or YAML); raise `PipelineError` naming the file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PipelineError(f"{path}: cannot read the spec: {exc}") from exc
    return parse_spec_text(text, str(path))


def dump_spec(document: dict[str, Any]) -> str:
    """The layout used for `openapi.json` and the snapshot of the spec the client came from."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def check_version(document: dict[str, Any], label: str) -> None:
    """Refuse anything that is not OpenAPI 3.0 or 3.1 before doing any work on it."""
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith(("3.0", "3.1")):
        raise PipelineError(
            f"{label}: /openapi: expected an OpenAPI 3.0 or 3.1 version string, found {version!r}"
        )


def duplicate_parameters(document: dict[str, Any]) -> dict[str, list[str]]:
    """Parameter name -> the pointer of each parameter that repeats an earlier one of its
    operation (same name and location), in document order."""
    found: dict[str, list[str]] = {}
    for method, path, operation in iter_operations(document):
        seen = set()
        listed = operation.get("parameters")
        for index, parameter in enumerate(listed if isinstance(listed, list) else []):
            if not isinstance(parameter, dict) or "$ref" in parameter:
                continue
            key = (str(parameter.get("name")), str(parameter.get("in")))
            if key in seen:
                pointer = json_pointer(["paths", path, method, "parameters", str(index)])
                found.setdefault(str(key[0]), []).append(pointer)
            seen.add(key)
    return found


def _locate(
    document: dict[str, Any], error: Any, duplicates: dict[str, list[str]] | None = None
) -> str:
    """The absolute pointer of a validator error (inside schemas its path is relative;
    `duplicates`: what `duplicate_parameters` found, each pointer given out once)."""
    parts = [str(p) for p in getattr(error, "absolute_path", [])]
    message = str(getattr(error, "message", error))
    duplicate = re.match(r"Duplicate parameter `?'?([^'`]*)'?`?$", message)
    if duplicate and duplicates and duplicates.get(duplicate.group(1)):
        return duplicates[duplicate.group(1)].pop(0)
    operation = re.search(r"for '(\w+)' (?:operation )?in '([^']*)'", message)
    if operation:
        return json_pointer(["paths", operation.group(2), operation.group(1)])
    if parts and parts[0] in TOP_LEVEL_KEYS:
        return json_pointer(parts)
    instance = getattr(error, "instance", None)
    if not parts and isinstance(instance, dict) and "openapi" in instance:
        return "/"
    for at, schema in document_schemas(document):
        if parts:
            found = resolve_pointer(schema, "#" + json_pointer(parts))
            if found == instance and found is not None:
                return json_pointer([*at, *parts])
        else:
            for key in ("default", "example"):
                if key in schema and schema[key] == instance:
                    return json_pointer([*at, key])
    return json_pointer(parts) + " (inside a schema; not located)"


def _describe(error: Any) -> str:
    """The validator's message without the dump of the object it checked."""
    text = str(getattr(error, "message", error)).split("\n\n")[0].strip()
    text = re.sub(r"^[\[{].*?[\]}] (is|has|should|does)\b", r"this object \1", text, flags=re.S)
    return text if len(text) <= 200 else text[:197] + "..."


def _unknown_keys(error: Any) -> list[str]:
    match = re.match(
        r"(Additional|Unevaluated) properties are not allowed \((.*) (was|were) unexpected\)",
        str(getattr(error, "message", "")),
    )
    return re.findall(r"'([^']*)'", match.group(2)) if match else []


def validator_findings(document: dict[str, Any], *, compiled: bool = True) -> list[Finding]:
    """openapi-spec-validator's report, as findings with absolute pointers (`compiled`: with
    the meta-schema checks compiled first, see `validator`)."""
    validator = spec_validator(document, compiled=compiled)
    findings, duplicates = [], duplicate_parameters(document)
    try:
        for error in validator.iter_errors():
            where = _locate(document, error, duplicates)
            keys = _unknown_keys(error)
            for key in keys:
                message = f"unknown key {key!r} (the generator ignores it)"
                findings.append(
                    Finding(f"{where}/{json_pointer([key])[1:]}", message, "unknown-key", False)
                )
            if not keys:
                findings.append(Finding(where, _describe(error), "invalid", True))
    except RecursionError as exc:
        raise PipelineError(
            "the spec nests too deeply (or its $refs loop) to be validated"
        ) from exc
    except Exception as exc:  # the validator can raise instead of reporting
        summary = " ".join(str(exc).split())[:160]
        findings.append(
            Finding("/", f"the validator failed: {type(exc).__name__}: {summary}", "invalid", True)
        )
    return findings


def inspect_spec(
    document: dict[str, Any], content_type_overrides: Mapping[str, str] | None = None
) -> list[Finding]:
    """Every finding for `document`: the pipeline's own checks, then the validator's
    (`content_type_overrides`: those of the generator's configuration)."""
    own, cleaned = lint(document)
    if any(f.code in ("dangling-ref", "external-ref", "bad-ref") for f in own):
        return own
    own += check_defaults(document, cleaned)
    own += check_operations(document, cleaned, content_type_overrides)
    return sorted(set(own) | set(validator_findings(cleaned)), key=lambda f: (not f.fatal, f))


def validate_openapi(
    document: dict[str, Any],
    label: str,
    *,
    strict: bool = False,
    content_type_overrides: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Return the warnings; raise `PipelineError` listing every error (warnings too if strict)."""
    findings = inspect_spec(document, content_type_overrides)
    errors = [f for f in findings if f.fatal or strict]
    if errors:
        lines = [f"  {f}" for f in errors[:MAX_LISTED]]
        if len(errors) > MAX_LISTED:
            lines.append(f"  ... and {len(errors) - MAX_LISTED} more")
        note = " (--strict: warnings count)" if strict and any(not f.fatal for f in errors) else ""
        raise PipelineError(f"{label}: not a usable OpenAPI document{note}:\n" + "\n".join(lines))
    return [f for f in findings if not f.fatal]
