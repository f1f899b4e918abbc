"""Import a freshly generated client package under a name of the test's choosing.

Generated code imports only relatively, so a package written to `.../uponai_client` can be
loaded as `corpus_x` beside the installed `uponai_client` in one process (no `sys.path` edit).
"""

from __future__ import annotations

import datetime
import enum
import importlib
import importlib.util
import inspect
import pkgutil
import sys
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["import_generated", "operations_of", "simple_arguments"]


def import_generated(package: Path, name: str) -> types.ModuleType:
    """The generated package at `package`, imported as top-level module `name`."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def operations_of(root: types.ModuleType) -> Iterator[types.ModuleType]:
    """Every operation module under `root.api`, in name order."""
    api = importlib.import_module(f"{root.__name__}.api")
    names = sorted(
        info.name
        for info in pkgutil.walk_packages(api.__path__, api.__name__ + ".")
        if not info.ispkg
    )
    for name in names:
        yield importlib.import_module(name)


_SIMPLE: dict[Any, Any] = {int: 7, str: "x", float: 1.5, bool: True}


def _value_for(annotation: Any) -> Any:
    if annotation in _SIMPLE:
        return _SIMPLE[annotation]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return next(iter(annotation))
    if annotation is datetime.datetime:
        return datetime.datetime(2026, 12, 3, tzinfo=datetime.UTC)
    if annotation is datetime.date:
        return datetime.date(2026, 12, 3)
    raise LookupError(annotation)


def simple_arguments(parameters: Mapping[str, inspect.Parameter]) -> dict[str, Any] | None:
    """Values for every required parameter of simple type, or None when one is not simple."""
    arguments = {}
    for name, parameter in parameters.items():
        if parameter.default is not inspect.Parameter.empty:
            continue
        try:
            arguments[name] = _value_for(parameter.annotation)
        except LookupError:
            return None
    return arguments
