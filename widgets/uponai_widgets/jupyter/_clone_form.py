"""The clone widget's form: one input per field of the clone request, from its description.

Required fields are shown at the top; optional ones wait under "More fields". Text, numbers,
lists (`a; b`) and maps (`key=value; key=value`) are text inputs, enums dropdowns of the
generated client's values, booleans checkboxes (sent only when ticked). A field the spec adds
after a regeneration appears with no edit. `CloneForm` turns the inputs into `clone_voice`
keyword arguments; it reads the impersonation reason once and clears its field (the reason
never stays in synced state).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ipywidgets  # type: ignore[import-untyped]  # ipywidgets ships no type information

from .._clone_request import CLONE, CloneField
from .._errors import Problem, ValidationError
from .._secret import Secret
from .._validation import Limits, validate_clone

__all__ = ["CloneForm", "problem_lines"]

_LABEL_STYLE = {"description_width": "11em"}
_REASON = "impersonation_reason"
_LABELS = {"name": "Voice name", "workspace_id": "Workspace id"}
_CSS = {"workspace_id": "uponai-workspace", _REASON: "uponai-reason"}
"""Class names kept from before the form was built from the spec (tests and themes use them)."""
_PLACEHOLDERS = {
    "name": "e.g. Narrator",
    _REASON: "platform/provider admins; cleared after use",
}
_ENVIRONMENT = {"workspace_id": "UPONAI_WORKSPACE_ID", "provider": "UPONAI_VOICE_PROVIDER"}
_FALLBACKS = {"provider": "elevenlabs"}


def label(item: CloneField) -> str:
    """The form's label of a field: `Provider id`."""
    return _LABELS.get(item.keyword) or item.keyword.replace("_", " ").capitalize()


def problem_lines(problems: Iterable[Problem]) -> list[str]:
    """Readable lines for the cloning layer's problems, fields named as the form labels them."""
    lines = []
    for problem in problems:
        item = CLONE.field(problem.field) if problem.sample is None else None
        lines.append(f"{label(item)}: {problem.message}" if item is not None else str(problem))
    return lines


def _input(item: CloneField, value: Any) -> Any:
    common = {"description": label(item), "style": _LABEL_STYLE}
    if item.kind == "enum":
        options = [(choice, choice) for choice in item.choices]
        if not item.required:
            options.insert(0, ("(none)", ""))
        widget = ipywidgets.Dropdown(options=options, value=options[0][1], **common)
    elif item.kind == "boolean":
        widget = ipywidgets.Checkbox(value=False, indent=True, **common)
    else:
        hint = {"list": "a; b", "map": "key=value; key=value"}.get(item.kind, "")
        widget = ipywidgets.Text(
            value=value,
            placeholder=_PLACEHOLDERS.get(item.keyword, hint),
            layout=ipywidgets.Layout(width="34em"),
            **common,
        )
    if item.description:
        widget.tooltip = item.description
    widget.add_class(_CSS.get(item.keyword, "uponai-" + item.keyword.replace("_", "-")))
    return widget


class CloneForm:
    """The form's input widgets and how they become `clone_voice` arguments."""

    def __init__(self, defaults: Mapping[str, Any]) -> None:
        """Build the inputs; a field's start value comes from `defaults`, else the environment
        (``UPONAI_WORKSPACE_ID``, ``UPONAI_VOICE_PROVIDER``)."""
        self.inputs: dict[str, Any] = {}
        for item in CLONE.fields:
            given = defaults.get(item.keyword)
            variable = _ENVIRONMENT.get(item.keyword)
            if given is None and variable is not None:
                given = os.environ.get(variable) or _FALLBACKS.get(item.keyword)
            self.inputs[item.keyword] = _input(item, "" if given is None else str(given))
        more = [self.inputs[item.keyword] for item in CLONE.fields if not item.required]
        self.advanced = ipywidgets.Accordion(
            children=[ipywidgets.VBox(more)], titles=("More fields",), selected_index=None
        )
        self.advanced.add_class("uponai-advanced")

    @property
    def children(self) -> list[Any]:
        """The widgets to show, in order: the required fields, then "More fields"."""
        required = [self.inputs[item.keyword] for item in CLONE.fields if item.required]
        return [*required, self.advanced]

    @property
    def controls(self) -> Sequence[Any]:
        """Every input (disabled while a clone runs)."""
        return tuple(self.inputs.values())

    def set_disabled(self, disabled: bool) -> None:
        """Disable or enable every input."""
        for control in self.controls:
            control.disabled = disabled

    def take_reason(self) -> Secret | None:
        """Read the impersonation reason once, as a `Secret`, and clear the field (kept out of
        saved state); None when it is empty."""
        field = self.inputs.get(_REASON)
        if field is None or not str(field.value).strip():
            return None
        reason = Secret(str(field.value).strip())
        field.value = ""
        return reason

    def values(self, reason: Secret | None) -> dict[str, Any]:
        """What the inputs hold, by keyword (empty inputs and unticked boxes left out)."""
        found: dict[str, Any] = {}
        for keyword, widget in self.inputs.items():
            value = reason if keyword == _REASON else widget.value
            if isinstance(value, bool):
                value = True if value else None
            elif isinstance(value, str):
                value = value.strip() or None
            if value is not None:
                found[keyword] = value
        return found

    def arguments(self, samples: Sequence[Any], reason: Secret | None) -> dict[str, Any]:
        """`clone_voice` keyword arguments from the inputs and `samples` (not validated here:
        `clone_voice` validates them, once, before a byte is sent)."""
        return {**self.values(reason), "samples": list(samples)}

    def collect(
        self, samples: Sequence[Any] | None, reason: Secret | None, limits: Limits | None
    ) -> tuple[dict[str, Any], list[str]]:
        """`clone_voice` keyword arguments and every problem found at once (empty when valid).

        With ``samples=None`` only the fields are checked (the samples are still arriving).
        """
        kwargs = self.arguments(samples or (), reason)
        problems: list[str] = []
        try:
            validate_clone(**kwargs, limits=limits)
        except ValidationError as exc:
            found = exc.problems
            if samples is None:
                found = [p for p in found if p.sample is None and p.field != "samples"]
            problems.extend(problem_lines(found))
        return kwargs, problems
