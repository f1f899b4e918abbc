"""The clone request's fields as command line options, built from its description.

Every field of the spec's clone request is an option of `clone` and `batch`: `--name`,
`--workspace-id`; booleans as `--x/--no-x`; enums as choices (the generated client's values);
lists as a repeated option; maps as repeated `key=value`. A field the spec adds after a
regeneration appears here with no edit. `clone` requires the required fields; for `batch` every
field is optional and fills the jobs that leave it out.
"""

from __future__ import annotations

import enum
import inspect
import json
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import typer

from .._clone_request import CLONE, CloneField
from .._field_rules import SECRET_FIELDS
from .._secret import wrap_secrets
from ._errors import CliError

__all__ = ["ENVVARS", "field_parameters", "field_values", "with_fields"]

ENVVARS = {"impersonation_reason": "UPONAI_IMPERSONATION_REASON"}
"""Fields also read from the environment (a reason on a command line is visible to others)."""

_HELP = {
    "name": "The voice's name.",
    "provider": "Voice provider, e.g. elevenlabs.",
    "workspace_id": "Workspace to create the voice in.",
    "actor_type": "X-Actor-Type of the request.",
    "provider_id": "X-Provider-Id.",
    "tenant_id": "X-Tenant-Id: store the voice there.",
    "impersonation_reason": "Why an admin acts for someone (required for platform_admin / "
    "provider_admin). Prefer the variable: command lines are visible to other users.",
}
_SCALARS: dict[str, type] = {"string": str, "integer": int, "number": float}


def _help(item: CloneField, batch: bool) -> str:
    text = _HELP.get(item.keyword) or item.description or f"The request's {item.wire}."
    if item.kind == "map":
        text += " KEY=VALUE, repeat for more."
    elif item.kind == "list":
        text += " Repeat for more."
    return text + (" Fills every job that leaves it out." if batch else "")


def _choices(item: CloneField) -> type[enum.Enum]:
    members = {value: value for value in item.choices}
    return enum.StrEnum(item.keyword.title().replace("_", ""), members)  # type: ignore[return-value]


def _parameter(item: CloneField, batch: bool) -> inspect.Parameter:
    required = item.required and not batch
    decls: list[str] = []
    kind: Any
    if item.kind == "boolean":
        option = item.option
        decls = [f"{option}/--no-{option[2:]}"]
        kind = bool | None
    elif item.kind == "enum":
        kind = _choices(item) if required else _choices(item) | None
    elif item.kind in ("list", "map"):
        kind = list[str] | None
    else:
        scalar = _SCALARS.get(item.kind, str)
        kind = scalar if required else scalar | None
    option = typer.Option(
        *decls,
        help=_help(item, batch),
        envvar=ENVVARS.get(item.keyword),
        show_envvar=item.keyword in ENVVARS,
    )
    default = inspect.Parameter.empty if required else None
    return inspect.Parameter(
        item.keyword,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[kind, option],
        default=default,
    )


def field_parameters(*, batch: bool) -> list[inspect.Parameter]:
    """One typer option per field of the clone request."""
    return [_parameter(item, batch) for item in CLONE.fields]


def _map(item: CloneField, pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CliError(f"{item.option} {pair!r}: give KEY=VALUE")
        found[key.strip()] = value.strip()
    return found


def field_values(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The fields given on the command line, as `clone_voice` takes them."""
    values: dict[str, Any] = {}
    for item in CLONE.fields:
        value = arguments.get(item.keyword)
        if value is None or value == []:
            continue
        if isinstance(value, enum.Enum):
            value = value.value
        elif item.kind == "map":
            value = _map(item, list(value))
        elif item.kind == "object":
            try:
                value = json.loads(value)
            except ValueError:
                raise CliError(f"{item.option}: not JSON") from None
        values[item.keyword] = value
    wrap_secrets(values, SECRET_FIELDS)  # from here on the reason is a Secret in every frame
    return values


def with_fields(
    command: Callable[..., int], own: list[inspect.Parameter], *, batch: bool, after: int
) -> Callable[..., int]:
    """`command` (taking `**arguments`) with a signature typer reads: `own` parameters with the
    field options inserted after the first `after` of them."""
    fields = field_parameters(batch=batch)
    required = [p for p in fields if p.default is inspect.Parameter.empty]
    optional = [p for p in fields if p.default is not inspect.Parameter.empty]
    parameters = [*own[:after], *required, *optional, *own[after:]]
    command.__signature__ = inspect.Signature(parameters, return_annotation=int)  # type: ignore[attr-defined]
    return command
