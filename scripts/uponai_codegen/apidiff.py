"""What changed for SDK users between two (normalised) specs, each change marked breaking or not.

The surface is read the way the generated client sees it (see `surface`): operations by method
and path (their Python name is the public module), parameters and headers, request bodies and
responses to any depth, and each component schema once, with the operations it reaches. A
removal, a new required thing, a retyped or newly nullable field, a removed enum value, a value
sent that becomes an enum and a tighter limit on what is sent break users; something optional
added (arrays and maps included) does not. A value added to a received enum is compatible because
the generated enums keep values they do not list (`transforms.keep_unknown_enum_values`).
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


_UPPER = {"maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties"}
_LOWER = {"minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties"}


def _enum_changes(where: str, old: Field, new: Field, *, request: bool) -> Iterator[Change]:
    if new.enum and not old.enum:
        values = ", ".join(new.enum)
        if request:
            yield Change(where, "restricted to an enum", values, True)
        else:
            yield Change(where, "now an enum", values, False)
        return
    for value in sorted(set(new.enum) - set(old.enum)):
        detail = value if request else f"{value}; clients generated before keep it as it comes"
        yield Change(where, "enum value added", detail, False)
    for value in sorted(set(old.enum) - set(new.enum)):
        yield Change(where, "enum value removed", value, True)


def _tighter(key: str, before: float | str | None, after: float | str | None) -> bool:
    """Whether going from `before` to `after` (None: no limit) accepts fewer values."""
    if after is None:
        return False
    if before is None or key in {"pattern", "multipleOf"}:
        return True
    if key in _UPPER:
        return float(after) < float(before)
    return key in _LOWER and float(after) > float(before)


def _constraint_changes(where: str, old: Field, new: Field, *, request: bool) -> Iterator[Change]:
    before, after = dict(old.constraints), dict(new.constraints)
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        tighter = _tighter(key, was, now)
        shown = f"{key} {_shown(was)} -> {_shown(now)}"
        kind = "limit tightened" if tighter else "limit loosened"
        yield Change(where, kind, shown, tighter and request)


def _shown(value: float | str | None) -> str:
    if value is None:
        return "none"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parent(name: str) -> str | None:
    """`labels` for `labels{*}`, `tags` for `tags[]`, `a` for `a.b`; None at the top."""
    for suffix in ("{*}", "[]"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    if name.endswith(">") and "<" in name:
        return name[: name.rindex("<")]
    return name.rsplit(".", 1)[0] if "." in name else None


def _field_changes(
    where: str, old: dict[str, Field], new: dict[str, Field], *, request: bool, response: bool
) -> Iterator[Change]:
    """Field changes of something sent (`request`), received (`response`), or both.

    Sent things break on new required fields and fields made required; received things break
    when a field may now be null or absent. Removing or retyping a field breaks both. What is
    nested in a newly added field (array items, map values, properties) is part of that field.
    """
    added = set(new) - set(old)
    for name in sorted(added):
        parent = _parent(name)
        if parent is not None and parent in added:
            continue  # reported with the field it belongs to
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
        yield from _enum_changes(at, before, after, request=request)
        yield from _constraint_changes(at, before, after, request=request)


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
        success = response[:1] == "2" and " " not in response
        detail = "another success answer: callers must handle it" if success else ""
        yield Change(f"{key} response {response}", "response added", detail, False)
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
