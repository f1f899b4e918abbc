"""Run the app under uvicorn behind the connection guard (timeouts, connection limit)."""

from __future__ import annotations

import logging
import os

import uvicorn

from .app import create_app
from .config import Settings
from .drain import DRAIN_EXTRA
from .guard import ConnectionGuard
from .state import SandboxState
from .store import Store

logger = logging.getLogger("uponai_sandbox")

MAX_HEAD_BYTES = 16 * 1024
"""Largest request head (request line and headers) accepted; h11 answers 400 beyond it."""


def serve(settings: Settings) -> None:
    """Serve until SIGINT/SIGTERM."""
    os.umask(0o077)  # everything the sandbox writes (SQLite journals included) is private
    state = SandboxState(settings=settings, store=Store(settings.data_dir))
    app = create_app(settings, state)
    guard = ConnectionGuard(
        header_timeout=settings.header_timeout,
        body_timeout=settings.body_timeout,
        max_connections=settings.max_connections,
        drain_bytes=settings.max_request_size + DRAIN_EXTRA,
        registry=state.connections,
    )
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=guard.protocol_class(),
        log_level=settings.log_level,
        lifespan="on",
        server_header=False,
        timeout_keep_alive=settings.keep_alive_timeout,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        timeout_graceful_shutdown=5,
    )
    logger.info("UponAI sandbox: data in %s, test mode %s", settings.data_dir, settings.test_mode)
    uvicorn.Server(config).run()
