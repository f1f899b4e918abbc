"""Bearer-token check shared by the API and the test-mode routes."""

from __future__ import annotations

import secrets

from starlette.requests import Request

from .errors import ApiError


def check_auth(request: Request, token: str) -> None:
    """401 unless the request carries `Authorization: Bearer <token>`."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise ApiError(
            401, "unauthorized", "missing bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
    if not secrets.compare_digest(credentials.strip().encode(), token.encode()):
        raise ApiError(
            401, "unauthorized", "invalid bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
