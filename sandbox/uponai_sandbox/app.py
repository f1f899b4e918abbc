"""The Starlette application: the spec's one operation, previews, health and test routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from . import testing
from .clone import CloneHandler
from .config import Settings
from .errors import ApiError
from .state import SandboxState
from .store import Store

logger = logging.getLogger("uponai_sandbox")


async def clone_voice(request: Request) -> Response:
    """`POST /api/voices/clone`."""
    state: SandboxState = request.app.state.sandbox
    return await CloneHandler(state, request).run()


async def preview(request: Request) -> Response:
    """`GET /preview/{token}`: the first sample, no bearer token, byte ranges supported."""
    state: SandboxState = request.app.state.sandbox
    found = state.store.preview(request.path_params["token"])
    if found is None or not found.path.is_file():
        raise ApiError(404, "not_found", "no such preview")
    return FileResponse(
        found.path,
        media_type=found.content_type,
        headers={
            "Cache-Control": "private, max-age=3600",
            "Content-Disposition": "inline",
            # The URL is the capability: pages on other origins (JupyterLab) may read it too.
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Expose-Headers": "Accept-Ranges, Content-Length, Content-Range",
        },
    )


async def health(request: Request) -> Response:
    """`GET /healthz`: the sandbox is up."""
    state: SandboxState = request.app.state.sandbox
    return JSONResponse({"status": "ok", "testMode": state.settings.test_mode})


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return ApiError(
        exc.status_code, code, str(exc.detail), headers=dict(exc.headers or {})
    ).response()


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return ApiError(500, "internal_error", "unexpected sandbox error").response()


def create_app(settings: Settings, state: SandboxState | None = None) -> Starlette:
    """Build the app; pass `state` to share a connection registry with the server."""
    sandbox = state or SandboxState(settings=settings, store=Store(settings.data_dir))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        sandbox.store.close()

    routes = [
        Route("/api/voices/clone", clone_voice, methods=["POST"]),
        Route("/preview/{token}", preview, methods=["GET", "HEAD"]),
        Route("/healthz", health, methods=["GET"]),
    ]
    if settings.test_mode:
        routes += testing.ROUTES
    app = Starlette(
        routes=routes,
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app
