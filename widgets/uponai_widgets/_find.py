"""`find_voices`: the voices of a workspace with a given name, when the spec can list them.

The SDK looks for the operation in the generated client (`uponai_client.api`): a GET that
takes a workspace id and a name filter and answers voices (a page of them or a list). With a
spec that has none, `find_voices` raises `OperationUnavailableError` saying so, and batches
cannot settle unknown outcomes (`clone_voices(..., reconcile=True)` refuses before sending).
"""

from __future__ import annotations

import datetime
import functools
import importlib
import pkgutil
import types
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from uponai_client import AuthenticatedClient
from uponai_client.models import Voice

from . import _generated
from ._connection import Connection
from ._errors import OperationUnavailableError
from ._pages import page_pattern, paginate, paginate_async

__all__ = [
    "CLOCK_SKEW",
    "find_voices",
    "find_voices_async",
    "require_voice_listing",
    "voice_listing",
]

_WORKSPACE = ("workspace_id",)
_NAME = ("name", "voice_name", "search", "q", "query")

CLOCK_SKEW = datetime.timedelta(seconds=60)
"""How far the API's clock may be behind this machine's when comparing creation times."""


def _voice_items(operation: object) -> bool:
    pattern = page_pattern(operation)
    if pattern is None:
        return False
    for field in getattr(pattern.model, "__attrs_attrs__", ()):
        if field.name == pattern.items:
            return str(field.type).replace(" ", "") in {"list[Voice]", "list['Voice']"}
    return False


def _listing_arguments(operation: object) -> tuple[str, str] | None:
    """(workspace keyword, name keyword) when `operation` lists a workspace's voices by name."""
    parameters = _generated.operation_parameters(operation)
    workspace = next((name for name in _WORKSPACE if name in parameters), None)
    name = next((name for name in _NAME if name in parameters), None)
    if workspace is None or name is None or not _voice_items(operation):
        return None
    required = {n for n, p in parameters.items() if p.default is p.empty}
    if not required <= {workspace, name}:
        return None
    try:
        built = _generated.build_arguments(operation, {workspace: 1, name: "probe"})
    except Exception:  # an operation that cannot be probed is not the one
        return None
    return (workspace, name) if built["method"] == "GET" else None


def _operations(package: types.ModuleType) -> Iterator[types.ModuleType]:
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not info.ispkg:
            module = importlib.import_module(info.name)
            if _generated.is_operation(module):
                yield module


@functools.cache
def voice_listing(api: types.ModuleType | None = None) -> tuple[types.ModuleType, str, str] | None:
    """(operation, workspace keyword, name keyword) of the generated client's operation that
    lists a workspace's voices by name, or None when its spec has none. `api` defaults to
    `uponai_client.api`."""
    package = api or importlib.import_module("uponai_client.api")
    for operation in _operations(package):
        keywords = _listing_arguments(operation)
        if keywords is not None:
            return operation, *keywords
    return None


def require_voice_listing(
    api: types.ModuleType | None = None,
) -> tuple[types.ModuleType, str, str]:
    """`voice_listing()`, or `OperationUnavailableError` saying the spec has none."""
    found = voice_listing(api)
    if found is None:
        raise OperationUnavailableError(
            "This client's spec has no operation that lists a workspace's voices by name, so "
            "the SDK cannot check which voices exist: check them in the UponAI app. "
            "Regenerate the client from a spec that has one (`make regenerate`) to enable "
            "find_voices and reconcile."
        )
    return found


def _matching(
    voices: Iterable[Any], name: str, created_since: datetime.datetime | None
) -> list[Voice]:
    wanted = name.strip()
    found = []
    for voice in voices:
        if str(getattr(voice, "name", "")).strip() != wanted:
            continue
        created = getattr(voice, "created_at", None)
        if created_since is not None:
            if not isinstance(created, datetime.datetime):
                found.append(voice)  # no creation time: it may be the one, so it counts
                continue
            if created.tzinfo is None:
                created = created.replace(tzinfo=datetime.UTC)
            if created < created_since - CLOCK_SKEW:
                continue
        found.append(voice)
    return found


def _listing_request(
    api: types.ModuleType | None, workspace_id: int, name: str
) -> tuple[types.ModuleType, dict[str, Any]]:
    operation, workspace_keyword, name_keyword = require_voice_listing(api)
    return operation, {workspace_keyword: workspace_id, name_keyword: name.strip()}


def find_voices(
    connection: Connection | AuthenticatedClient,
    *,
    workspace_id: int,
    name: str,
    created_since: datetime.datetime | None = None,
    api: types.ModuleType | None = None,
) -> list[Voice]:
    """The workspace's voices named exactly `name` (surrounding spaces ignored), every page.

    `created_since` keeps only voices created at or after that moment (allowing `CLOCK_SKEW`;
    a voice without a creation time is kept). `api` is the generated package's `api` module
    to search for the listing operation (default `uponai_client.api`).

    Raises:
        OperationUnavailableError: the spec has no operation that lists voices by name.
        UponAIError: what `call` raises for the listing requests.
    """
    operation, arguments = _listing_request(api, workspace_id, name)
    return _matching(paginate(connection, operation, **arguments), name, created_since)


async def find_voices_async(
    connection: Connection | AuthenticatedClient,
    *,
    workspace_id: int,
    name: str,
    created_since: datetime.datetime | None = None,
    api: types.ModuleType | None = None,
) -> list[Voice]:
    """Async `find_voices` (same arguments)."""
    operation, arguments = _listing_request(api, workspace_id, name)
    voices: AsyncIterator[Any] = paginate_async(connection, operation, **arguments)
    return _matching([voice async for voice in voices], name, created_since)
