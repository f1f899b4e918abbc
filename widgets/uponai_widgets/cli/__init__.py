"""The `uponai-voices` command (the `cli` extra: Typer and rich)."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence

from .._extras import install_hint

__all__ = ["CLI_HINT", "main"]

CLI_HINT = install_hint("cli")


def main(argv: Sequence[str] | None = None) -> int:
    """Run `uponai-voices`; without Typer installed, print the pip line and return 2."""
    try:
        from ._app import run
    except ImportError as exc:
        if exc.name not in {"typer", "rich", "click"}:
            raise
        print(f"uponai-voices needs the cli extra: {CLI_HINT}", file=sys.stderr)
        return 2
    final = argv is None and threading.current_thread() is threading.main_thread()
    try:
        status = run(argv)
        if final:  # done, saved and said: a Ctrl-C as the interpreter exits changes nothing
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    except KeyboardInterrupt:  # as the command returned, after it saved and printed its results
        print("\ninterrupted", file=sys.stderr)
        return 130
    return status
