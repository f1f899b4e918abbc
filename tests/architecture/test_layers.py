"""The package's layers hold: imports point one way.

Imports are read from the source (``import`` / ``from`` statements, relative ones resolved, and
``importlib.import_module("...")`` / ``__import__("...")`` string literals), so an import hidden in
a function body or done by name counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "widgets" / "uponai_widgets"

NOTEBOOK_LIBRARIES = {"ipywidgets", "anywidget", "IPython", "traitlets", "ipykernel"}
CORE_THIRD_PARTY = {
    "uponai_client",
    "httpx",
    "httpcore",
    "attrs",
    "typing_extensions",
}  # the last for mypy only
SUBPACKAGES = ("batch", "audio", "jupyter", "cli")


@dataclass(frozen=True)
class Import:
    """One imported module name, where it was found."""

    module: str
    importer: str
    line: int


def module_name(path: Path) -> str:
    """``uponai_widgets.batch._run`` for ``widgets/uponai_widgets/batch/_run.py``."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imports_of(path: Path) -> Iterator[Import]:
    """Every module ``path`` imports, by statement or by a literal name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    importer = module_name(path) if path.is_relative_to(PACKAGE) else path.stem
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, importer, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                target = _resolve(importer, is_package, node.level, node.module)
            else:
                target = node.module or ""
            yield Import(target, importer, node.lineno)
            for alias in node.names:  # `from . import _decode` imports a module too
                yield Import(f"{target}.{alias.name}", importer, node.lineno)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (
                name in {"import_module", "__import__"}
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                target = first.value
                if target.startswith(".") and len(node.args) > 1:
                    level = len(target) - len(target.lstrip("."))
                    target = _resolve(importer, is_package, level, target.lstrip(".") or None)
                yield Import(target, importer, node.lineno)


def package_modules() -> list[Path]:
    """Every hand-written module of `uponai_widgets`."""
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def layer_of(module: str) -> str:
    """``core``, ``facade`` or the subpackage a module of `uponai_widgets` belongs to."""
    parts = module.split(".")
    if len(parts) == 1:
        return "facade"
    if parts[1] in SUBPACKAGES:
        return parts[1]
    return "core"


def top(module: str) -> str:
    return module.split(".")[0]


def within(module: str, layer: str) -> bool:
    return module.startswith("uponai_widgets.") and layer_of(module) == layer


ALL_IMPORTS = [imp for path in package_modules() for imp in imports_of(path)]


def _where(imp: Import) -> str:
    return f"{imp.importer}:{imp.line} imports {imp.module}"


def test_the_reader_sees_imports_by_statement_and_by_name(tmp_path: Path) -> None:
    """The rule tests can only be trusted if the reader finds every kind of import."""
    probe = PACKAGE / "batch" / "_probe_for_the_reader.py"
    probe.write_text(
        "import importlib\n"
        "def f():\n"
        "    import ipywidgets\n"
        "    from ..jupyter import _card\n"
        "    importlib.import_module('anywidget')\n"
        "    importlib.import_module('.._errors', __name__)\n",
        encoding="utf-8",
    )
    try:
        found = {imp.module for imp in imports_of(probe)}
    finally:
        probe.unlink()
    assert {
        "ipywidgets",
        "uponai_widgets.jupyter",
        "uponai_widgets.jupyter._card",
        "anywidget",
        "uponai_widgets._errors",
    } <= found


def test_only_jupyter_imports_the_notebook_libraries() -> None:
    wrong = [
        _where(imp)
        for imp in ALL_IMPORTS
        if top(imp.module) in NOTEBOOK_LIBRARIES and layer_of(imp.importer) != "jupyter"
    ]
    assert wrong == []


def test_core_imports_only_the_client_httpx_attrs_and_the_standard_library() -> None:
    wrong = [
        _where(imp)
        for imp in ALL_IMPORTS
        if layer_of(imp.importer) == "core"
        and top(imp.module) not in CORE_THIRD_PARTY | set(sys.stdlib_module_names)
        and not within(imp.module, "core")
        and imp.module != "uponai_widgets"
    ]
    assert wrong == []


def test_core_imports_nothing_above_it() -> None:
    wrong = [
        _where(imp)
        for imp in ALL_IMPORTS
        if layer_of(imp.importer) == "core"
        and any(within(imp.module, layer) for layer in SUBPACKAGES)
    ]
    assert wrong == []


@pytest.mark.parametrize("layer", ["batch", "audio"])
def test_batch_and_audio_import_neither_jupyter_nor_cli_nor_each_other(layer: str) -> None:
    other = {"batch": "audio", "audio": "batch"}[layer]
    wrong = [
        _where(imp)
        for imp in ALL_IMPORTS
        if layer_of(imp.importer) == layer
        and any(within(imp.module, above) for above in ("jupyter", "cli", other))
    ]
    assert wrong == []


def test_nothing_imports_the_command_line_but_itself() -> None:
    wrong = [
        _where(imp)
        for imp in ALL_IMPORTS
        if within(imp.module, "cli") and layer_of(imp.importer) not in {"cli", "facade"}
    ]
    assert wrong == []


GENERATED = REPO / "generated_client" / "uponai_client"
ADAPTER = "uponai_widgets._generated"


def generated_private_names() -> set[str]:
    """Private names of the generated package: module-level functions of its operation
    modules (`_get_kwargs`, `_parse_response`, ...) and its client classes' attributes."""
    names: set[str] = set()
    for path in GENERATED.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                candidate = node.name
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                candidate = node.target.id
            else:
                continue
            if candidate.startswith("_") and not candidate.startswith("__"):
                names.add(candidate)
    return names


def private_uses(path: Path, private: set[str]) -> Iterator[str]:
    """Where `path` reaches a generated private name: `x._get_kwargs`, `getattr(x, "_client")`
    (not `self._name`, which is the class's own), or imports a private generated module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in private:
            if not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}):
                yield f"{path.name}:{node.lineno} .{node.attr}"
        elif isinstance(node, ast.Constant) and node.value in private:
            yield f"{path.name}:{node.lineno} {node.value!r}"
    for imp in imports_of(path):
        parts = imp.module.split(".")
        if parts[0] == "uponai_client" and any(part.startswith("_") for part in parts[1:]):
            yield f"{path.name}:{imp.line} imports {imp.module}"


def test_the_boundary_reader_sees_each_kind_of_private_use(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from uponai_client._spec import SPEC_VERSION\n"
        "def f(operation, client):\n"
        "    operation._get_kwargs()\n"
        "    getattr(client, '_async_client')\n"
        "    self._client = None\n",
        encoding="utf-8",
    )
    lines = {use.split()[0] for use in private_uses(probe, generated_private_names())}
    assert lines == {"probe.py:1", "probe.py:3", "probe.py:4"}


def test_only_the_adapter_touches_the_generated_clients_internals() -> None:
    private = generated_private_names()
    assert {"_get_kwargs", "_parse_response", "_base_url", "_async_client"} <= private
    wrong = [
        use
        for path in package_modules()
        if module_name(path) != ADAPTER
        for use in private_uses(path, private)
    ]
    assert wrong == []


def test_the_facade_imports_subpackages_only_lazily_or_for_type_checkers() -> None:
    facade = PACKAGE / "__init__.py"
    tree = ast.parse(facade.read_text(encoding="utf-8"))
    eager = [
        node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        and node.level
        and node.module
        and node.module.split(".")[0] in SUBPACKAGES
    ]
    assert eager == []


def test_every_layer_says_what_it_holds_and_may_import() -> None:
    for layer in ("batch", "audio", "jupyter"):
        doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text()))
        assert doc, f"{layer}/__init__.py has no module docstring"
        assert "import" in doc, f"{layer}/__init__.py does not say what it may import"
    facade_doc = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text())) or ""
    for layer in ("jupyter/", "batch/", "audio/", "core"):
        assert layer in facade_doc, f"the package docstring's map lacks {layer}"
