"""Hand-written modules stay small and say why, not which ticket (generated code is exempt)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HAND_WRITTEN = ("widgets", "sandbox", "scripts", "tests", "benchmarks")
MAX_LINES = 400


def hand_written_modules() -> list[Path]:
    return sorted(
        path
        for folder in HAND_WRITTEN
        for path in (REPO / folder).rglob("*.py")
        if "__pycache__" not in path.parts and ".venv" not in path.parts
    )


def test_no_hand_written_module_is_over_the_line_limit() -> None:
    modules = hand_written_modules()
    assert len(modules) > 50  # the walk found the tree
    long = {
        str(path.relative_to(REPO)): count
        for path in modules
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


ISSUE_REFERENCE = re.compile(r"\bissues? #?\d+", re.IGNORECASE)
UPSTREAM = re.compile(r"upstream issue|github\.com/\S+/issues/\d+", re.IGNORECASE)


def test_no_comment_or_docstring_refers_to_an_issue_number() -> None:
    """Code says why, not which ticket: our issue numbers mean nothing to a reader later."""
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in hand_written_modules()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ISSUE_REFERENCE.search(line) and not UPSTREAM.search(line)
    ]
    assert found == []


def test_tests_and_benchmarks_do_not_edit_sys_path_and_benchmarks_do_not_import_tests() -> None:
    """Shared harness lives in `devtools/uponai_devtools` (on the dev path), not in `tests/`."""
    wrong = []
    for folder in ("tests", "benchmarks"):
        for path in sorted((REPO / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if re.search(r"sys\.path\.(insert|append)\(", text) and path != Path(__file__):
                wrong.append(f"{path.relative_to(REPO)} edits sys.path")
            if folder == "benchmarks":
                for node in ast.walk(ast.parse(text)):
                    names = (
                        [a.name for a in node.names]
                        if isinstance(node, ast.Import)
                        else [node.module or ""]
                        if isinstance(node, ast.ImportFrom)
                        else []
                    )
                    wrong += [
                        f"{path.relative_to(REPO)} imports {n}"
                        for n in names
                        if n.split(".")[0] in {"support", "tests", "conftest"}
                    ]
            if folder == "benchmarks" and '"tests"' in text:
                wrong.append(f"{path.relative_to(REPO)} reaches into tests/")
    assert wrong == []
