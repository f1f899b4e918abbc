"""Test-mode routes under `/_sandbox/`: fault injection, request log, stored voices.

Every route needs the API's bearer token: the log and the records hold impersonation reasons.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .auth import check_auth
from .drain import DRAIN_EXTRA, drain_request
from .errors import ApiError
from .faults import parse_fault
from .state import SandboxState


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


async def add_faults(request: Request) -> Response:
    """`POST /_sandbox/faults`: queue one fault object or a list of them."""
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise ApiError(
            400, "invalid_json", "the body must be a JSON fault or list of faults"
        ) from None
    specs = body if isinstance(body, list) else [body]
    faults = [parse_fault(spec) for spec in specs]
    state = _state(request)
    state.faults.add(faults)
    return JSONResponse(
        {"faults": state.faults.pending(), "latency_ms": state.faults.standing_latency_ms},
        status_code=201,
    )


async def list_faults(request: Request) -> Response:
    """`GET /_sandbox/faults`: what is still queued."""
    state = _state(request)
    return JSONResponse(
        {"faults": state.faults.pending(), "latency_ms": state.faults.standing_latency_ms}
    )


async def clear_faults(request: Request) -> Response:
    """`DELETE /_sandbox/faults`: forget all faults."""
    return JSONResponse({"cleared": _state(request).faults.clear()})


async def list_requests(request: Request) -> Response:
    """`GET /_sandbox/requests`: every API request received, oldest first."""
    return JSONResponse(_state(request).request_log.entries())


async def clear_requests(request: Request) -> Response:
    """`DELETE /_sandbox/requests`: empty the request log."""
    return JSONResponse({"cleared": _state(request).request_log.clear()})


async def list_voices(request: Request) -> Response:
    """`GET /_sandbox/voices[?name=N][&records=1]`: stored ids, or whole records, oldest first."""
    store = _state(request).store
    name = request.query_params.get("name")
    if request.query_params.get("records", "") in ("1", "true"):
        return JSONResponse(store.list_voices(name))
    return JSONResponse(store.list_voice_ids(name))


async def get_voice(request: Request) -> Response:
    """`GET /_sandbox/voices/{voice_id}`: the stored record, sample paths and hashes included."""
    record = _state(request).store.get_voice(request.path_params["voice_id"])
    if record is None:
        raise ApiError(404, "not_found", "no such voice")
    return JSONResponse(record)


Handler = Callable[[Request], Awaitable[Response]]


def _authenticated(handler: Handler) -> Handler:
    """`handler` behind the bearer token (401 before anything else happens)."""

    async def guarded(request: Request) -> Response:
        settings = _state(request).settings
        try:
            check_auth(request, settings.token)
        except ApiError:
            budget = settings.max_request_size + DRAIN_EXTRA
            await drain_request(request, max_bytes=budget, seconds=settings.body_timeout)
            raise
        return await handler(request)

    guarded.__doc__ = handler.__doc__
    return guarded


ROUTES = [
    Route(path, _authenticated(handler), methods=[method])
    for path, handler, method in [
        ("/_sandbox/faults", add_faults, "POST"),
        ("/_sandbox/faults", list_faults, "GET"),
        ("/_sandbox/faults", clear_faults, "DELETE"),
        ("/_sandbox/requests", list_requests, "GET"),
        ("/_sandbox/requests", clear_requests, "DELETE"),
        ("/_sandbox/voices", list_voices, "GET"),
        ("/_sandbox/voices/{voice_id}", get_voice, "GET"),
    ]
]
