"""The adapter: the only hand-written module that touches the generated client's internals.

openapi-python-client writes, in every operation module, `_get_kwargs(**arguments)` (the
request as httpx arguments) and `_parse_response(client=..., response=...)` (the documented
statuses parsed into models), and keeps its httpx clients in private attributes of
`Client` / `AuthenticatedClient`. The SDK sends every request itself (retries, progress, typed
errors), so it needs exactly those parts; they are reached from here and nowhere else.
`tests/codegen/test_adapter.py` runs these functions against every corpus fixture's freshly
generated package, so a generator upgrade that changes them fails a test, not a user.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

import attrs
import httpx

from uponai_client import models as _models
from uponai_client._clone_fields import CloneResult, CloneVoiceFields
from uponai_client._spec import SPEC_TITLE, SPEC_VERSION

from ._secret import Secret

__all__ = [
    "SPEC_TITLE",
    "SPEC_VERSION",
    "CloneResult",
    "CloneVoiceFields",
    "Operation",
    "UndocumentedStatus",
    "base_url",
    "build_arguments",
    "clone_contract",
    "close_async",
    "close_sync",
    "copy_client",
    "field_types",
    "fresh_connections_copy",
    "is_operation",
    "is_unset",
    "operation_label",
    "operation_parameters",
    "parse_success",
    "result_types",
    "set_token",
    "uses_default_tls",
]

T_co = TypeVar("T_co", covariant=True)
C = TypeVar("C", bound=attrs.AttrsInstance)


class _Answer(Protocol[T_co]):
    """What the generated `Response[T]` holds that matters to typing: the parsed body."""

    @property
    def parsed(self) -> T_co | None:
        """The parsed body."""


class Operation(Protocol[T_co]):
    """A generated operation module (`from uponai_client.api.voices import clone_voice`).

    Type checkers match a module against this protocol by its `sync_detailed` function (every
    operation has one), so `call(connection, get_voice, ...)` is typed as its parsed body.
    """

    @property
    def sync_detailed(self) -> typing.Callable[..., _Answer[T_co]]:
        """The generated blocking function (the SDK reads its signature, never calls it)."""


class UndocumentedStatus(Exception):
    """The answer's status is not one the spec documents for the operation."""


class _StrictClient:
    """What `_parse_response` reads of a client: undocumented statuses raise."""

    raise_on_unexpected_status = True


_STRICT = _StrictClient()


def is_operation(value: object) -> bool:
    """True for a generated operation module."""
    return isinstance(value, types.ModuleType) and all(
        callable(getattr(value, name, None))
        for name in ("_get_kwargs", "_parse_response", "sync_detailed")
    )


def operation_label(operation: object) -> str:
    """The operation's module name (`list_voices`), for messages and logs."""
    return str(getattr(operation, "__name__", repr(operation))).rsplit(".", 1)[-1]


@functools.lru_cache(maxsize=1024)
def _signature(function: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(function)  # immutable: shared by every call of the operation


def operation_parameters(operation: Any) -> Mapping[str, inspect.Parameter]:
    """The operation's own keywords (path, query, header parameters and `body`)."""
    return _signature(operation._get_kwargs).parameters


def build_arguments(operation: Any, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """httpx request arguments (`method`, `url`, `params`, `json`, `files`, `headers`, ...).

    Raises `TypeError` for arguments the operation does not take (or misses), and whatever
    the generated code raises for a value of the wrong kind.
    """
    get_kwargs = operation._get_kwargs
    _signature(get_kwargs).bind(**arguments)
    built: dict[str, Any] = get_kwargs(**arguments)
    built["method"] = str(built["method"]).upper()
    built.setdefault("headers", {})
    return built


def parse_success(operation: Any, response: httpx.Response) -> Any:
    """The parsed body of a 2xx answer the spec documents (None for a body-less one).

    Raises `UndocumentedStatus` for a status the spec does not document, and whatever the
    generated model raises for a body that does not match it.
    """
    parse = operation._parse_response
    errors = getattr(operation, "errors", None)
    unexpected = getattr(errors, "UnexpectedStatus", None)
    try:
        return parse(client=_STRICT, response=response)
    except Exception as exc:
        if unexpected is not None and isinstance(exc, unexpected):
            raise UndocumentedStatus(response.status_code) from None
        raise


def is_unset(value: object) -> bool:
    """True for the generated `UNSET` (of any generated package): a field the answer lacked."""
    return type(value).__name__ == "Unset" and not value


def result_types(operation: Any) -> list[Any]:
    """The types `sync_detailed`'s parsed body may have (`Response[X | Y]`: [X, Y]): the
    documented 2xx models, and the error models the generator unions in beside them."""
    hints = typing.get_type_hints(operation.sync_detailed)
    arguments = typing.get_args(hints.get("return", Any))
    returned = arguments[0] if arguments else Any
    if typing.get_origin(returned) in (typing.Union, types.UnionType):
        return [arg for arg in typing.get_args(returned) if arg is not type(None)]
    return [returned]


def clone_contract() -> tuple[types.ModuleType, tuple[dict[str, Any], ...], dict[str, Any]]:
    """(the clone operation module, its fields, its samples field) as the pipeline wrote them
    from the spec into `_clone_fields.py` (see `scripts/uponai_codegen/clone_contract.py`)."""
    contract = importlib.import_module("uponai_client._clone_fields")
    operation = importlib.import_module(f"uponai_client.{contract.OPERATION_MODULE}")
    fields = tuple(dict(field) for field in contract.FIELDS)
    return operation, fields, dict(contract.SAMPLES)


def field_types(operation: Any) -> tuple[type, dict[str, Any], dict[str, Any]]:
    """(the body model, its attribute types, the header keywords' types) of an operation with a
    `body`; `Unset` is left out of each type."""
    headers = typing.get_type_hints(operation._get_kwargs)
    body = _without_unset(headers.pop("body"))
    headers.pop("return", None)
    namespace = {
        **vars(importlib.import_module("uponai_client.types")),
        **vars(_models),
        **vars(importlib.import_module(body.__module__)),
    }
    attributes = typing.get_type_hints(body, globalns=namespace)
    return (
        body,
        {name: _without_unset(kind) for name, kind in attributes.items()},
        {name: _without_unset(kind) for name, kind in headers.items()},
    )


def _without_unset(kind: Any) -> Any:
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(kind) if getattr(m, "__name__", "") != "Unset"]
        return members[0] if len(members) == 1 else typing.Union[tuple(members)]  # noqa: UP007
    return kind


# The generated client's private state.


def base_url(client: Any) -> str:
    """The client's base URL."""
    return str(client._base_url)


def set_token(client: Any, token: Secret) -> None:
    """Replace a client's token in place, in the HTTP clients it already built too: where the
    `Authorization` header is built, so the one place the token is revealed."""
    client.token = token.reveal()
    if client.auth_header_name in client._headers:
        client._headers[client.auth_header_name] = _authorization(client, token)
    for http in (client._client, client._async_client):
        if http is not None:
            http.headers[client.auth_header_name] = _authorization(client, token)


def _authorization(client: Any, token: Secret) -> str:
    return f"{client.prefix} {token.reveal()}" if client.prefix else token.reveal()


def copy_client(client: C, **changes: Any) -> C:
    """The same settings in a new client object with no HTTP client built yet."""
    copied: C = attrs.evolve(client, **changes)  # type: ignore[misc]  # generated attrs classes
    return copied


def fresh_connections_copy(client: C) -> C | None:
    """A copy of `client` whose HTTP clients keep no idle connection (each request opens its
    own), for uploads over plain HTTP; None for HTTPS, or when the HTTP stack is the caller's
    (a transport or mounts in its `httpx_args`, or an httpx client already set)."""
    given = client._httpx_args  # type: ignore[attr-defined]
    if (
        not str(client._base_url).startswith("http://")  # type: ignore[attr-defined]
        or client._client is not None  # type: ignore[attr-defined]
        or client._async_client is not None  # type: ignore[attr-defined]
        or "transport" in given
        or "mounts" in given
    ):
        return None
    limits = given.get("limits") or httpx.Limits()
    fresh = httpx.Limits(
        max_connections=limits.max_connections,
        max_keepalive_connections=0,
        keepalive_expiry=limits.keepalive_expiry,
    )
    return copy_client(client, httpx_args={**given, "limits": fresh})


def uses_default_tls(client: Any) -> bool:
    """True when the client verifies TLS with httpx's default settings."""
    return client._verify_ssl is True


def close_sync(client: Any) -> None:
    """Close the client's sync HTTP client, if it built one."""
    if client._client is not None:
        client._client.close()


async def close_async(client: Any) -> None:
    """Close the client's own async HTTP client, if it built one."""
    if client._async_client is not None:
        await client._async_client.aclose()
