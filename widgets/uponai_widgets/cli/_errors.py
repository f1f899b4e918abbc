"""Exit statuses of `uponai-voices` and how errors map onto them."""

from __future__ import annotations

from .. import AuthenticationError, UponAIError, ValidationError

__all__ = ["FAILED", "INTERRUPTED", "OK", "USAGE", "CliError", "exit_status_for"]

OK = 0
"""Everything asked for was done."""
FAILED = 1
"""The API refused, a job failed, or a job's outcome is unknown."""
USAGE = 2
"""Bad input or usage: nothing was sent for it."""
INTERRUPTED = 130
"""Ctrl-C (SIGINT), as shells report it."""


class CliError(Exception):
    """A message for the user (never a traceback) and the exit status that goes with it."""

    def __init__(self, message: str, status: int = USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def exit_status_for(error: BaseException) -> int:
    """USAGE for input the command could have refused itself, FAILED for what the API said."""
    if isinstance(error, ValidationError):
        return USAGE
    if isinstance(error, AuthenticationError) and error.status is None:
        return USAGE  # no usable token configured: nothing was sent
    if isinstance(error, UponAIError):
        return FAILED
    if isinstance(error, ValueError | TypeError | OSError):
        return USAGE
    return FAILED
