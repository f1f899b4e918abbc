"""What a clone request's values must look like: names, ids, the reason header, MIME types.

Each rule raises an `ApiError` (422) naming the field or header; `validated_voice` and
`actor_context` in `clone.py` apply them, the receiver applies `check_mime_type` per file part.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import ApiError

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_MIME_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_PLAIN_MIME = re.compile(f"{_MIME_NAME}/{_MIME_NAME}")
_LINE_BREAKING = frozenset({"Cc", "Zl", "Zp", "Cs"})
"""Unicode categories refused anywhere in a name: C0/C1 controls, line/paragraph separators."""


def int64(text: str, name: str, kind: str) -> int:
    """An integer as the spec types it (signed 64-bit, ASCII digits), or a 422 naming `name`."""
    stripped = text.strip()
    value = int(stripped) if _INTEGER.fullmatch(stripped) else None
    if value is None or not INT64_MIN <= value <= INT64_MAX:
        raise ApiError(
            422,
            f"invalid_{kind}",
            f"{kind} {name!r} must be a signed 64-bit integer, got {text[:40]!r}",
            field=name,
        )
    return value


def _invisible(char: str) -> bool:
    """Whitespace or a format character (zero-width space/joiners, BOM, word joiner...)."""
    return char.isspace() or unicodedata.category(char) == "Cf"


def text_field(value: str, name: str, max_chars: int) -> str:
    """A name-like form field: at most `max_chars` characters as sent, no control or line-break
    characters, not only whitespace / zero-width characters; returned stripped."""
    if len(value) > max_chars:
        raise ApiError(
            422,
            "invalid_field",
            f"form field {name!r} exceeds {max_chars} characters ({len(value)})",
            field=name,
        )
    for char in value:
        if unicodedata.category(char) in _LINE_BREAKING:
            raise ApiError(
                422,
                "invalid_field",
                f"form field {name!r} contains a control character (U+{ord(char):04X})",
                field=name,
            )
    if all(_invisible(char) for char in value):
        raise ApiError(
            422,
            "invalid_field",
            f"form field {name!r} is blank (only whitespace or zero-width characters)",
            field=name,
        )
    return value.strip()


def impersonation_reason(value: str, max_chars: int) -> str:
    """The X-Impersonation-Reason header: printable ASCII (and tabs), at most `max_chars`."""
    header = "X-Impersonation-Reason"
    if len(value) > max_chars:
        raise ApiError(
            422,
            "invalid_header",
            f"header {header!r} exceeds {max_chars} characters ({len(value)})",
            field=header,
        )
    if not all(char == "\t" or " " <= char <= "~" for char in value):
        raise ApiError(
            422,
            "invalid_header",
            f"header {header!r} must be printable ASCII",
            field=header,
        )
    return value


def is_plain_mime_type(value: str) -> bool:
    """`type/subtype` only (RFC 6838 names): no parameters, spaces or line breaks."""
    return _PLAIN_MIME.fullmatch(value) is not None
