"""`call` / `call_async`: any generated operation, with the SDK's guarantees.

    >>> from uponai_client.api.voices import get_voice
    >>> voice = uw.call(connection, get_voice, voice_id="v_1")

The operation's own keywords are checked before anything is sent (`ValidationError`); the
request goes through the one runtime (the connection's `RetryPolicy`, typed errors with
secrets redacted, timeouts by kind, one HTTP client per event loop); the result is the parsed
body of a 2xx the spec documents (None for a body-less one such as 204).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from typing import Any, TypeVar

import httpx

from uponai_client import AuthenticatedClient

from . import _generated
from ._connection import Connection, as_connection, effective_timeout
from ._errors import Problem, ValidationError, redact
from ._generated import Operation
from ._runtime import Exchange, send, send_async
from ._secret import Secret, revealed, wrap_secrets

__all__ = ["call", "call_async", "operation_exchange"]

T = TypeVar("T")

_SECRET_ARGUMENT = re.compile(r"impersonation_reason|token|secret|password|api_key", re.I)
"""Argument names whose values are redacted from errors like the token."""


def _protect(arguments: dict[str, Any]) -> None:
    """Wrap, in place, the text arguments whose name says they are secret as `Secret`s."""
    wrap_secrets(arguments, {name for name in arguments if _SECRET_ARGUMENT.search(name)})


def _secrets(connection: Connection, arguments: Mapping[str, Any]) -> tuple[Secret, ...]:
    found = [value for value in arguments.values() if isinstance(value, Secret) and value]
    return (connection.token, *found)


def _problems(operation: object, arguments: Mapping[str, Any]) -> list[Problem]:
    """Missing and unknown keywords, named (the generated function would say only one)."""
    parameters = _generated.operation_parameters(operation)
    label = _generated.operation_label(operation)
    problems = [
        Problem(None, name, f"{label} takes no argument {name!r}")
        for name in arguments
        if name not in parameters
    ]
    problems += [
        Problem(None, name, f"{label} needs {name}=...")
        for name, parameter in parameters.items()
        if parameter.default is inspect.Parameter.empty and name not in arguments
    ]
    return problems


class _Files:
    """File payloads of a multipart request: rewound for each attempt when they can be.

    It keeps the first attempt's arguments, built while validating, for that attempt (no
    repr: their headers hold the revealed secrets).
    """

    def __init__(self, built: dict[str, Any]) -> None:
        self.first: dict[str, Any] | None = built
        self.method: str = built["method"]
        self.upload = "files" in built
        self.starts: list[tuple[Any, int | None]] = []
        for _name, value in built.get("files") or []:
            payload = value[1] if isinstance(value, tuple) and len(value) > 1 else value
            if isinstance(payload, bytes | str):
                continue
            try:
                self.starts.append((payload, payload.tell() if payload.seekable() else None))
            except (AttributeError, OSError):
                self.starts.append((payload, None))

    def rewind(self) -> None:
        for payload, start in self.starts:
            if start is not None:
                payload.seek(start)

    def blocker(self) -> str | None:
        if any(start is None for _payload, start in self.starts):
            return "a file in the request is a stream that cannot be rewound"
        return None


def operation_exchange(
    connection: Connection | AuthenticatedClient,
    operation: object,
    arguments: Mapping[str, Any],
    timeout: float | httpx.Timeout | None,
) -> Exchange[Any]:
    """The request `call` sends, validated (nothing is sent when the arguments are wrong)."""
    arguments = dict(arguments)
    _protect(arguments)
    conn = as_connection(connection)
    if not _generated.is_operation(operation):
        problem = (
            "must be a generated operation module, for example "
            "`from uponai_client.api.voices import clone_voice`, "
            f"not {type(operation).__name__}"
        )
        raise ValidationError([Problem(None, "operation", problem)])
    problems = _problems(operation, arguments)
    if problems:
        raise ValidationError(problems)
    label = _generated.operation_label(operation)
    secrets = _secrets(conn, arguments)
    try:
        files = _Files(_generated.build_arguments(operation, revealed(arguments)))
    except Exception as exc:  # a value of the wrong kind, found by the generated code
        detail = redact(f"{type(exc).__name__}: {exc}", secrets)
        raise ValidationError([Problem(None, "arguments", f"{label}: {detail}")]) from None
    call_timeout = effective_timeout(timeout, conn.timeout, upload=files.upload)

    def build() -> dict[str, Any]:
        ready, files.first = files.first, None
        if ready is not None:
            return ready
        files.rewind()
        return _generated.build_arguments(operation, revealed(arguments))

    return Exchange(
        connection=conn,
        label=label,
        method=files.method,
        build=build,
        parse=lambda response: _generated.parse_success(operation, response),
        timeout=call_timeout,
        secrets=secrets,
        replay_blocker=files.blocker,
        upload=files.upload,
    )


def call(
    connection: Connection | AuthenticatedClient,
    operation: Operation[T],
    /,
    *,
    timeout: float | httpx.Timeout | None = None,
    **arguments: Any,
) -> T:
    """Send one request of a generated operation and return its parsed 2xx body.

    `operation` is a generated module (`from uponai_client.api.voices import get_voice`);
    `arguments` are its own keywords (path, query and header parameters, `body`). Returns what
    the spec documents for the 2xx status that came back (None for a body-less answer).
    `timeout` (seconds or `httpx.Timeout`) is for this call only: by default uploads wait up to
    `UPLOAD_TIMEOUT`, everything else `DEFAULT_TIMEOUT`.

    Raises:
        ValidationError: a keyword is unknown, missing or of the wrong kind (nothing sent).
        APIStatusError: the API answered a non-2xx status (a subclass names the common ones).
        OutcomeUnknownError: a POST or PATCH may have been carried out; it is not resent.
        APIConnectionError: no usable answer after the retries the policy allows.
        UnexpectedResponseError: a 2xx the spec does not document, or a body it cannot parse.
    """
    _protect(arguments)
    result: T = send(operation_exchange(connection, operation, arguments, timeout))
    return result


async def call_async(
    connection: Connection | AuthenticatedClient,
    operation: Operation[T],
    /,
    *,
    timeout: float | httpx.Timeout | None = None,
    **arguments: Any,
) -> T:
    """Async `call` (same arguments), on the running event loop's own HTTP client."""
    _protect(arguments)
    exchange = operation_exchange(connection, operation, arguments, timeout)
    result: T = await send_async(exchange)
    return result
