"""docs/cli.md against the command it describes: its synopsis is not a script (it has `...`
and `[optional]` parts), so instead of running it, every command and option it names must be
one `uponai-voices` has, so a renamed or removed option cannot linger on the page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer
from support.readme_blocks import markdown_blocks

from uponai_widgets.cli._app import app

PAGE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def commands() -> dict[str, set[str]]:
    """Each subcommand's long options (`--help` included)."""
    subcommands: dict[str, Any] = getattr(typer.main.get_command(app), "commands")  # noqa: B009
    return {
        name: {opt for param in command.params for opt in param.opts + param.secondary_opts}
        | {"--help"}
        for name, command in subcommands.items()
    }


def test_every_command_line_on_the_page_uses_real_commands_and_options() -> None:
    known = commands()
    lines = [
        line.split("#", 1)[0]
        for block in markdown_blocks(PAGE.read_text(encoding="utf-8"))
        if block.language == "bash"
        for line in block.text.splitlines()
        if line.startswith("uponai-voices ")
    ]
    assert len(lines) >= 8  # the synopsis is there
    for line in lines:
        command = line.split()[1]
        assert command in known, f"docs/cli.md: no command {command!r}: {line.strip()}"
        unknown = set(FLAG.findall(line)) - known[command]
        assert not unknown, f"docs/cli.md: {command} has no {sorted(unknown)}: {line.strip()}"


def test_every_option_the_prose_names_exists_and_the_ones_it_denies_do_not() -> None:
    every = set().union(*commands().values()) | {"--version"}
    prose = re.sub(r"```.*?```", "", PAGE.read_text(encoding="utf-8"), flags=re.S)
    denied = set(re.findall(r"\bno `(--[a-z][a-z0-9-]*)`", prose))  # "There is no `--token` flag"
    named = {flag for code in re.findall(r"`([^`]+)`", prose) for flag in FLAG.findall(code)}
    assert named, "the page names no option"
    assert not (named - denied) - every, (
        f"docs/cli.md names options no command has: {named - every}"
    )
    assert not denied & every, f"docs/cli.md says there is no {denied & every}, but there is"
