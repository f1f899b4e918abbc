"""`Secret`: a token or an impersonation reason, held so that it never prints.

A secret is wrapped where it enters (an argument, an environment variable, a file, a CSV cell)
and revealed only where its header is built, so a traceback that shows every frame's local
variables (`traceback` with ``capture_locals``, rich's ``show_locals``, IPython's Verbose mode,
error reporters) shows ``Secret('[redacted]')`` instead of the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["REDACTED", "Secret", "as_secret", "revealed", "wrap_secrets"]

REDACTED = "[redacted]"
"""What a secret shows in its place, in messages as in reprs."""


class Secret:
    """A text that never shows itself: its `repr`, `str` and format are ``[redacted]``.

    `reveal()` gives the value back; the package calls it only where a header is built. Pass a
    `Secret` anywhere a token or an impersonation reason is taken (`connect(token=...)`,
    `clone_voice(impersonation_reason=...)`, a batch job) to keep it out of your own frames too.
    Two secrets are equal when their values are.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"a Secret holds text, not {type(value).__name__}")
        self._value = value

    def reveal(self) -> str:
        """The value itself: for building a header, never for showing."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return format(REDACTED, spec)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self

    def __reduce__(self) -> Any:
        raise TypeError("a Secret is not pickled: it would be written out in clear")


def as_secret(value: str | Secret) -> Secret:
    """`value` as a `Secret` (a `Secret` is kept as it is)."""
    return value if isinstance(value, Secret) else Secret(value)


def wrap_secrets(values: dict[str, Any], names: frozenset[str] | set[str]) -> None:
    """Wrap, in place, the text values of `values` whose key is in `names` as `Secret`s.

    In place on purpose: the caller's frame holds this very dict, and from now on it holds
    the secrets wrapped.
    """
    for name in names & values.keys():
        if isinstance(values[name], str):
            values[name] = Secret(values[name])


def revealed(values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `values` with every `Secret` revealed: for the code that builds the request."""
    return {
        key: value.reveal() if isinstance(value, Secret) else value for key, value in values.items()
    }
