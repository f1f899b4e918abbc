"""The clone widget's form: voice name, provider, workspace and the advanced actor fields.

`CloneForm` owns the input widgets and turns them into `clone_voice` keyword arguments; it reads
the impersonation reason once and clears its field (the reason never stays in synced state).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import ipywidgets  # type: ignore[import-untyped]  # ipywidgets ships no type information

from .._errors import Problem, ValidationError
from .._validation import ACTOR_TYPES, Limits, validate_clone

__all__ = ["CloneForm", "problem_lines"]

_LABEL_STYLE = {"description_width": "11em"}


def problem_lines(problems: Iterable[Problem]) -> list[str]:
    """Readable lines for the cloning layer's ``Problem(sample, field, message)`` items."""
    return [str(problem) for problem in problems]


def _optional_int(label: str, raw: str, problems: list[str]) -> int | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        problems.append(f"{label}: {text!r} is not an integer")
        return None


def _text(description: str, css: str, value: str = "", placeholder: str = "") -> Any:
    field = ipywidgets.Text(
        value=value,
        description=description,
        placeholder=placeholder,
        style=_LABEL_STYLE,
        layout=ipywidgets.Layout(width="34em"),
    )
    field.add_class(css)
    return field


class CloneForm:
    """The form's input widgets and how they become `clone_voice` arguments."""

    def __init__(self, workspace_id: int | None, provider: str | None) -> None:
        """Build the inputs; defaults from ``UPONAI_WORKSPACE_ID`` / ``UPONAI_VOICE_PROVIDER``."""
        if workspace_id is None:
            workspace = os.environ.get("UPONAI_WORKSPACE_ID", "")
        else:
            workspace = str(workspace_id)
        provider = provider or os.environ.get("UPONAI_VOICE_PROVIDER") or "elevenlabs"
        self.name_input = _text("Voice name", "uponai-name", placeholder="e.g. Narrator")
        self.provider_input = _text("Provider", "uponai-provider", provider)
        self.workspace_input = _text("Workspace id", "uponai-workspace", workspace)
        self.actor_type_input = ipywidgets.Dropdown(
            options=[("(none)", ""), *((a, a) for a in ACTOR_TYPES)],
            value="",
            description="Actor type",
            style=_LABEL_STYLE,
        )
        self.actor_type_input.add_class("uponai-actor-type")
        self.provider_id_input = _text("Provider id", "uponai-provider-id")
        self.tenant_id_input = _text("Tenant id", "uponai-tenant-id")
        self.impersonation_reason_input = _text(
            "Impersonation reason",
            "uponai-reason",
            placeholder="platform/provider admins; cleared after use",
        )
        self.advanced = ipywidgets.Accordion(
            children=[
                ipywidgets.VBox(
                    [
                        self.actor_type_input,
                        self.provider_id_input,
                        self.tenant_id_input,
                        self.impersonation_reason_input,
                    ]
                )
            ],
            titles=("Advanced",),
            selected_index=None,
        )
        self.advanced.add_class("uponai-advanced")

    @property
    def children(self) -> list[Any]:
        """The widgets to show, in order."""
        return [self.name_input, self.provider_input, self.workspace_input, self.advanced]

    @property
    def controls(self) -> Sequence[Any]:
        """Every input (disabled while a clone runs)."""
        return (
            self.name_input,
            self.provider_input,
            self.workspace_input,
            self.actor_type_input,
            self.provider_id_input,
            self.tenant_id_input,
            self.impersonation_reason_input,
        )

    def set_disabled(self, disabled: bool) -> None:
        """Disable or enable every input."""
        for control in self.controls:
            control.disabled = disabled

    def take_reason(self) -> str:
        """Read the impersonation reason once and clear the field (kept out of saved state)."""
        reason = str(self.impersonation_reason_input.value).strip()
        self.impersonation_reason_input.value = ""
        return reason

    def collect(
        self, samples: Sequence[Any] | None, reason: str, limits: Limits | None
    ) -> tuple[dict[str, Any], list[str]]:
        """`clone_voice` keyword arguments and every problem found at once (empty when valid).

        With ``samples=None`` only the fields are checked (the samples are still arriving).
        """
        problems: list[str] = []
        workspace_text = str(self.workspace_input.value).strip()
        workspace: Any = int(workspace_text) if workspace_text.isdigit() else workspace_text
        if not workspace_text:
            problems.append("workspace id: required (a positive integer)")
        kwargs: dict[str, Any] = {
            "name": self.name_input.value,
            "provider": str(self.provider_input.value).strip(),
            "workspace_id": workspace,
            "samples": list(samples or ()),
            "actor_type": self.actor_type_input.value or None,
            "impersonation_reason": reason or None,
        }
        extra = {
            "provider_id": _optional_int("provider id", self.provider_id_input.value, problems),
            "tenant_id": _optional_int("tenant id", self.tenant_id_input.value, problems),
        }
        try:
            validate_clone(**kwargs, limits=limits)
        except ValidationError as exc:
            found = exc.problems
            if samples is None:
                found = [p for p in found if p.sample is None and p.field != "samples"]
            if not workspace_text:
                found = [p for p in found if p.field != "workspace_id"]
            problems.extend(problem_lines(found))
        return {**kwargs, **extra}, problems
