"""A client generated from a 45-operation spec in UponAI's style, and a scripted loopback API.

`platform_api` regenerates `fixtures/uponai_platform.json` through `scripts/regenerate.py` once per
session and imports it as `uponai_platform` beside the installed `uponai_client`; its folder
(`platform_client_dir`) can also shadow `uponai_client` in a subprocess, as a user's regenerated
client would. `api` is a scripted server (its own process, 127.0.0.1, stopped by PID) with an
empty queue and log; `connection` talks to it with instant, recorded retry waits.
"""

from __future__ import annotations

import importlib
import json
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.codegen import regenerate
from support.generated_import import import_generated, operations_of
from support.operations import TOKEN, Waits
from support.scripted_server import ScriptedServer

import uponai_widgets as uw

FIXTURE_SPEC = Path(__file__).resolve().parent / "fixtures" / "uponai_platform.json"


@pytest.fixture(scope="session")
def platform_client_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`.../generated_client` holding `uponai_client` generated from the fixture spec."""
    scratch = tmp_path_factory.mktemp("platform")
    names = scratch / "names.json"
    names.write_text(json.dumps({"$comment": "none"}))
    package = scratch / "generated_client" / "uponai_client"
    done = regenerate("--spec", FIXTURE_SPEC, "--name-map", names, "--package-dir", package)
    assert done.returncode == 0, done.stderr
    return package.parent


@pytest.fixture(scope="session")
def platform_api(platform_client_dir: Path) -> types.ModuleType:
    """The generated fixture client, imported as `uponai_platform` (every operation loaded,
    so `platform_api.api.voices.get_voice` resolves)."""
    root = import_generated(platform_client_dir / "uponai_client", "uponai_platform")
    assert len(list(operations_of(root))) >= 34
    importlib.import_module("uponai_platform.models")
    return root


@pytest.fixture(scope="session")
def api_server() -> Iterator[ScriptedServer]:
    """The session's scripted API process (tests reset it themselves)."""
    with ScriptedServer(max_seconds=900) as running:
        yield running


@pytest.fixture
def api(api_server: ScriptedServer) -> ScriptedServer:
    """The scripted API with an empty queue and request log."""
    api_server.reset()
    return api_server


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def connection(api: ScriptedServer, waits: Waits) -> Iterator[uw.Connection]:
    """A connection to the scripted API: two retries, waits recorded, not slept."""
    policy = uw.RetryPolicy(max_retries=2, sleep=waits.sleep, async_sleep=waits.async_sleep)
    with uw.connect(api.url, TOKEN, retry=policy, httpx_args={"trust_env": False}) as connected:
        yield connected
