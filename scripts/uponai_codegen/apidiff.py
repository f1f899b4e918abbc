"""What changed for SDK users between two (normalised) specs, each change marked breaking or not.

The surface is read the way the generated client sees it (see `surface`): operations by method
and path (their Python name is the public module), parameters and headers, request bodies and
responses to any depth, and each component schema once, with the operations it reaches. A
removal, a new required thing, a retyped or newly nullable field and a removed enum value break
users; something optional added does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .surface import Field, Operation, components, module_name, reach, surface

__all__ = ["Change", "Field", "diff_specs", "render"]
MAX_REACHED = 6


@dataclass(frozen=True, order=True)
class Change:
    """One difference in the API surface."""

    location: str
    kind: str
    detail: str
    breaking: bool

    def __str__(self) -> str:
        mark = "BREAKING  " if self.breaking else "compatible"
        return f"{mark}  {self.location}: {self.kind}{f' ({self.detail})' if self.detail else ''}"


def _enum_changes(where: str, old: Field, new: Field) -> Iterator[Change]:
    for value in sorted(set(new.enum) - set(old.enum)):
        yield Change(where, "enum value added", value, False)
    for value in sorted(set(old.enum) - set(new.enum)):
        yield Change(where, "enum value removed", value, True)


def _field_changes(
    where: str, old: dict[str, Field], new: dict[str, Field], *, request: bool, response: bool
) -> Iterator[Change]:
    """Field changes of something sent (`request`), received (`response`), or both.

    Sent things break on new required fields and fields made required; received things break
    when a field may now be null or absent. Removing or retyping a field breaks both.
    """
    for name in sorted(set(new) - set(old)):
        required = new[name].required
        yield Change(f"{where} {name}", "added", "required" if required else "optional", required)
    for name in sorted(set(old) - set(new)):
        yield Change(f"{where} {name}", "removed", "", True)
    for name in sorted(set(old) & set(new)):
        before, after, at = old[name], new[name], f"{where} {name}"
        if before.type != after.type:
            yield Change(at, "type changed", f"{before.type} -> {after.type}", True)
        if after.required and not before.required:
            yield Change(at, "made required", "", True)
        if before.required and not after.required:
            yield Change(at, "made optional", "may be absent now" if response else "", response)
        if after.nullable and not before.nullable:
            yield Change(at, "made nullable", "", response)
        if before.nullable and not after.nullable:
            yield Change(at, "no longer nullable", "", request)
        if before.default != after.default:
            detail = f"{before.default or 'none'} -> {after.default or 'none'}"
            yield Change(at, "default changed", detail, False)
        yield from _enum_changes(at, before, after)


def _operation_changes(key: str, old: Operation, new: Operation) -> Iterator[Change]:
    if module_name(old.name) != module_name(new.name):
        yield Change(
            key, "operation renamed", f"{old.name} -> {new.name}: the module is renamed", True
        )
    yield from _field_changes(
        f"{key} parameter", old.parameters, new.parameters, request=True, response=False
    )
    if new.body_required and not old.body_required:
        yield Change(f"{key} request body", "made required", "", True)
    if old.body_required and not new.body_required:
        yield Change(f"{key} request body", "made optional", "", False)
    for ctype in sorted(set(new.body) - set(old.body)):
        yield Change(f"{key} request body", "content type added", ctype, False)
    for ctype in sorted(set(old.body) - set(new.body)):
        yield Change(f"{key} request body", "content type removed", ctype, True)
    for ctype in sorted(set(old.body) & set(new.body)):
        yield from _field_changes(
            f"{key} body {ctype}", old.body[ctype], new.body[ctype], request=True, response=False
        )
    for response in sorted(set(old.responses) - set(new.responses)):
        yield Change(f"{key} response {response}", "response removed", "", True)
    for response in sorted(set(new.responses) - set(old.responses)):
        yield Change(f"{key} response {response}", "response added", "", False)
    for response in sorted(set(old.responses) & set(new.responses)):
        yield from _field_changes(
            f"{key} response {response}",
            old.responses[response],
            new.responses[response],
            request=False,
            response=True,
        )


def _reached(name: str, *maps: dict[str, set[str]]) -> str:
    keys = sorted(set().union(*(m.get(name, set()) for m in maps)))
    if not keys:
        return "reaches no operation"
    shown = ", ".join(keys[:MAX_REACHED])
    more = f" and {len(keys) - MAX_REACHED} more" if len(keys) > MAX_REACHED else ""
    return f"reaches {shown}{more}"


def _component_changes(
    old_document: dict[str, Any],
    new_document: dict[str, Any],
    old_ops: dict[str, Operation],
    new_ops: dict[str, Operation],
) -> Iterator[Change]:
    """Each component schema's changes, once, with the operations (old or new) it reaches."""
    (old, old_refs), (new, new_refs) = components(old_document), components(new_document)
    sent = [reach(old_ops, old_refs, "request"), reach(new_ops, new_refs, "request")]
    received = [reach(old_ops, old_refs, "response"), reach(new_ops, new_refs, "response")]
    for name in sorted(set(new) - set(old)):
        yield Change(f"schema {name}", "added", _reached(name, *sent, *received), False)
    for name in sorted(set(old) - set(new)):
        yield Change(f"schema {name}", "removed", _reached(name, *sent, *received), True)
    for name in sorted(set(old) & set(new)):
        request = any(name in m for m in sent)
        response = any(name in m for m in received) or not request
        where = f"schema {name} [{_reached(name, *sent, *received)}]"
        yield from _field_changes(where, old[name], new[name], request=request, response=response)


def diff_specs(old_document: dict[str, Any], new_document: dict[str, Any]) -> list[Change]:
    """Every surface change from `old_document` to `new_document`, breaking ones first."""
    old, new = surface(old_document), surface(new_document)
    changes: list[Change] = []
    for key in sorted(set(new) - set(old)):
        changes.append(Change(key, "operation added", new[key].name, False))
    for key in sorted(set(old) - set(new)):
        changes.append(Change(key, "operation removed", old[key].name, True))
    for key in sorted(set(old) & set(new)):
        changes.extend(_operation_changes(key, old[key], new[key]))
    changes.extend(_component_changes(old_document, new_document, old, new))
    return sorted(set(changes), key=lambda c: (not c.breaking, c.location, c.kind, c.detail))


def render(changes: list[Change], old_version: str, new_version: str) -> str:
    """The report people read: one line a change and a count."""
    if not changes:
        return f"API surface unchanged ({old_version} -> {new_version})\n"
    breaking = sum(c.breaking for c in changes)
    lines = [
        f"API changes {old_version} -> {new_version}: {len(changes)} change(s), {breaking} breaking"
    ]
    lines += [f"  {change}" for change in changes]
    return "\n".join(lines) + "\n"
