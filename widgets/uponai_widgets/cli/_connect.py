"""The connection of `uponai-voices`: the key from UPONAI_API_KEY only, the address from
`--base-url` or UPONAI_BASE_URL."""

from __future__ import annotations

import json
import os
from typing import Any

from .. import AuthenticationError, Connection, connect
from ._errors import CliError

__all__ = ["open_connection", "print_json"]


def open_connection(base_url: str | None) -> Connection:
    """`connect()` with the environment's key; a missing or unusable key is a usage error."""
    if not os.environ.get("UPONAI_API_KEY", "").strip():
        raise CliError(
            "no API key: set the UPONAI_API_KEY environment variable (there is no --token "
            "flag: command lines are visible to other users)"
        )
    address = base_url or os.environ.get("UPONAI_BASE_URL", "")
    if address.strip() and not address.strip().startswith(("http://", "https://")):
        raise CliError(
            f"--base-url / UPONAI_BASE_URL {address.strip()!r}: give the API's address with its "
            "scheme, e.g. http://127.0.0.1:8765 or https://api.upon-ai.com"
        )
    try:
        return connect(base_url=base_url or None)
    except AuthenticationError:  # the key cannot go in a header (the SDK's words name connect())
        raise CliError(
            "UPONAI_API_KEY holds spaces or characters that cannot be sent in an HTTP header: "
            "set it to the key alone, on one line"
        ) from None
    except ValueError as exc:
        raise CliError(f"--base-url / UPONAI_BASE_URL: {exc}") from None


def print_json(value: Any) -> None:
    """`value` as indented JSON on stdout."""
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))
