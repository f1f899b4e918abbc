"""Start the constraint resolutions as soon as collection is over (when they were selected), so
pip's registry round trips overlap the tests that run before them."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import resolve

_STARTED: list[resolve.Resolutions] = []
_FOLDERS: list[tempfile.TemporaryDirectory[str]] = []


def pytest_collection_finish(session: pytest.Session) -> None:
    if session.config.option.collectonly:
        return
    if any(
        item.nodeid.startswith("tests/install/test_constraints_resolve.py")
        for item in session.items
    ):
        folder = tempfile.TemporaryDirectory(prefix="uponai-resolve-")
        _FOLDERS.append(folder)
        _STARTED.append(resolve.start(Path(folder.name)))


def pytest_sessionfinish(session: pytest.Session) -> None:
    for running in _STARTED:
        running.stop()
    for folder in _FOLDERS:
        folder.cleanup()


@pytest.fixture(scope="module")
def resolutions(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, tuple[int, str, Path]]]:
    """(status, stderr, report path) per Python version: the early start, else a new one."""
    running = _STARTED[0] if _STARTED else resolve.start(tmp_path_factory.mktemp("resolve"))
    try:
        yield running.wait()
    finally:
        running.stop()
