"""The connection of `uponai-voices`: the key from UPONAI_API_KEY only, the address from
`--base-url` or UPONAI_BASE_URL."""

from __future__ import annotations

import json
import os
from typing import Any

from .. import Connection, connect
from ._errors import CliError

__all__ = ["open_connection", "print_json"]


def open_connection(base_url: str | None) -> Connection:
    """`connect()` with the environment's key; a missing or unusable key is a usage error."""
    if not os.environ.get("UPONAI_API_KEY", "").strip():
        raise CliError(
            "no API key: set the UPONAI_API_KEY environment variable (there is no --token "
            "flag: command lines are visible to other users)"
        )
    try:
        return connect(base_url=base_url or None)
    except ValueError as exc:
        raise CliError(f"--base-url / UPONAI_BASE_URL: {exc}") from None


def print_json(value: Any) -> None:
    """`value` as indented JSON on stdout."""
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))
