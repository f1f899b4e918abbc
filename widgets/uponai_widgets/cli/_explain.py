"""How `uponai-voices` reports an error: one message in the command's own words, a hint saying
what to check, and with ``--json`` the same as one JSON object on stdout.

The JSON shape is stable: ``{"error": {"type", "message", "hint", "exit_status",
"http_status", "request_id", "code", "problems"}}``, every key always present (null or an empty
list when it does not apply). `type` is the SDK's error class (``AuthenticationError``,
``NotFoundError``, ...), ``UsageError`` for bad input or usage, ``Interrupted`` for Ctrl-C.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from .. import (
    APIConnectionError,
    AuthenticationError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    UponAIError,
    ValidationError,
)
from .._clone_request import CLONE
from .._connection import BASE_URL_VARIABLE, DEFAULT_BASE_URL
from ._errors import FAILED, INTERRUPTED, USAGE, CliError, exit_status_for
from ._output import shown

__all__ = ["Explained", "base_url_in_use", "cli_words", "explain", "report"]

_OPTIONS = {item.keyword: item.option for item in CLONE.fields}
_SDK_KEY_ADVICE = re.compile(r"\s*Check UPONAI_API_KEY \(or the token passed to connect\(\)\)\.")
"""The SDK's advice after a 401, in Python's words; the command gives its own hint."""


@dataclass(frozen=True)
class Explained:
    """An error as the command reports it."""

    type: str
    message: str
    exit_status: int
    hint: str | None = None
    http_status: int | None = None
    request_id: str | None = None
    code: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    multiline: bool = False
    """The command's own message of several lines (a server's text never keeps its newlines)."""

    def to_json(self) -> dict[str, Any]:
        """``{"error": {...}}`` with every key of the stable shape."""
        return {
            "error": {
                "type": self.type,
                "message": self.message,
                "hint": self.hint,
                "exit_status": self.exit_status,
                "http_status": self.http_status,
                "request_id": self.request_id,
                "code": self.code,
                "problems": self.problems,
            }
        }


def cli_words(text: str) -> str:
    """An SDK message without its advice in Python's words (`connect()`, ``token=``)."""
    return _SDK_KEY_ADVICE.sub("", text)


def base_url_in_use(option: str | None) -> str:
    """The API address the command talks to: --base-url, else UPONAI_BASE_URL, else the default."""
    return (option or os.environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL).strip()


def _validation(error: ValidationError) -> Explained:
    problems = []
    lines = []
    for problem in error.problems:
        where = (
            f"sample {problem.sample!r}"
            if problem.sample is not None
            else _OPTIONS.get(problem.field, problem.field)
        )
        lines.append(f"{where}: {problem.message}")
        problems.append(
            {
                "sample": problem.sample,
                "option": _OPTIONS.get(problem.field),
                "field": problem.field,
                "message": problem.message,
            }
        )
    count = len(lines)
    message = f"nothing was sent: {count} problem{'s' if count != 1 else ''}:\n  " + "\n  ".join(
        lines
    )
    return Explained(type(error).__name__, message, USAGE, problems=problems, multiline=True)


def _hint(error: UponAIError, base_url: str) -> str | None:
    if isinstance(error, OutcomeUnknownError):
        return "The voice may exist: check the workspace's voices before cloning it again."
    if isinstance(error, AuthenticationError):
        return (
            "The API refused the key: check UPONAI_API_KEY (the command reads the key only "
            f"from it) and that it belongs to the API at {base_url}."
        )
    if isinstance(error, NotFoundError):
        return (
            f"No such address or resource: check --base-url / {BASE_URL_VARIABLE} (now "
            f"{base_url}): does the URL include the API's base path? Give the address the "
            f"API's paths start from (the default is {DEFAULT_BASE_URL})."
        )
    if isinstance(error, PermissionDeniedError):
        return (
            "The key may not do this: check --actor-type, --tenant-id and, for an admin, "
            "--impersonation-reason / UPONAI_IMPERSONATION_REASON."
        )
    if isinstance(error, APIConnectionError):
        return f"Is the API reachable at {base_url}? Check --base-url / {BASE_URL_VARIABLE}."
    return None


def explain(error: BaseException, *, base_url: str) -> Explained:
    """`error` in the command's words, with a hint and its exit status."""
    if isinstance(error, KeyboardInterrupt):
        return Explained("Interrupted", "interrupted", INTERRUPTED)
    if isinstance(error, CliError):
        kind = "UsageError" if error.status == USAGE else "CommandError"
        return Explained(kind, error.message, error.status, multiline=True)
    if isinstance(error, ValidationError):
        return _validation(error)
    if isinstance(error, UponAIError):
        message = error.message
        if isinstance(error, AuthenticationError):
            message = cli_words(message)
        details = [f"HTTP {error.status}"] if error.status is not None else []
        if error.request_id:
            details.append(f"request id {error.request_id}")
        if details:
            message = f"{message} ({', '.join(details)})"
        return Explained(
            type(error).__name__,
            message,
            exit_status_for(error),
            hint=_hint(error, base_url),
            http_status=error.status,
            request_id=error.request_id,
            code=error.code,
        )
    if isinstance(error, OSError | ValueError | TypeError):
        return Explained("UsageError", str(error), USAGE)
    return Explained(type(error).__name__, f"unexpected {type(error).__name__}: {error}", FAILED)


def report(explained: Explained, *, as_json: bool) -> int:
    """Print `explained` (stderr; with `as_json` also the JSON object on stdout); its status."""
    if as_json:
        print(json.dumps(explained.to_json(), indent=2, ensure_ascii=True))
    if explained.type != "Interrupted":
        message = shown(explained.message, keep_newlines=explained.multiline)
        print(f"error: {message}", file=sys.stderr)
    else:
        print("\ninterrupted", file=sys.stderr)
    if explained.hint:
        print(f"hint: {shown(explained.hint)}", file=sys.stderr)
    return explained.exit_status
