"""The fenced blocks of a Markdown page, and how the README test runs them as a user would.

A block is what sits between two ``` fences; its language is the fence's word. The HTML comment
on the line right above a fence is its marker (`<!-- run-by: tests/x.py -->`,
`<!-- readme-test: checkout -->`); a `text` block that follows another block with nothing but
blank lines between is that block's output. In expected output `...` stands for any text (an
id, a port, a time); blank lines are not compared.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "RUNNABLE",
    "Block",
    "command_lines",
    "console_commands",
    "lines_match",
    "markdown_blocks",
    "run_bash",
    "run_console",
    "run_python",
]

RUNNABLE = ("bash", "console", "python")
_FENCE = re.compile(r"^```([\w-]*)[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
_MARKER = re.compile(r"<!--\s*([\w-]+):\s*(.*?)\s*-->")
_STATUS = re.compile(r"^@@readme-status (\d+)@@$", re.M)
TIMEOUT = 240.0


@dataclass
class Block:
    """One fenced block: its language, text, first line number, marker and shown output."""

    language: str
    text: str
    line: int
    marker: tuple[str, str] | None = None
    output: str | None = None

    @property
    def name(self) -> str:
        """`python block at line 12`: how a failure names it."""
        return f"{self.language} block at line {self.line}"


def markdown_blocks(text: str) -> list[Block]:
    """Every fenced block of `text`, each `text` output attached to the block before it."""
    blocks: list[Block] = []
    previous_end = 0
    for found in _FENCE.finditer(text):
        language, body = found.group(1), found.group(2)
        between = text[previous_end : found.start()]
        previous_end = found.end()
        if language == "text" and blocks and not between.strip():
            blocks[-1].output = body
            continue
        above = between.rstrip().splitlines()[-1:] if between.strip() else []
        marker = _MARKER.fullmatch(above[0].strip()) if above else None
        blocks.append(
            Block(
                language=language,
                text=body,
                line=text.count("\n", 0, found.start()) + 2,
                marker=(marker.group(1), marker.group(2)) if marker else None,
            )
        )
    return blocks


def console_commands(block: Block) -> list[tuple[str, list[str]]]:
    """A console block's commands (`$ ` lines) with the lines shown after each."""
    commands: list[tuple[str, list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"{block.name}: output before any $ command: {line!r}")
    return commands


def command_lines(block: Block) -> list[str]:
    """The commands of a bash or console block, without comments."""
    if block.language == "console":
        found = [command for command, _ in console_commands(block)]
    else:
        found = [line for line in block.text.splitlines() if line.strip()]
    return [line.split("  #")[0].strip() for line in found if not line.lstrip().startswith("#")]


def lines_match(expected: str | list[str], actual: str) -> str | None:
    """None when `actual` shows the `expected` lines (`...` as a wildcard), else what differs."""
    wanted = [line.rstrip() for line in _lines(expected) if line.strip()]
    got = [line.rstrip() for line in actual.splitlines() if line.strip()]
    patterns = [".*".join(map(re.escape, line.split("..."))) for line in wanted]
    if len(got) == len(wanted) and all(
        re.fullmatch(pattern, line) for pattern, line in zip(patterns, got, strict=True)
    ):
        return None
    return "expected:\n  " + "\n  ".join(wanted) + "\ngot:\n  " + "\n  ".join(got)


def _lines(text: str | list[str]) -> list[str]:
    return text.splitlines() if isinstance(text, str) else text


def _run(args: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


def _check(block: Block, done: subprocess.CompletedProcess[str]) -> None:
    printed = f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert done.returncode == 0, f"{block.name} exited with {done.returncode}\n{printed}"
    if block.output is not None:
        differs = lines_match(block.output, done.stdout)
        assert differs is None, f"{block.name} printed something else: {differs}"


def run_python(block: Block, cwd: Path, env: Mapping[str, str]) -> None:
    """Run a python block in a fresh interpreter of this environment; it must succeed and print
    its shown output."""
    _check(block, _run([sys.executable, "-c", block.text], cwd, env))


def run_bash(block: Block, cwd: Path, env: Mapping[str, str]) -> None:
    """Run a bash block with `bash -e` (a failing line fails it); it must print its output."""
    _check(block, _run(["bash", "-e", "-c", block.text], cwd, env))


def run_console(block: Block, cwd: Path, env: Mapping[str, str]) -> None:
    """Run a console block's commands in one bash, in order. Each must print the lines shown
    under it (stdout and stderr, as a terminal shows them) and succeed, unless the next command
    is `echo $?`, which then shows its status."""
    commands = console_commands(block)
    script = "".join(
        f'{command} 2>&1\n__status=$?\necho "@@readme-status $__status@@"\n(exit $__status)\n'
        for command, _ in commands
    )
    done = _run(["bash", "-c", script], cwd, env)
    parts = _STATUS.split(done.stdout)
    outputs, statuses = parts[0:-1:2], [int(status) for status in parts[1::2]]
    assert len(statuses) == len(commands), f"{block.name} stopped early:\n{done.stdout}"
    for index, (command, shown) in enumerate(commands):
        checked_next = index + 1 < len(commands) and commands[index + 1][0] == "echo $?"
        assert statuses[index] == 0 or checked_next, (
            f"{block.name}: `{command}` exited with {statuses[index]}:\n{outputs[index]}"
        )
        differs = lines_match(shown, outputs[index])
        assert differs is None, f"{block.name}: `{command}` printed something else: {differs}"
