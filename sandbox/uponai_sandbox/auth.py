"""Bearer-token check shared by the API and the test-mode routes.

A 401 closes the connection (`Connection: close`): an unauthenticated client gets no keep-alive
and cannot hold a connection slot by sending more.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request

from .errors import ApiError

_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer", "Connection": "close"}


def check_auth(request: Request, token: str) -> None:
    """401 unless the request carries `Authorization: Bearer <token>`."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise ApiError(401, "unauthorized", "missing bearer token", headers=_UNAUTHORIZED_HEADERS)
    if not secrets.compare_digest(credentials.strip().encode(), token.encode()):
        raise ApiError(401, "unauthorized", "invalid bearer token", headers=_UNAUTHORIZED_HEADERS)
