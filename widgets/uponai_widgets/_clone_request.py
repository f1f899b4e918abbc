"""One description of the clone request, built from the generated client: every surface uses it.

`CLONE` lists the request's fields (body fields and header parameters, the samples apart) with
what each surface needs: the keyword (`clone_voice(name=...)`, the batch job key and CSV
column, the CLI's `--name`, the widget's form field), whether it is required, its kind and
choices, the spec's limits, and how a value becomes what the generated model takes. It is read
from the generated code (the operation's body model and header parameters) and from the table
the pipeline wrote beside it from the spec (`_clone_fields.py`: wire names, limits,
descriptions, keywords), so a regenerated spec reaches every surface with no hand edit.
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import attrs

from . import _generated
from ._secret import Secret

__all__ = ["CLONE", "CloneField", "CloneRequest", "Kind", "accepted_text"]

Kind = Literal["string", "integer", "number", "boolean", "enum", "list", "map", "object", "files"]


@dataclass(frozen=True)
class CloneField:
    """One field of the clone request.

    keyword: its name in the SDK (`clone_voice(name=...)`, job key, CSV column, `--name`).
    python: the generated model's attribute or the operation's keyword (`voice_name`).
    wire: the spec's name (`voiceName`, `X-Actor-Type`).
    location: "body" or "header".
    kind: how its values look (`Kind`); `choices` lists an enum's values.
    limits: the spec's limits (`maxLength`, `maximum`, `maxItems`, `pattern`, ...).
    model: the generated class a value becomes (an enum, a model), or None.
    """

    keyword: str
    python: str
    wire: str
    location: Literal["body", "header"]
    kind: Kind
    required: bool
    choices: tuple[str, ...] = ()
    limits: Mapping[str, float | str] = field(default_factory=dict)
    description: str = ""
    model: type | None = None

    @property
    def option(self) -> str:
        """The command line option: `--provider-id`."""
        return "--" + self.keyword.replace("_", "-")

    def limit(self, key: str) -> float | None:
        """A numeric limit of the spec (`maxLength`), or None."""
        value = self.limits.get(key)
        return float(value) if isinstance(value, int | float) else None

    def to_generated(self, value: Any) -> Any:
        """A checked value (see `_validation`) as the generated code takes it."""
        model = self.model
        if model is None:
            return list(value) if self.kind == "list" else value
        if issubclass(model, enum.Enum):
            return model(value)
        if attrs.has(model) and isinstance(value, Mapping):
            return model.from_dict(dict(value))  # type: ignore[attr-defined]
        return value


@dataclass(frozen=True)
class CloneRequest:
    """The clone operation and its fields, in the spec's order (body fields, then headers)."""

    operation: types.ModuleType
    body: type
    fields: tuple[CloneField, ...]
    samples: CloneField

    @property
    def keywords(self) -> tuple[str, ...]:
        """Every field's keyword, samples apart."""
        return tuple(f.keyword for f in self.fields)

    def field(self, keyword: str) -> CloneField | None:
        """The field with this keyword, or None."""
        return next((f for f in self.fields if f.keyword == keyword), None)

    def signature(self, function: Any, *, after: int = 1) -> inspect.Signature:
        """`function`'s signature with its `**fields` spelled out as the request's keywords
        (required ones first, then optional ones defaulting to None), for `help()`, IDEs and
        documentation. `after`: how many leading parameters stay in front of them."""
        own = list(inspect.signature(function).parameters.values())
        plain = [p for p in own if p.kind is not inspect.Parameter.VAR_KEYWORD]
        keyword_only = inspect.Parameter.KEYWORD_ONLY
        spelled = [
            inspect.Parameter(f.keyword, keyword_only) for f in self.fields if f.required
        ] + [
            inspect.Parameter(f.keyword, keyword_only, default=None)
            for f in self.fields
            if not f.required
        ]
        return inspect.Signature(
            [*plain[:after], *spelled, *plain[after:]],
            return_annotation=inspect.signature(function).return_annotation,
        )

    def arguments(self, values: Mapping[str, Any], files: list[Any]) -> dict[str, Any]:
        """The generated operation's keywords (`body`, headers) for checked `values`."""
        body: dict[str, Any] = {self.samples.python: files}
        headers: dict[str, Any] = {}
        for item in self.fields:
            if values.get(item.keyword) is None:
                continue
            target = body if item.location == "body" else headers
            value = values[item.keyword]  # a secret is revealed here: its header is built next
            target[item.python] = item.to_generated(
                value.reveal() if isinstance(value, Secret) else value
            )
        return {"body": self.body(**body), **headers}


def accepted_text(result: object) -> str:
    """One line for a success answer that is not a finished voice (a documented 202, say)."""
    to_dict = getattr(result, "to_dict", None)
    body = to_dict() if callable(to_dict) else {}
    detail = ", ".join(f"{key}={value}" for key, value in body.items()) if body else ""
    shown = f": {detail}" if detail else ""
    return f"accepted ({type(result).__name__}{shown}): the API creates the voice later"


def _model(kind: Any) -> type | None:
    if isinstance(kind, type) and (issubclass(kind, enum.Enum) or attrs.has(kind)):
        return kind
    return None


def _field(entry: Mapping[str, Any], kind: Any) -> CloneField:
    choices = tuple(str(value) for value in entry.get("enum") or ())
    return CloneField(
        keyword=str(entry["keyword"]),
        python=str(entry["python"]),
        wire=str(entry["wire"]),
        location="header" if entry["in"] == "header" else "body",
        kind=typing.cast(Kind, "enum" if choices else entry["kind"]),
        required=bool(entry["required"]),
        choices=choices,
        limits=dict(entry.get("limits") or {}),
        description=str(entry.get("description") or ""),
        model=_model(kind),
    )


def describe() -> CloneRequest:
    """The clone request of the generated client this package runs with."""
    operation, entries, samples = _generated.clone_contract()
    body, attributes, headers = _generated.field_types(operation)
    fields = tuple(
        _field(entry, (attributes if entry["in"] == "body" else headers).get(entry["python"]))
        for entry in entries
    )
    return CloneRequest(operation, body, fields, _field(samples, None))


CLONE = describe()
"""The clone request of the installed generated client."""
