"""Fixtures for the real-browser tests: JupyterLab, Notebook 7 and Voila against the session
sandbox, and Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext

from uponai_devtools.browser import CHROMIUM, chromium
from uponai_devtools.frontends import RunningFrontend, start_notebook7, start_voila
from uponai_devtools.lab import NOTEBOOK, RunningLab, start_lab
from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_large_wav


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does)")


def _lab_root(tmp: Path) -> Path:
    root = tmp / "root"
    root.mkdir()
    return root


@pytest.fixture(scope="module")
def lab(
    tmp_path_factory: pytest.TempPathFactory, _sandbox_process: RunningSandbox
) -> Iterator[RunningLab]:
    """Default-settings JupyterLab; kernels talk to the sandbox with the right token; saveState on."""
    tmp = tmp_path_factory.mktemp("lab")
    kernel_env = {
        "UPONAI_BASE_URL": _sandbox_process.url,
        "UPONAI_API_KEY": _sandbox_process.token,
        "UPONAI_WORKSPACE_ID": "11",
    }
    with start_lab(tmp, _lab_root(tmp), kernel_env=kernel_env, save_widget_state=True) as running:
        yield running


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """One headless Chromium (fresh profile) for the module."""
    _require_chromium()
    with chromium(tmp_path_factory.mktemp("chromium")) as context:
        yield context


@pytest.fixture
def notebook(request: pytest.FixtureRequest, lab: RunningLab) -> Iterator[str]:
    """A fresh copy of notebooks/clone_voice.ipynb in Lab's root, named after the test.

    Its kernel is shut down afterwards, so kernels holding large samples do not pile up.
    """
    name = f"{request.node.name}.ipynb".replace("[", "_").replace("]", "_")
    shutil.copyfile(NOTEBOOK, lab.root_dir / name)
    yield name
    headers = {"Authorization": f"token {lab.token}"}
    with httpx.Client(base_url=lab.url, headers=headers, timeout=10) as http:
        for session in http.get("/api/sessions").json():
            if session.get("path") == name:
                http.delete(f"/api/sessions/{session['id']}")


def _kernel_env(sandbox: RunningSandbox) -> dict[str, str]:
    return {
        "UPONAI_BASE_URL": sandbox.url,
        "UPONAI_API_KEY": sandbox.token,
        "UPONAI_WORKSPACE_ID": "11",
    }


@pytest.fixture(scope="session")
def notebook7(
    tmp_path_factory: pytest.TempPathFactory, _sandbox_process: RunningSandbox
) -> Iterator[RunningFrontend]:
    """One default-settings Notebook 7 server for the session (clone_voice.ipynb in its root)."""
    tmp = tmp_path_factory.mktemp("notebook7")
    root = _lab_root(tmp)
    shutil.copyfile(NOTEBOOK, root / NOTEBOOK.name)
    with start_notebook7(tmp, root, kernel_env=_kernel_env(_sandbox_process)) as running:
        yield running


@pytest.fixture(scope="session")
def voila(
    tmp_path_factory: pytest.TempPathFactory, _sandbox_process: RunningSandbox
) -> Iterator[RunningFrontend]:
    """One default-settings Voila server for the session, serving clone_voice.ipynb."""
    tmp = tmp_path_factory.mktemp("voila")
    root = _lab_root(tmp)
    shutil.copyfile(NOTEBOOK, root / NOTEBOOK.name)
    with start_voila(
        tmp, root / NOTEBOOK.name, kernel_env=_kernel_env(_sandbox_process)
    ) as running:
        yield running


@pytest.fixture(scope="session")
def sixty_mb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 60 MB WAV, made once for the session."""
    return make_large_wav(tmp_path_factory.mktemp("sixty") / "ada_long.wav", 60_000_000)
