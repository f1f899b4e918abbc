"""Operations and responses openapi-python-client 0.29.1 leaves out, each named where it happens.

The generator skips an operation whose request body it cannot send: a `$ref` chain of request
bodies that loops, or a body whose content types are all unsupported (or have no schema). The
client then has no function for it; in lenient mode that is a warning naming `METHOD /path` at
the key at fault, and `without_skipped_operations` gives the document as the client sees it (so
that a diff does not list such an operation as added). A response key that is neither a status
code, a range like `2XX` nor `default` is reported at the key itself (the validator reports it
at the `responses` object); the generator drops it, or reads a number like `20` as that status.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from email.message import Message
from pathlib import Path
from typing import Any

import yaml

from .lint import Finding, Parts, json_pointer
from .operations import HTTP_METHODS, operation_key

STATUS_KEY = re.compile(r"(default|[1-5]XX|[1-5][0-9]{2})")
SENDABLE = ("application/json", "multipart/form-data", "application/x-www-form-urlencoded")
SENDABLE_TEXT = (
    "JSON, multipart/form-data, application/x-www-form-urlencoded or application/octet-stream"
)
SKIPPED = "operation-skipped"
Overrides = Mapping[str, str] | None
PLACEHOLDER = {"description": "stands in for response keys reported by the pipeline"}


def _operations(document: dict[str, Any], top: str) -> list[tuple[str, str, dict[str, Any]]]:
    paths = document.get(top)
    found = []
    for path, item in paths.items() if isinstance(paths, dict) else ():
        for method in HTTP_METHODS if isinstance(item, dict) else ():
            if isinstance(item.get(method), dict):
                found.append((method, str(path), item[method]))
    return found


def _status_reading(key: str) -> str:
    """What the generator does with a response key that is not a status code."""
    if len(key) == 3 and key.endswith("XX") and key[0].isdigit():
        return f"the generator reads it as statuses {key[0]}00-{key[0]}99"
    try:
        code = int(key)
    except ValueError:
        return "the generator leaves this response out of the client"
    return (
        f"the generator reads it as status {code}, which no server answers"
        if not (100 <= code <= 599)
        else f"the generator reads it as status {code}"
    )


def _responses_of(document: dict[str, Any], top: str, path: str, method: str) -> dict[str, Any]:
    """The `responses` object of an operation (a throwaway one when it is not there)."""
    item = document.get(top, {}).get(path) if isinstance(document.get(top), dict) else None
    operation = item.get(method) if isinstance(item, dict) else None
    responses = operation.get("responses") if isinstance(operation, dict) else None
    return responses if isinstance(responses, dict) else {}


def check_status_keys(document: dict[str, Any], cleaned: dict[str, Any]) -> list[Finding]:
    """A finding at each response key that is not a status code, a range or `default`.

    A warning while the operation keeps a proper response, else an error (the client could
    read no answer). `cleaned` (the validator's copy) loses these keys, so the validator does not
    report them again at the parent.
    """
    findings = []
    for top in ("paths", "webhooks"):
        for method, path, operation in _operations(document, top):
            responses = operation.get("responses")
            if not isinstance(responses, dict):
                continue
            bad = [
                str(k)
                for k in responses
                if not STATUS_KEY.fullmatch(str(k)) and not str(k).startswith("x-")
            ]
            if not bad:
                continue
            fatal = len(bad) == len([k for k in responses if not str(k).startswith("x-")])
            twin = _responses_of(cleaned, top, path, method)
            for key in bad:
                message = (
                    f"{key!r} is not a status code ('200'), a range ('2XX') or 'default': "
                    f"{_status_reading(key)}"
                )
                if fatal:
                    message += f"; {operation_key(method, path)} has no other response"
                where = json_pointer((top, path, method, "responses", key))
                findings.append(Finding(where, message, "bad-status-code", fatal))
                twin.pop(key, None)
            if fatal:
                twin["default"] = dict(PLACEHOLDER)
    return findings


def _content_type(raw: str, overrides: Overrides) -> str | None:
    """The media type as the generator reads it (None when it cannot parse it)."""
    raw = str((overrides or {}).get(raw, raw))
    message = Message()
    message.add_header("Content-Type", raw)
    parsed = message.get_content_type()
    return parsed if raw.startswith(parsed) else None


def _body_problem(body: Any, at: Parts, overrides: Overrides) -> tuple[Parts, str] | None:
    """Why the generator can send none of a (resolved) request body's content, and where."""
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict) or not content:
        return None
    problems: list[tuple[Parts, str]] = []
    for raw, media in content.items():
        where = (*at, "content", str(raw))
        kind = _content_type(str(raw), overrides)
        if kind is None:
            problems.append((where, f"Invalid content type {raw!r}"))
        elif not isinstance(media, dict) or media.get("schema") is None:
            problems.append((where, f"the {raw} request body has no schema"))
        elif kind in (*SENDABLE, "application/octet-stream") or kind.endswith("+json"):
            return None
        else:
            why = f"Unsupported content type {kind} (the client sends only {SENDABLE_TEXT})"
            problems.append((where, why))
    return problems[0]


def _resolve_body(document: dict[str, Any], body: Any, at: Parts) -> tuple[Any, Parts, str | None]:
    """The request body as the generator finds it (by the last name of each `$ref` in
    `components/requestBodies`), where it is, and the loop when the chain has one."""
    components = document.get("components")
    bodies = components.get("requestBodies") if isinstance(components, dict) else None
    bodies = bodies if isinstance(bodies, dict) else {}
    seen: list[str] = []
    while isinstance(body, dict) and isinstance(body.get("$ref"), str):
        ref = body["$ref"]
        if ref in seen:
            return None, at, " -> ".join([*seen, ref])
        seen.append(ref)
        name = ref.rsplit("/", 1)[-1]
        body, at = bodies.get(name), ("components", "requestBodies", name)
    return body, at, None


def skipped_operations(
    document: dict[str, Any], overrides: Overrides = None
) -> list[tuple[str, str, Finding]]:
    """`(method, path, warning)` for each operation the generator leaves out of the client
    (`overrides`: the `content_type_overrides` of the generator's configuration)."""
    found = []
    for method, path, operation in _operations(document, "paths"):
        if "requestBody" not in operation:
            continue
        at: Parts = ("paths", path, method, "requestBody")
        body, body_at, loop = _resolve_body(document, operation["requestBody"], at)
        problem = (
            ((*at, "$ref"), f"Circular $ref in request body ({loop})")
            if loop is not None
            else _body_problem(body, body_at, overrides)
        )
        if problem is not None:
            where, why = problem
            message = (
                f"{operation_key(method, path)}: {why}; the generator leaves this operation "
                "out of the client"
            )
            found.append((method, path, Finding(json_pointer(where), message, SKIPPED, False)))
    return found


def check_operations(
    document: dict[str, Any], cleaned: dict[str, Any], overrides: Overrides = None
) -> list[Finding]:
    """Response keys at fault and operations the generator skips (see the module docstring)."""
    skipped = [finding for _, _, finding in skipped_operations(document, overrides)]
    return check_status_keys(document, cleaned) + skipped


def without_skipped_operations(
    document: dict[str, Any], overrides: Overrides = None
) -> dict[str, Any]:
    """A copy of `document` without the operations the generator leaves out (for the diff and
    the snapshot: the client has no function for them)."""
    skipped = skipped_operations(document, overrides)
    return without_operations(document, [operation_key(m, p) for m, p, _ in skipped])


def without_operations(document: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """A copy of `document` without the operations `keys` (`METHOD /path`) name."""
    if not keys:
        return document
    result = copy.deepcopy(document)
    for item_path, item in result.get("paths", {}).items():
        for method in list(item) if isinstance(item, dict) else ():
            if operation_key(method, item_path) in keys:
                item.pop(method)
    return result


def not_reported_yet(
    generator_warnings: list[str], document: dict[str, Any], overrides: Overrides = None
) -> list[str]:
    """The generator's warnings minus its own for the operations `skipped_operations` names
    (the spec warning says the same, with the key at fault)."""
    said = tuple(
        f"WARNING parsing {operation_key(m, p)} "
        for m, p, _ in skipped_operations(document, overrides)
    )
    return [w for w in generator_warnings if not said or not w.startswith(said)]


def content_type_overrides(config: Path) -> dict[str, str]:
    """The `content_type_overrides` of a generator configuration file (none when unreadable)."""
    try:
        loaded = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    found = loaded.get("content_type_overrides") if isinstance(loaded, dict) else None
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}
