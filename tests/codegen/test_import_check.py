"""The import check reports each module that does not import and writes nothing."""

from __future__ import annotations

from pathlib import Path

from uponai_codegen import tree

MODULES = {
    "__init__.py": "",
    "types.py": "UNSET = object()\n",
    "api/__init__.py": "",
    "api/things/__init__.py": "",
    "api/things/get_thing.py": "from ...models.thing import Thing\n",
    "api/things/list_things.py": "from ...models.status import Status\n",
    "models/__init__.py": "from .thing import Thing\nfrom .status import Status\n",
    "models/thing.py": "class Thing:\n    pass\n",
    "models/status.py": "class Status:\n    pass\n",
}


def write_package(root: Path) -> Path:
    package = root / "uponai_client"
    for name, text in MODULES.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return package


def test_the_import_check_leaves_nothing_behind(tmp_path: Path) -> None:
    package = write_package(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    (package / "models" / "thing.py").write_text("1/0\n")
    broken = tree.verify_package(package)
    assert broken["uponai_client.models.thing"] == "ZeroDivisionError: division by zero"
    assert sorted(tmp_path.rglob("*")) == before


def test_a_module_that_does_not_compile_is_reported_though_compiled_ahead(tmp_path: Path) -> None:
    # The operations and the last models are byte-compiled ahead of the check by another
    # process, which skips what does not compile: the check still reports it, with the cause.
    package = write_package(tmp_path)
    (package / "models" / "thing.py").write_text("class Thing(:\n    pass\n")
    (package / "api" / "things" / "list_things.py").write_text("def broken(:\n")
    broken = tree.verify_package(package)
    assert broken["uponai_client.models.thing"] == "SyntaxError: invalid syntax (thing.py, line 1)"
    assert broken["uponai_client.api.things.list_things"] == (
        "SyntaxError: invalid syntax (list_things.py, line 1)"
    )
    assert not list(tmp_path.rglob("__pycache__"))
