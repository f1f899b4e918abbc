"""`paginate` / `paginate_async`: every item of a list operation that pages, page after page.

Two patterns are recognised from the generated operation (so from the spec):

- page/limit: a `page` parameter beside `limit`, `page_size`, `per_page` or `size`; the answer
  holds a list (`items`, `data`, `results`, or its only list field) and may hold `total`,
  `has_more`. Pages are fetched until one is short or empty, `has_more` is false, or `total`
  items are reached.
- cursor: a `cursor`, `page_token`, `after` or `starting_after` parameter; the answer holds a
  list and the next cursor (`next_cursor`, `next_page_token`, `next`, `cursor`). Pages are
  fetched until the next cursor is empty or repeats.

Every page is one `call` (retries, typed errors, redaction, timeouts).
"""

from __future__ import annotations

import typing
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import attrs
import httpx

from uponai_client import AuthenticatedClient

from . import _generated
from ._connection import Connection
from ._errors import OperationUnavailableError, UnexpectedResponseError
from ._generated import Operation
from ._operations import operation_exchange
from ._runtime import send, send_async

__all__ = ["PagePattern", "page_pattern", "paginate", "paginate_async"]

_PAGE = ("page", "page_number")
_SIZE = ("limit", "page_size", "per_page", "size")
_CURSOR = ("cursor", "page_token", "after", "starting_after")
_ITEMS = ("items", "data", "results")
_NEXT = ("next_cursor", "next_page_token", "next", "cursor")


@dataclass(frozen=True, slots=True)
class PagePattern:
    """How an operation pages: its parameters, and the fields of its answer that matter."""

    kind: Literal["page", "cursor"]
    parameter: str
    size_parameter: str | None
    items: str
    next_cursor: str | None = None
    total: str | None = None
    has_more: str | None = None
    model: type | None = None


def _first(names: tuple[str, ...], present: typing.Container[str]) -> str | None:
    return next((name for name in names if name in present), None)


def _list_fields(model: type) -> list[str]:
    return [
        field.name
        for field in attrs.fields(model)
        if (isinstance(field.type, str) and "list[" in field.type)
        or typing.get_origin(field.type) is list
    ]


def page_pattern(operation: object) -> PagePattern | None:
    """The paging pattern of a generated operation, or None when it does not page."""
    parameters = _generated.operation_parameters(operation)
    for model in _generated.result_types(operation):
        if isinstance(model, type) and attrs.has(model):
            pattern = _model_pattern(model, parameters)
            if pattern is not None:
                return pattern
    return None


def _model_pattern(model: type, parameters: typing.Container[str]) -> PagePattern | None:
    fields = {field.name for field in attrs.fields(model)}
    lists = _list_fields(model)
    items = _first(_ITEMS, lists) or (lists[0] if len(lists) == 1 else None)
    if items is None:
        return None
    size = _first(_SIZE, parameters)
    page = _first(_PAGE, parameters)
    if page is not None:
        return PagePattern(
            "page",
            page,
            size,
            items,
            total=_first(("total", "total_count", "count"), fields),
            has_more=_first(("has_more", "has_next"), fields),
            model=model,
        )
    cursor = _first(_CURSOR, parameters)
    next_cursor = _first(_NEXT, fields)
    if cursor is not None and next_cursor is not None:
        return PagePattern("cursor", cursor, size, items, next_cursor=next_cursor, model=model)
    return None


def _pattern_or_raise(operation: object) -> PagePattern:
    pattern = page_pattern(operation)
    if pattern is None:
        label = _generated.operation_label(operation)
        raise OperationUnavailableError(
            f"{label} does not page: paginate needs a page/limit or cursor parameter and an "
            "answer that holds a list (see the README, 'Any operation')."
        )
    return pattern


def _value(page: object, name: str | None) -> Any:
    value = getattr(page, name, None) if name else None
    return None if _generated.is_unset(value) else value


class _Cursor:
    """Where the next page starts, and when to stop (shared by the sync and async loops)."""

    def __init__(self, pattern: PagePattern, arguments: Mapping[str, Any]) -> None:
        self.pattern = pattern
        self.arguments = dict(arguments)
        self.position: Any = arguments.get(pattern.parameter)
        if pattern.kind == "page" and self.position is None:
            self.position = 1
        self.page_size = 0
        self.done = False

    def request(self) -> dict[str, Any]:
        arguments = dict(self.arguments)
        if self.position is not None:
            arguments[self.pattern.parameter] = self.position
        return arguments

    def items(self, page: object, label: str) -> list[Any]:
        """The page's items; moves to the next page or marks the end."""
        items = _value(page, self.pattern.items)
        if not isinstance(items, list):
            raise UnexpectedResponseError(f"{label} answered a page without a list of items.")
        pattern = self.pattern
        if pattern.kind == "cursor":
            following = _value(page, pattern.next_cursor)
            self.done = not items or not following or following == self.position
            self.position = following
            return items
        size = self.arguments.get(pattern.size_parameter) if pattern.size_parameter else None
        if not isinstance(size, int):
            size = self.page_size = self.page_size or len(items)
        total = _value(page, pattern.total)
        more = _value(page, pattern.has_more)
        page_number = int(self.position)
        self.done = (
            not items
            or len(items) < size
            or more is False
            or (isinstance(total, int) and page_number * size >= total)
        )
        self.position = page_number + 1
        return items


def paginate(
    connection: Connection | AuthenticatedClient,
    operation: Operation[Any],
    /,
    *,
    timeout: float | httpx.Timeout | None = None,
    **arguments: Any,
) -> Iterator[Any]:
    """Every item of a paged list operation, fetching pages as the loop needs them.

    `arguments` are the operation's own (filters, a page size); a `page` or `cursor` given
    is where it starts. Raises `OperationUnavailableError` (before anything is sent) when the
    operation does not follow a pattern this function knows, and what `call` raises.
    """
    pattern = _pattern_or_raise(operation)
    label = _generated.operation_label(operation)
    cursor = _Cursor(pattern, arguments)
    while not cursor.done:
        page = send(operation_exchange(connection, operation, cursor.request(), timeout))
        yield from cursor.items(page, label)


async def paginate_async(
    connection: Connection | AuthenticatedClient,
    operation: Operation[Any],
    /,
    *,
    timeout: float | httpx.Timeout | None = None,
    **arguments: Any,
) -> AsyncIterator[Any]:
    """Async `paginate`: `async for item in uw.paginate_async(...)`."""
    pattern = _pattern_or_raise(operation)
    label = _generated.operation_label(operation)
    cursor = _Cursor(pattern, arguments)
    while not cursor.done:
        exchange = operation_exchange(connection, operation, cursor.request(), timeout)
        page = await send_async(exchange)
        for item in cursor.items(page, label):
            yield item
