"""`connect()` and `Connection`: the generated client, timeouts by kind of request, a retry policy."""

from __future__ import annotations

import asyncio
import functools
import math
import os
import platform
import threading
import weakref
from typing import Any

import httpx

from uponai_client import AuthenticatedClient

from . import _generated
from ._errors import AuthenticationError, Problem, ValidationError
from ._retry import RetryPolicy
from ._secret import Secret, as_secret
from ._validation import Limits
from ._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
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
"""For uploads (multipart bodies): short connect, long write (a slow uplink) and read (the
server processes the audio)."""

DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)
"""For every other request: 10 s to connect, 30 s to send or to wait for the answer."""

TOKEN_VARIABLE = "UPONAI_API_KEY"  # noqa: S105 - the variable name, not a secret
BASE_URL_VARIABLE = "UPONAI_BASE_URL"


SPEC_VERSION = _generated.SPEC_VERSION

_LoopClients = weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]


@functools.cache
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
    seconds = _seconds(timeout)
    if seconds is None:
        shown = repr(timeout) if len(repr(timeout)) <= 40 else repr(timeout)[:37] + "..."
        problem = f"must be a positive, finite number of seconds or an httpx.Timeout, got {shown}"
        raise ValidationError([Problem(None, "timeout", problem)])
    connect_seconds = UPLOAD_TIMEOUT.connect or seconds
    return httpx.Timeout(seconds, connect=min(seconds, connect_seconds))


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = float(value)
    return seconds if 0 < seconds < math.inf else None


def effective_timeout(
    call: float | httpx.Timeout | None = None,
    connection: httpx.Timeout | None = None,
    *,
    upload: bool,
) -> httpx.Timeout:
    """The one rule for a request's timeout: this call's, else the connection's (from
    `connect(timeout=...)`), else `UPLOAD_TIMEOUT` for an upload and `DEFAULT_TIMEOUT` for the rest."""
    resolved = resolve_timeout(call)
    if resolved is not None:
        return resolved
    if connection is not None:
        return connection
    return UPLOAD_TIMEOUT if upload else DEFAULT_TIMEOUT


def checked_token(token: str | Secret | None) -> Secret:
    """The token, stripped of surrounding whitespace (a token read from a file ends in a
    newline), as a `Secret`; `AuthenticationError` when it is missing, not text, or cannot be
    sent in a header. The error never shows the token."""
    if token is not None and not isinstance(token, str | Secret):
        raise AuthenticationError(
            f"The API token must be text (a str or a uponai_widgets.Secret), not "
            f"{type(token).__name__}."
        )
    token = as_secret(token) if token is not None else None
    if token is None or not token.reveal().strip():
        raise AuthenticationError(
            f"No API token: pass token=... to connect() or set the {TOKEN_VARIABLE} "
            "environment variable."
        )
    if any(not (" " < char <= "~") for char in token.reveal().strip()):
        raise AuthenticationError(
            f"The API token (from {TOKEN_VARIABLE}, token=... or the client) contains spaces "
            "or characters that cannot be sent in an HTTP header."
        )
    return Secret(token.reveal().strip())


def _normalise_client_token(client: AuthenticatedClient) -> Secret:
    """Strip a raw client's token in place (and in HTTP clients it already built)."""
    token = checked_token(client.token)
    if token.reveal() != client.token:
        _generated.set_token(client, token)
    return token


class Connection:
    """The generated `AuthenticatedClient` (as `.client`) with a retry policy and limits.

    Create one with `connect()`. Safe to share between concurrent calls and event loops:
    per-call options (timeouts, progress) never change it. `timeout` is the one set at
    `connect(timeout=...)` for every request, or None for timeouts by kind (`UPLOAD_TIMEOUT`,
    `DEFAULT_TIMEOUT`). Close it with `close()` / `aclose()` or use it as a (sync or async)
    context manager.
    """

    __slots__ = (
        "_loop_clients",
        "_loop_lock",
        "_loop_uploads",
        "_token",
        "_uploads",
        "client",
        "limits",
        "retry",
        "timeout",
    )

    def __init__(
        self,
        client: AuthenticatedClient,
        *,
        retry: RetryPolicy | None = None,
        timeout: float | httpx.Timeout | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.client = client
        self._token = checked_token(client.token)
        self.retry = retry or RetryPolicy()
        self.timeout = resolve_timeout(timeout)
        self.limits = limits or Limits()
        self._loop_clients: _LoopClients = weakref.WeakKeyDictionary()
        self._uploads = _generated.fresh_connections_copy(client)
        self._loop_uploads: _LoopClients = weakref.WeakKeyDictionary()
        self._loop_lock = threading.Lock()

    def async_http(self) -> httpx.AsyncClient:
        """The async HTTP client for the running event loop.

        A pooled HTTP connection belongs to the event loop that opened it, and a notebook may
        run the next call on another loop (a new `asyncio.run`, a kernel subshell's thread).
        The first loop uses the generated client's own `httpx.AsyncClient`; every other loop
        gets one of its own, built from the same settings (base URL, headers, cookies, timeout,
        TLS). A client set with `set_async_httpx_client` serves the first loop only.
        """
        return self._loop_client(self.client, self._loop_clients)

    def upload_http(self) -> httpx.Client:
        """The sync HTTP client for uploads.

        Over plain HTTP, with the HTTP stack the connection built itself, each upload opens a
        connection of its own (no idle one is kept for reuse): the attempt then knows its
        connection, so an answer that arrives during the upload is read at once (see
        `_early_answer`), and an upload never starts on a pooled connection the server already
        closed. Otherwise (HTTPS, a transport or httpx client of the caller) the usual client.
        """
        if self._uploads is None:
            return self.client.get_httpx_client()
        return self._uploads.get_httpx_client()

    def async_upload_http(self) -> httpx.AsyncClient:
        """`upload_http` for the running event loop (see `async_http`)."""
        if self._uploads is None:
            return self.async_http()
        return self._loop_client(self._uploads, self._loop_uploads)

    def _loop_client(self, owner: AuthenticatedClient, clients: _LoopClients) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        with self._loop_lock:
            http = clients.get(loop)
            if http is None:
                source = owner if not clients else _generated.copy_client(owner)
                http = source.get_async_httpx_client()
                clients[loop] = http
        return http

    @property
    def token(self) -> Secret:
        """The API token, as a `Secret` (its repr and str are redacted)."""
        return self._token

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return _generated.base_url(self.client)

    def __repr__(self) -> str:
        return f"Connection(base_url={self.base_url!r}, max_retries={self.retry.max_retries})"

    def close(self) -> None:
        """Close the sync HTTP connections (the async ones need `aclose`)."""
        _generated.close_sync(self.client)
        if self._uploads is not None:
            _generated.close_sync(self._uploads)

    async def aclose(self) -> None:
        """Close the sync HTTP connections and the async ones of the running event loop."""
        self.close()
        loop = asyncio.get_running_loop()
        for owner, clients in (
            (self.client, self._loop_clients),
            (self._uploads, self._loop_uploads),
        ):
            with self._loop_lock:
                async_client = clients.pop(loop, None)
            if async_client is not None:
                await async_client.aclose()
            elif owner is not None:
                await _generated.close_async(owner)

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
    token: str | Secret | None = None,
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
        token: defaults to `$UPONAI_API_KEY`, read now (not at import); a `Secret` or a str
            (held as a `Secret` from here on: no frame shows it).
        timeout: seconds, or an `httpx.Timeout`, for every request; by default uploads get
            `UPLOAD_TIMEOUT` (read 300 s) and every other request `DEFAULT_TIMEOUT` (30 s).
        max_retries: how many times a safe-to-retry failure is retried (ignored with `retry`).
        retry: a full `RetryPolicy` (backoff, opt-in unsafe retries, injectable sleep).
        limits: client-side `Limits` checked before sending.
        httpx_args: extra arguments for the underlying `httpx` clients (for example `transport`).

    Raises:
        AuthenticationError: no token was given and `UPONAI_API_KEY` is not set, or the
            token cannot be sent in a header.
        ValidationError: `base_url` is not an http(s) URL, or `timeout` is not a positive
            number of seconds (nothing is sent).
    """
    token = _entered(token if token is not None else os.environ.get(TOKEN_VARIABLE))
    token = checked_token(token)
    base_url = base_url or os.environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL
    if not isinstance(base_url, str) or not base_url.strip().startswith(("http://", "https://")):
        shown = repr(base_url) if len(repr(base_url)) <= 80 else repr(base_url)[:77] + "..."
        problem = f"must start with http:// or https://, got {shown}"
        raise ValidationError([Problem(None, "base_url", problem)])
    base_url = base_url.strip()
    chosen = resolve_timeout(timeout)
    extra = dict(httpx_args or {})
    client = AuthenticatedClient(
        base_url=base_url.rstrip("/"),
        token=token.reveal(),
        timeout=chosen or DEFAULT_TIMEOUT,
        headers={"User-Agent": user_agent()},
        verify_ssl=extra.pop("verify", True),  # the generated client passes `verify` itself
        httpx_args=extra,
    )
    policy = retry if retry is not None else RetryPolicy(max_retries=max_retries)
    return Connection(client, retry=policy, timeout=chosen, limits=limits)


def _entered(token: str | Secret | None) -> Secret | None:
    """A text token as a `Secret` at once (anything else is left for `checked_token`)."""
    return Secret(token) if isinstance(token, str) else token


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
    problem = (
        "must be a uponai_widgets.Connection (from connect()) or a "
        f"uponai_client.AuthenticatedClient, not {type(connection).__name__}"
    )
    raise ValidationError([Problem(None, "connection", problem)])
