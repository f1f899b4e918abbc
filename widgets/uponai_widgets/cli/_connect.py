"""The connection of `uponai-voices`: the key from UPONAI_API_KEY only, the address from
`--base-url` or UPONAI_BASE_URL."""

from __future__ import annotations

import json
import os
from typing import Any

from .. import AuthenticationError, Connection, connect
from .._connection import checked_token
from ._errors import CliError

__all__ = ["check_settings", "open_connection", "print_json"]


def check_settings(base_url: str | None) -> None:
    """The key and the address, checked before any work (preparing, inspecting) is done."""
    if not os.environ.get("UPONAI_API_KEY", "").strip():
        raise CliError(
            "no API key: set the UPONAI_API_KEY environment variable (there is no --token "
            "flag: command lines are visible to other users)"
        )
    try:
        checked_token(os.environ["UPONAI_API_KEY"])
    except AuthenticationError:  # the SDK's words name connect() and token=
        raise CliError(
            "UPONAI_API_KEY holds spaces or characters that cannot be sent in an HTTP header: "
            "set it to the key alone, on one line"
        ) from None
    address = (base_url or os.environ.get("UPONAI_BASE_URL", "")).strip()
    if address and not address.startswith(("http://", "https://")):
        raise CliError(
            f"--base-url / UPONAI_BASE_URL {address!r}: give the API's address with its "
            "scheme, e.g. http://127.0.0.1:8765 or https://api.upon-ai.com"
        )


def open_connection(base_url: str | None) -> Connection:
    """`connect()` with the environment's key; a missing or unusable key is a usage error."""
    check_settings(base_url)
    try:
        return connect(base_url=base_url or None)
    except ValueError as exc:
        raise CliError(f"--base-url / UPONAI_BASE_URL: {exc}") from None


def print_json(value: Any) -> None:
    """`value` as indented JSON on stdout."""
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))
