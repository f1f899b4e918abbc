"""The rules a clone request's fields are checked by, from their description (`_clone_request`).

Each kind has its rule (text, integer, number, boolean, enum, list, map); the spec's limits
(`maxLength`, `minimum`, `maxItems`, `pattern`, ...) apply on top, and where the spec is silent
the API's documented defaults stay (`Limits`: name, provider and reason lengths; ids are
positive 64-bit integers; the impersonation reason is required for the admin actor types).
Every problem names the field; a value that may be secret is never echoed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from ._clone_request import CLONE, CloneField, CloneRequest
from ._errors import Problem
from ._secret import Secret, as_secret

__all__ = [
    "ACTOR_TYPES",
    "ADMIN_ACTOR_TYPES",
    "INT64_MAX",
    "SECRET_FIELDS",
    "check_fields",
]

INT64_MAX = 2**63 - 1
_ACTOR = CLONE.field("actor_type")
ACTOR_TYPES: tuple[str, ...] = _ACTOR.choices if _ACTOR is not None else ()
"""The `X-Actor-Type` values, from the generated client in the spec's order."""
ADMIN_ACTOR_TYPES = tuple(a for a in ("platform_admin", "provider_admin") if a in ACTOR_TYPES)
"""Actor types that need an impersonation reason (the spec's description of
`X-Impersonation-Reason`: "when actor type is platform or provider admin")."""
_REASON = "impersonation_reason"
SECRET_FIELDS = frozenset({_REASON})
"""The fields whose values are `Secret`s from where they enter to where the header is built."""
_INVISIBLE = {"Cf", "Zs", "Zl", "Zp", "Cc", "Mn", "Me"}
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _header_safe(text: str) -> bool:
    """Printable ASCII (and tabs): what every HTTP stack sends unchanged in a header value."""
    return all(" " <= char <= "~" or char == "\t" for char in text)


def _one_line_text(value: str, what: str) -> str | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{what} is not valid Unicode text (it holds a lone surrogate)"
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value):
        return f"{what} must not contain control characters (line breaks, NUL, ESC)"
    if all(unicodedata.category(char) in _INVISIBLE for char in value):
        return f"{what} has no visible character (only zero-width or blank ones)"
    return None


def _text(item: CloneField, value: object, max_chars: int | None) -> tuple[Any, str | None]:
    body = item.location == "body"
    what = f"the voice {item.keyword.replace('_', ' ')} " if body else ""
    if not isinstance(value, str) or not value.strip():
        return None, f"{what}must not be empty or blank"
    text = value.strip()
    if not body and not _header_safe(value):
        return None, "must be one line of printable ASCII text (it is sent as an HTTP header)"
    found = _one_line_text(text, what.strip()) if body else None
    if found is not None:
        return None, found
    longest = item.limit("maxLength")
    limit = int(longest) if longest is not None else max_chars
    if limit is not None and len(text) > limit:
        return None, f"{what}is {len(text)} characters long, at most {limit} allowed"
    shortest = item.limit("minLength")
    if shortest is not None and len(text) < shortest:
        return None, f"must be at least {int(shortest)} characters long"
    pattern = item.limits.get("pattern")
    if isinstance(pattern, str) and re.search(pattern, text) is None:
        return None, f"must match the pattern {pattern}"
    return text, None


def _integer(item: CloneField, value: object) -> tuple[Any, str | None]:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        digits = value.strip()
        if re.fullmatch(r"-?[0-9]{1,19}", digits):
            number = int(digits)
    if item.keyword.endswith("_id") and (number is None or not 0 < number <= INT64_MAX):
        rule = f"must be a positive integer of at most {INT64_MAX} (a signed 64-bit id)"
        return None, f"{rule}, got {_short(value)}"
    if number is None:
        return None, f"must be an integer, got {_short(value)}"
    return _range(item, number)


def _number(item: CloneField, value: object) -> tuple[Any, str | None]:
    try:
        number = float(value) if not isinstance(value, bool) else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = None
    if number is None or number != number or number in (float("inf"), float("-inf")):
        return None, f"must be a number, got {_short(value)}"
    return _range(item, number)


def _range(item: CloneField, number: float) -> tuple[Any, str | None]:
    low, high = item.limit("minimum"), item.limit("maximum")
    if low is not None and number < low:
        return None, f"must be at least {low:g}, got {number:g}"
    if high is not None and number > high:
        return None, f"must be at most {high:g}, got {number:g}"
    return number, None


def _boolean(value: object) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return value, None
    text = str(value).strip().lower() if isinstance(value, str | int) else ""
    if text in _TRUE | _FALSE:
        return text in _TRUE, None
    return None, f"must be true or false, got {_short(value)}"


def _items(item: CloneField, values: list[Any]) -> str | None:
    most, least = item.limit("maxItems"), item.limit("minItems")
    if most is not None and len(values) > most:
        return f"{len(values)} items, at most {int(most)} allowed"
    if least is not None and len(values) < least:
        return f"{len(values)} items, at least {int(least)} needed"
    return None


def _list(item: CloneField, value: object) -> tuple[Any, str | None]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(";") if part.strip()]
    if not isinstance(value, list | tuple):
        return None, f"must be a list, got {_short(value)}"
    return list(value), _items(item, list(value))


def _map(item: CloneField, value: object) -> tuple[Any, str | None]:
    if isinstance(value, str | list | tuple):
        pairs = value.split(";") if isinstance(value, str) else value
        entries = [str(pair).partition("=") for pair in pairs if str(pair).strip()]
        if any(not sep or not key.strip() for key, sep, _ in entries):
            return None, "must be key=value pairs"
        value = {key.strip(): text.strip() for key, _, text in entries}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        return None, f"must be a mapping of names to values, got {_short(value)}"
    return dict(value), None


def _check(item: CloneField, value: object, max_chars: int | None) -> tuple[Any, str | None]:
    if item.kind == "enum":
        text = str(value.value if hasattr(value, "value") else value).strip()
        if text not in item.choices:
            return None, f"must be one of {', '.join(item.choices)}"
        return text, None
    if item.kind == "string":
        return _text(item, value, max_chars)
    if item.kind == "integer":
        return _integer(item, value)
    if item.kind == "number":
        return _number(item, value)
    if item.kind == "boolean":
        return _boolean(value)
    if item.kind == "list":
        return _list(item, value)
    if item.kind == "map":
        return _map(item, value)
    if not isinstance(value, Mapping):
        return None, f"must be a mapping, got {_short(value)}"
    return dict(value), None


def _what(item: CloneField) -> str:
    """What a value of the field looks like, in a few words."""
    if item.kind == "enum":
        return f"one of {', '.join(item.choices)}"
    if item.kind == "integer" and item.keyword.endswith("_id"):
        return "a positive integer"
    return {
        "string": "text",
        "integer": "an integer",
        "number": "a number",
        "boolean": "true or false",
        "list": "a list",
        "map": "key=value pairs",
    }.get(item.kind, "a mapping")


def check_fields(
    values: Mapping[str, object],
    max_chars: Mapping[str, int],
    request: CloneRequest = CLONE,
) -> tuple[dict[str, Any], list[Problem]]:
    """The checked values by keyword (text stripped, numbers parsed), and every problem.

    `max_chars` holds the documented length limits (by keyword) the spec does not state.
    """
    problems = [
        Problem(None, name, f"clone_voice takes no field {name!r} ({', '.join(request.keywords)})")
        for name in values
        if request.field(name) is None
    ]
    checked: dict[str, Any] = {}
    for item in request.fields:
        value = values.get(item.keyword)
        if value is None:
            if item.required:
                hint = f"required ({_what(item)})"
                problems.append(Problem(None, item.keyword, hint))
            continue
        good, problem = _check(item, _revealed(value), max_chars.get(item.keyword))
        if problem is not None:
            problems.append(Problem(None, item.keyword, problem))
        elif item.keyword in SECRET_FIELDS:
            checked[item.keyword] = Secret(good) if isinstance(good, str) else good
        else:
            checked[item.keyword] = good
    actor = checked.get("actor_type")
    if (
        actor in ADMIN_ACTOR_TYPES
        and _REASON not in checked
        and _REASON not in {p.field for p in problems}
    ):
        problems.append(
            Problem(
                None,
                _REASON,
                f"required when actor_type is {actor}: a clone is a privileged "
                "tenant-scoped request",
            )
        )
    return checked, problems


def secret_values(values: Mapping[str, object]) -> list[Secret]:
    """The values that must never be shown (the impersonation reason), as `Secret`s."""
    found = (values.get(name) for name in SECRET_FIELDS)
    return [as_secret(value) for value in found if isinstance(value, str | Secret) and value]


def _revealed(value: object) -> object:
    return value.reveal() if isinstance(value, Secret) else value
