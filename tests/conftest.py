"""Shared fixtures: a sandbox process for the whole session, and a factory for restart tests.

`sandbox` (function scope) reuses one test-mode sandbox per session; before each test it clears
queued faults and the request log. `sandbox_factory(data_dir=None, **kwargs)` starts dedicated
sandboxes, stopped at the end of the test (or earlier with `sandbox_factory.stop(running)`).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from uponai_devtools.sandbox import RunningSandbox, SandboxFactory, start_sandbox


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C as in a terminal: a suite started as a background job of a shell without job
    control (a CI runner's script, `cmd &`) inherits an ignored SIGINT, and Python then keeps it
    ignored; the tests of what Ctrl-C does need Python's own handler."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def _sandbox_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with start_sandbox(tmp_path_factory.mktemp("sandbox") / "data") as running:
        yield running


@pytest.fixture
def sandbox(_sandbox_process: RunningSandbox) -> RunningSandbox:
    """The session's test-mode sandbox, with no queued faults and an empty request log."""
    _sandbox_process.clear_faults()
    _sandbox_process.clear_requests()
    return _sandbox_process


@pytest.fixture
def sandbox_factory(tmp_path: Path) -> Iterator[SandboxFactory]:
    """Start dedicated sandboxes (default data dir `tmp_path / "data"`), all stopped at teardown."""
    factory = SandboxFactory(tmp_path / "data")
    try:
        yield factory
    finally:
        factory.close()
