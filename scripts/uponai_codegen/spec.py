"""Load an OpenAPI document and check it is one, with messages that name the problem's place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

from . import PipelineError


def json_pointer(parts: list[Any] | tuple[Any, ...]) -> str:
    """Render a path into the document as a JSON pointer (`/paths/~1api~1voices/post`)."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "/" + "/".join(escaped) if parts else "/"


def load_spec(path: Path) -> dict[str, Any]:
    """Read `path` as JSON; raise `PipelineError` naming the file, line and column when it is not."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PipelineError(f"{path}: cannot read the spec: {exc.strerror or exc}") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PipelineError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    if not isinstance(document, dict):
        raise PipelineError(
            f"{path}: the spec must be a JSON object, not {type(document).__name__}"
        )
    return document


def validate_openapi(document: dict[str, Any], path: Path) -> None:
    """Raise `PipelineError` with the JSON pointer of the first problem if this is no OpenAPI 3 document."""
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith(("3.0", "3.1")):
        raise PipelineError(
            f"{path}: /openapi: expected an OpenAPI 3.0 or 3.1 version string, found {version!r}"
        )
    validator_class = (
        OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    )
    errors = validator_class(document).iter_errors()
    try:
        first = next(iter(errors), None)
    except Exception as exc:
        summary = " ".join(str(exc).split())[:200]
        raise PipelineError(
            f"{path}: not a valid OpenAPI document: {type(exc).__name__}: {summary}"
        ) from exc
    if first is not None:
        where = json_pointer(list(getattr(first, "absolute_path", [])))
        message = str(getattr(first, "message", first)).splitlines()[0]
        raise PipelineError(f"{path}: {where}: not a valid OpenAPI document: {message}")
