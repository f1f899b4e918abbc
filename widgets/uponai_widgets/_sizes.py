"""Sizes and durations written for people: ``1.5 KiB``, ``0:08.2``.

Core module: imports only the standard library.
"""

from __future__ import annotations

__all__ = ["format_duration", "format_size"]


def format_size(size: int) -> str:
    """Format a byte count for people: ``512 B``, ``1.5 KiB``, ``50.0 MiB``."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def format_duration(seconds: float | None) -> str:
    """Format a duration as ``m:ss.s``; unknown durations as an em dash."""
    if seconds is None:
        return "\u2014"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"
