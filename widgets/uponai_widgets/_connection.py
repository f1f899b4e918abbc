"""`connect()` and `Connection`: the generated client, upload-sized timeouts and a retry policy."""

from __future__ import annotations

import os
import platform
from typing import Any

import httpx

from uponai_client import AuthenticatedClient
from uponai_client._spec import SPEC_VERSION

from ._errors import AuthenticationError
from ._retry import RetryPolicy
from ._validation import Limits
from ._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "SPEC_VERSION",
    "UPLOAD_TIMEOUT",
    "Connection",
    "as_connection",
    "checked_token",
    "connect",
    "effective_timeout",
    "resolve_timeout",
    "user_agent",
]

DEFAULT_BASE_URL = "https://api.upon-ai.com"

UPLOAD_TIMEOUT = httpx.Timeout(connect=10.0, read=300.0, write=120.0, pool=30.0)
"""Short connect, long write (a slow uplink) and read (the server processes the audio)."""

TOKEN_VARIABLE = "UPONAI_API_KEY"  # noqa: S105 - the variable name, not a secret
BASE_URL_VARIABLE = "UPONAI_BASE_URL"


def user_agent() -> str:
    """`User-Agent` sent with every request: package, API spec and Python versions."""
    return (
        f"uponai-voices/{__version__} (uponai-api {SPEC_VERSION}; "
        f"python {platform.python_version()}; httpx {httpx.__version__})"
    )


def resolve_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout | None:
    """An `httpx.Timeout` for a number of seconds (connect stays short), or the given one."""
    if timeout is None or isinstance(timeout, httpx.Timeout):
        return timeout
    seconds = float(timeout)
    if seconds <= 0:
        raise ValueError("timeout must be a positive number of seconds")
    connect_seconds = UPLOAD_TIMEOUT.connect or seconds
    return httpx.Timeout(seconds, connect=min(seconds, connect_seconds))


def effective_timeout(
    call: float | httpx.Timeout | None = None,
    connection: httpx.Timeout | None = None,
    client: httpx.Timeout | None = None,
) -> httpx.Timeout:
    """The one rule for a request's timeout: this call's, else the connection's, else the
    HTTP client's own (when it sets any limit), else `UPLOAD_TIMEOUT`."""
    resolved = resolve_timeout(call)
    if resolved is not None:
        return resolved
    if connection is not None:
        return connection
    if client is not None and any(
        value is not None for value in (client.connect, client.read, client.write, client.pool)
    ):
        return client
    return UPLOAD_TIMEOUT


def checked_token(token: str | None) -> str:
    """The token stripped of surrounding whitespace (a token read from a file ends in a
    newline); `AuthenticationError` when it is missing or cannot be sent in a header.
    The error never shows the token."""
    if token is None or not token.strip():
        raise AuthenticationError(
            f"No API token: pass token=... to connect() or set the {TOKEN_VARIABLE} "
            "environment variable."
        )
    token = token.strip()
    if any(not (" " < char <= "~") for char in token):
        raise AuthenticationError(
            f"The API token (from {TOKEN_VARIABLE}, token=... or the client) contains spaces "
            "or characters that cannot be sent in an HTTP header."
        )
    return token


def _normalise_client_token(client: AuthenticatedClient) -> None:
    """Strip a raw client's token in place (and in HTTP clients it already built)."""
    token = checked_token(client.token)
    if token == client.token:
        return
    client.token = token
    value = f"{client.prefix} {token}" if client.prefix else token
    if client.auth_header_name in client._headers:
        client._headers[client.auth_header_name] = value
    for http in (client._client, client._async_client):
        if http is not None:
            http.headers[client.auth_header_name] = value


class Connection:
    """The generated `AuthenticatedClient` (as `.client`) with a retry policy and limits.

    Create one with `connect()`. Safe to share between concurrent calls: per-call options
    (timeouts, progress) never change it. Close it with `close()` / `aclose()` or use it as a
    (sync or async) context manager.
    """

    __slots__ = ("client", "limits", "retry", "timeout")

    def __init__(
        self,
        client: AuthenticatedClient,
        *,
        retry: RetryPolicy | None = None,
        timeout: float | httpx.Timeout | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.client = client
        self.retry = retry or RetryPolicy()
        self.timeout = resolve_timeout(timeout)
        self.limits = limits or Limits()

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return str(self.client._base_url)

    def __repr__(self) -> str:
        return f"Connection(base_url={self.base_url!r}, max_retries={self.retry.max_retries})"

    def close(self) -> None:
        """Close the sync HTTP connections (the async ones need `aclose`)."""
        sync_client = self.client._client
        if sync_client is not None:
            sync_client.close()

    async def aclose(self) -> None:
        """Close all HTTP connections."""
        self.close()
        async_client = self.client._async_client
        if async_client is not None:
            await async_client.aclose()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def connect(
    base_url: str | None = None,
    token: str | None = None,
    *,
    timeout: float | httpx.Timeout | None = None,
    max_retries: int = 2,
    retry: RetryPolicy | None = None,
    limits: Limits | None = None,
    httpx_args: dict[str, Any] | None = None,
) -> Connection:
    """Connect to the UponAI API (nothing is sent until the first call).

    Args:
        base_url: defaults to `$UPONAI_BASE_URL`, else the production API.
        token: defaults to `$UPONAI_API_KEY`, read now (not at import).
        timeout: seconds, or an `httpx.Timeout`; default short connect, long upload and read.
        max_retries: how many times a safe-to-retry failure is retried (ignored with `retry`).
        retry: a full `RetryPolicy` (backoff, opt-in unsafe retries, injectable sleep).
        limits: client-side `Limits` checked before sending.
        httpx_args: extra arguments for the underlying `httpx` clients (for example `transport`).

    Raises:
        AuthenticationError: no token was given and `UPONAI_API_KEY` is not set.
    """
    token = checked_token(token if token is not None else os.environ.get(TOKEN_VARIABLE))
    base_url = (base_url or os.environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL).strip()
    if not base_url.startswith(("http://", "https://")):
        raise ValueError(f"base_url must start with http:// or https://, got {base_url!r}")
    upload_timeout = effective_timeout(timeout)
    client = AuthenticatedClient(
        base_url=base_url.rstrip("/"),
        token=token,
        timeout=upload_timeout,
        headers={"User-Agent": user_agent()},
        httpx_args=dict(httpx_args or {}),
    )
    policy = retry if retry is not None else RetryPolicy(max_retries=max_retries)
    return Connection(client, retry=policy, timeout=upload_timeout, limits=limits)


def as_connection(connection: Connection | AuthenticatedClient) -> Connection:
    """A `Connection` for a `Connection` or a plain generated `AuthenticatedClient`.

    A raw client's token is checked and normalised as `connect()` does: surrounding whitespace
    (a token read from a file ends in a newline) is stripped in place; a token that cannot be
    sent in a header raises `AuthenticationError`.
    """
    if isinstance(connection, Connection):
        return connection
    if isinstance(connection, AuthenticatedClient):
        _normalise_client_token(connection)
        return Connection(connection)
    raise TypeError(
        "connection must be a uponai_widgets.Connection (from connect()) or a "
        f"uponai_client.AuthenticatedClient, not {type(connection).__name__}"
    )
