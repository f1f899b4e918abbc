"""Helpers for the sandbox tests: posting clones and checking bodies against the spec."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from jsonschema import Draft202012Validator, FormatChecker

from uponai_devtools.sandbox import RunningSandbox

REPO = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO / "openapi.json"
CLONE = "/api/voices/clone"
DEFAULT_FIELDS = {"workspaceId": "42", "voiceProvider": "elevenlabs", "voiceName": "Test voice"}

FileSpec = tuple[str, bytes] | tuple[str, bytes, str]


def sha256(data: bytes) -> str:
    """Hex sha256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _nullable_to_type(schema: Any) -> Any:
    """Read OpenAPI 3.0 `nullable: true` as the generator does: null is allowed."""
    if isinstance(schema, dict):
        schema = {key: _nullable_to_type(value) for key, value in schema.items()}
        if schema.pop("nullable", False) and "type" in schema:
            schema["type"] = [schema["type"], "null"]
        return schema
    if isinstance(schema, list):
        return [_nullable_to_type(item) for item in schema]
    return schema


def voice_validator() -> Draft202012Validator:
    """A validator for the spec's `Voice` schema, nullable read as null-allowed."""
    spec = json.loads(SPEC_PATH.read_text())
    schema = _nullable_to_type(copy.deepcopy(spec["components"]["schemas"]["Voice"]))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def assert_valid_voice(body: Mapping[str, Any]) -> None:
    """The body validates against `Voice`; uri and date-time fields parse."""
    errors = sorted(voice_validator().iter_errors(dict(body)), key=str)
    assert not errors, [error.message for error in errors]
    url = urlparse(body["previewUrl"])
    assert url.scheme in ("http", "https")
    assert url.netloc
    for key in ("createdAt", "updatedAt"):
        if body.get(key) is not None:
            datetime.fromisoformat(body[key].replace("Z", "+00:00"))


def multipart_files(files: Sequence[FileSpec]) -> list[tuple[str, Any]]:
    """httpx `files=` entries, all under the spec's `files` field."""
    entries: list[tuple[str, Any]] = []
    for spec in files:
        name, data = spec[0], spec[1]
        content_type = spec[2] if len(spec) == 3 else "application/octet-stream"
        entries.append(("files", (name, data, content_type)))
    return entries


def clone(
    sandbox: RunningSandbox,
    files: Sequence[FileSpec],
    *,
    fields: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    auth: bool = True,
    timeout: float = 30,
) -> httpx.Response:
    """POST a clone request to the sandbox (with its token unless `auth=False`)."""
    all_headers = dict(sandbox.auth_headers) if auth else {}
    all_headers.update(headers or {})
    return httpx.post(
        sandbox.url + CLONE,
        data=dict(DEFAULT_FIELDS if fields is None else fields),
        files=multipart_files(files),
        headers=all_headers,
        timeout=timeout,
    )


def assert_error(
    response: httpx.Response, status: int, *, field: str | None = None
) -> dict[str, Any]:
    """A JSON error with this status (and naming `field`, when given); returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["message"]
    if field is not None:
        assert body.get("field") == field, body
    return body
