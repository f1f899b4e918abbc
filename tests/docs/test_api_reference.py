"""The API reference: every public name and every public method of a public class has a
docstring, and `make docs` (pdoc) builds a page for each of them that works offline."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

import uponai_widgets

REPO = Path(__file__).resolve().parents[2]
PDOC = ["-m", "pdoc", "--no-search", "--output-directory"]
# Data, not code: documented in the module docstring.
NOT_CODE = {"__version__"}


def _own_doc(obj: object) -> bool:
    return bool((getattr(obj, "__doc__", None) or "").strip())


def _methods(cls: type) -> list[tuple[str, object]]:
    """Public methods and properties defined by `cls` itself (inherited ones are checked where
    they are defined; dataclass fields and constants are not code)."""
    found = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        function = value.__func__ if isinstance(value, classmethod | staticmethod) else value
        function = function.fget if isinstance(function, property) else function
        if inspect.isfunction(function):
            found.append((name, function))
    return found


def undocumented(module: types.ModuleType) -> list[str]:
    """`module.__all__` names (and their classes' public methods) without a docstring.

    Classes re-exported from the generated client (`uponai_client`, never edited by hand) need
    their own docstring; their generated methods (`to_dict`, ...) are the generator's.
    """
    missing = []
    for name in module.__all__:
        if name in NOT_CODE:
            continue
        obj = getattr(module, name)
        if not _own_doc(obj):
            missing.append(name)
        generated = getattr(obj, "__module__", "").startswith("uponai_client")
        if inspect.isclass(obj) and not generated:
            missing += [f"{name}.{m}" for m, f in _methods(obj) if not _own_doc(f)]
    return missing


def test_every_public_name_and_method_has_a_docstring() -> None:
    assert undocumented(uponai_widgets) == []


def test_the_check_finds_a_missing_docstring() -> None:
    def bare() -> None:
        pass

    class Thing:
        """Documented."""

        def run(self) -> None:
            pass

        @property
        def size(self) -> int:
            return 1

    fake = types.ModuleType("fake")
    fake.__all__ = ["bare", "Thing"]  # type: ignore[attr-defined]
    fake.bare = bare  # type: ignore[attr-defined]
    fake.Thing = Thing  # type: ignore[attr-defined]
    assert undocumented(fake) == ["bare", "Thing.run", "Thing.size"]


@pytest.mark.slow
def test_make_docs_builds_a_page_of_every_public_name_that_works_offline(tmp_path: Path) -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "$(BIN)/python " + " ".join(PDOC) + " docs/api uponai_widgets" in makefile
    out = tmp_path / "api"
    done = subprocess.run(
        [sys.executable, *PDOC, str(out), "uponai_widgets"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = (out / "uponai_widgets.html").read_text()
    ids = set(re.findall(r'id="([^"]+)"', page))
    for name in uponai_widgets.__all__:
        if name not in NOT_CODE:
            assert name in ids, f"{name} is missing from the API reference"
    assert "clone_voice" in ids
    assert "OutcomeUnknownError" in ids
    # Offline: no script or stylesheet from the network.
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page)
