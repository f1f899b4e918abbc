"""The one way every message says how to install an optional extra.

uponai-voices is not on PyPI: it is installed from a checkout of its repository or from a wheel
built there, so the hint names both rather than a `pip install uponai-voices[...]` that fails.
"""

from __future__ import annotations

__all__ = ["install_hint"]


def install_hint(extra: str) -> str:
    """The pip line that adds `extra` (`audio`, `cli`, `jupyter`, `sandbox`) to an install."""
    return f"pip install '.[{extra}]' in a checkout of uponai-voices (or its wheel with [{extra}])"
