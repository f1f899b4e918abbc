"""Hand-written modules stay small and say why, not which ticket (generated code is exempt)."""

from __future__ import annotations

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
