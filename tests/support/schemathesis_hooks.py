"""Schemathesis hooks for the sandbox run, loaded through `SCHEMATHESIS_HOOKS`.

The spec leaves out rules the API enforces, so most schema-valid data would be rightly rejected
and the run would hardly exercise a 201. `before_load_schema` adds them to the in-memory schema:

* names must not be blank and at least one file is needed (`minLength`, `pattern`, `minItems`),
  so blank names and empty file lists become *negative* cases the sandbox must reject;
* files must be audio: an `example` WAV (ASCII-only bytes, so it survives being sent as text)
  for the examples and coverage phases, and `map_body` puts a WAV header in front of the bytes
  schemathesis generates for files during fuzzing. Schemathesis judges binary values opaque,
  so this changes no case from negative to positive or back.
* platform/provider admins need an impersonation reason: `map_headers` adds one to generated
  admin headers that lack it.

Two kinds of generated cases are skipped (see `filter_case`), because what goes on the wire is
valid data, so a 201 is right:

* the coverage phase's "header object with unexpected properties" (an extra
  `x-schemathesis-unknown-property` header). HTTP recipients ignore header fields they do not
  recognise (RFC 9110, section 5.1); schemathesis means to exempt it but cannot when integer
  headers travel as text;
* fuzzing cases whose only mutation changes the `type` of a string field of the multipart body
  (`voiceName`, `voiceProvider`). Every multipart text part is a string on the wire: the array
  `[7.29e-63]` arrives as the text "[7.29e-63]", a valid name. Schemathesis exempts the same
  situation for path and query parameters, not yet for multipart text parts.

Everything happens while data is generated; nothing is changed after schemathesis has recorded
what it generated, so each case is judged by what is actually sent.
"""

from __future__ import annotations

import struct
from collections.abc import MutableMapping
from typing import Any

import schemathesis

CLONE_PATH = "/api/voices/clone"
_ADMINS = ("platform_admin", "provider_admin")
# A RIFF/WAVE header (mono, 16 kHz, 16-bit PCM) whose sizes are filled in per file.
_FMT_CHUNK = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)


def as_wav(data: bytes) -> bytes:
    """Wrap arbitrary bytes as the sample data of a WAV file."""
    padded = data + (b"\x00" if len(data) % 2 else b"")
    riff = b"WAVE" + _FMT_CHUNK + b"data" + struct.pack("<I", len(padded)) + padded
    return b"RIFF" + struct.pack("<I", len(riff)) + riff


def ascii_wav(frames: int = 64) -> str:
    """A tiny 8 kHz 8-bit mono WAV whose every byte is ASCII (< 0x80), as text."""
    data = bytes([0x7F - (i % 8) for i in range(frames)])
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 8000, 1, 8)
    riff = b"WAVE" + fmt + b"data" + struct.pack("<I", len(data)) + data
    wav = b"RIFF" + struct.pack("<I", len(riff)) + riff
    assert max(wav) < 0x80
    return wav.decode("ascii")


@schemathesis.hook
def before_load_schema(ctx: Any, raw_schema: dict[str, Any]) -> None:
    """Add the rules the API enforces but the spec does not state (see the module docstring)."""
    media = raw_schema["paths"][CLONE_PATH]["post"]["requestBody"]["content"]["multipart/form-data"]
    properties = media["schema"]["properties"]
    for name, example in (("voiceName", "Sandbox voice"), ("voiceProvider", "elevenlabs")):
        properties[name].update(minLength=1, pattern=r"\S", example=example)
    properties["workspaceId"]["example"] = 1
    sample = ascii_wav()
    properties["files"].update(minItems=1, example=[sample])
    properties["files"]["items"]["example"] = sample


def _wav_file(item: Any) -> Any:
    """A generated file with a WAV header, in the same wrapper type; anything else unchanged.

    Schemathesis hands binary data over in a `str` subclass holding `.data` (`bytes`).
    """
    data = getattr(item, "data", None)
    if isinstance(item, str) and isinstance(data, bytes) and not data.startswith(b"RIFF"):
        return type(item)(as_wav(data))  # type: ignore[call-arg]  # the wrapper takes bytes
    return item


@schemathesis.hook
def map_body(ctx: Any, body: Any) -> Any:
    """Put a WAV header in front of every generated file (only files, nothing else)."""
    if isinstance(body, MutableMapping) and isinstance(body.get("files"), list):
        body = dict(body)
        body["files"] = [_wav_file(item) for item in body["files"]]
    return body


@schemathesis.hook
def map_headers(ctx: Any, headers: Any) -> Any:
    """Give generated platform/provider admin actors the reason the API requires."""
    if not isinstance(headers, MutableMapping) or headers.get("X-Actor-Type") not in _ADMINS:
        return headers
    reason = headers.get("X-Impersonation-Reason", "")
    if isinstance(reason, str) and not reason.strip():
        headers = dict(headers)
        headers["X-Impersonation-Reason"] = "schemathesis run"
    return headers


def _is_unknown_header_probe(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    data = getattr(getattr(meta, "phase", None), "data", None)
    scenario = getattr(getattr(data, "scenario", None), "value", None)
    location = getattr(getattr(data, "parameter_location", None), "value", None)
    return scenario == "object_unexpected_properties" and location == "header"


_TEXT_PARTS = frozenset({"/properties/voiceName", "/properties/voiceProvider"})


def _is_text_part_type_change(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    mutations = getattr(getattr(getattr(meta, "phase", None), "data", None), "mutations", ())
    if not mutations:
        return False
    for mutation in mutations:
        if (
            getattr(mutation.operator, "value", None) != "change_type"
            or getattr(mutation.parameter_location, "value", None) != "body"
            or mutation.schema_pointer not in _TEXT_PARTS
        ):
            return False
    components = getattr(meta, "components", {}) or {}
    return not any(
        getattr(location, "value", None) != "body" and info.mode.is_negative
        for location, info in components.items()
    )


@schemathesis.hook
def filter_case(ctx: Any, case: Any) -> bool:
    """Skip the cases that are valid once on the wire (see the module docstring)."""
    return not (_is_unknown_header_probe(case) or _is_text_part_type_change(case))
