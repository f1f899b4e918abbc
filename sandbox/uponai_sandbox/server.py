"""Run the app under uvicorn; in test mode, track connections so faults can drop them."""

from __future__ import annotations

import asyncio
import logging

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import create_app
from .config import Settings
from .faults import ConnectionRegistry
from .state import SandboxState
from .store import Store

logger = logging.getLogger("uponai_sandbox")


def _tracking_protocol(registry: ConnectionRegistry) -> type[H11Protocol]:
    """An h11 protocol class that registers each connection's transport by client address."""

    class TrackingH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn narrows BaseTransport to Transport too
            super().connection_made(transport)
            registry.register(self.client, transport)

        def connection_lost(self, exc: Exception | None) -> None:
            registry.forget(self.client)
            super().connection_lost(exc)

    return TrackingH11Protocol


def serve(settings: Settings) -> None:
    """Serve until SIGINT/SIGTERM."""
    state = SandboxState(settings=settings, store=Store(settings.data_dir))
    app = create_app(settings, state)
    http: type[H11Protocol] | str = (
        _tracking_protocol(state.connections) if settings.test_mode else "h11"
    )
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=http,
        log_level=settings.log_level,
        lifespan="on",
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    logger.info("UponAI sandbox: data in %s, test mode %s", settings.data_dir, settings.test_mode)
    uvicorn.Server(config).run()
