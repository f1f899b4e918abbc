"""Every shell and Python block of README.md runs as a user would run it, and says what it prints.

`python`, `bash` and `console` blocks run against a sandbox, in a scratch folder holding the
samples the README names (`take1.wav`, `take2.flac`, speech by espeak-ng, and `speakers/`), with
`.venv/bin` first on PATH and the two variables `make demo` exports. A block that cannot run as it
is carries a marker read here (`tests/support/readme_blocks.py` describes the format):
`run-by: FILE` (that test runs it; it must exist and name the command, and output the README
shows must match its `CONSOLE_LINES`) or `readme-test: checkout` (run in a copy of the checkout
with a scratch HOME). Every relative link of the README, CONTRIBUTING.md and docs/*.md resolves.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
import soundfile
from support.readme_blocks import (
    RUNNABLE,
    Block,
    command_lines,
    lines_match,
    markdown_blocks,
    run_bash,
    run_console,
    run_python,
)
from support.speech import READING, SENTENCE, speech

from uponai_devtools.sandbox import RunningSandbox

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
PAGES = [README, REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md"))]
SCREENSHOTS = REPO / "docs" / "screenshots"
"""Images there are checked once the folder exists (`make screenshots` fills it)."""
BLOCKS = markdown_blocks(README.read_text(encoding="utf-8"))
UNMARKED = [block for block in BLOCKS if block.language in RUNNABLE and block.marker is None]
CHECKOUT = [block for block in BLOCKS if block.marker == ("readme-test", "checkout")]
DOCS_PYTHON = [
    (page, block)
    for page in sorted((REPO / "docs").glob("*.md"))
    for block in markdown_blocks(page.read_text(encoding="utf-8"))
    if block.language == "python"
]
"""The python blocks of the docs pages: each runs here too, unless another test runs it."""
NOT_IN_CHECKOUT = {".git", "dist", "build", ".demo", "test-artifacts"}
"""Left out of the checkout copy: git's data, and what builds and runs leave."""


def block_id(block: Block) -> str:
    return f"{block.language}-line-{block.line}"


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files the README's blocks name: two takes of speech and a folder per speaker."""
    folder = tmp_path_factory.mktemp("readme-samples")
    speech(folder / "take1.wav", SENTENCE)
    second = speech(folder / "take2-source.wav", READING[0])
    data, rate = soundfile.read(second, dtype="int16")
    soundfile.write(folder / "take2.flac", data, rate, subtype="PCM_16")
    second.unlink()
    shutil.copy(folder / "take1.wav", folder / "raw take.wav")
    for speaker, take in (("ada", "take1.wav"), ("grace", "take2.flac")):
        (folder / "speakers" / speaker).mkdir(parents=True)
        shutil.copy(folder / take, folder / "speakers" / speaker / take)
    return folder


def user_env(home: Path, sandbox: RunningSandbox | None) -> dict[str, str]:
    """A user's shell after `make demo`'s export lines: `.venv/bin` on PATH, a scratch HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UPONAI_", "VIRTUAL_ENV"))}
    env.pop("PYTHONPATH", None)
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(home),
        COLUMNS="100",
        PYTHONUNBUFFERED="1",
    )
    if sandbox is not None:
        env.update(UPONAI_BASE_URL=sandbox.url, UPONAI_API_KEY=sandbox.token)
    return env


def run_block(block: Block, cwd: Path, env: dict[str, str]) -> None:
    runner = {"python": run_python, "bash": run_bash, "console": run_console}[block.language]
    runner(block, cwd, env)


def test_the_readme_has_blocks_of_each_kind() -> None:
    kinds = {block.language for block in UNMARKED}
    assert kinds == set(RUNNABLE), kinds
    assert CHECKOUT, "the install blocks are gone"


def test_every_block_is_run_here_or_names_the_test_that_runs_it() -> None:
    for block in BLOCKS:
        assert block.language in (*RUNNABLE, "text"), f"{block.name}: say bash, console or python"
        if block.marker is None or block.marker == ("readme-test", "checkout"):
            continue
        kind, value = block.marker
        assert kind == "run-by", f"{block.name}: unknown marker {block.marker}"
        runner = REPO / value
        assert runner.is_file(), f"{block.name}: {value} does not exist"
        source = runner.read_text(encoding="utf-8")
        for command in command_lines(block):
            named = " ".join(re.split(r"\s+-", command)[0].split())
            assert named in source, f"{block.name}: {value} does not run `{named}`"


def test_output_shown_for_a_block_run_elsewhere_is_what_that_test_accepts() -> None:
    for block in BLOCKS:
        if block.marker is None or block.marker[0] != "run-by" or block.language != "console":
            continue
        patterns = console_lines(REPO / block.marker[1])
        shown = [line for line in block.text.splitlines() if line.strip()]
        for line in shown[1:]:
            assert any(re.fullmatch(p, line) for p in patterns), f"{block.name}: {line!r}"


def console_lines(test_file: Path) -> list[str]:
    """The `CONSOLE_LINES` patterns a test file defines."""
    for node in ast.parse(test_file.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "CONSOLE_LINES" for t in targets):
            found: list[str] = ast.literal_eval(node.value)
            return found
    raise AssertionError(f"{test_file} defines no CONSOLE_LINES")


@pytest.mark.slow
@pytest.mark.parametrize("block", UNMARKED, ids=block_id)
def test_the_block_runs_against_the_sandbox_and_prints_what_the_readme_shows(
    block: Block, samples: Path, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    cwd = tmp_path / "work"
    shutil.copytree(samples, cwd)
    (tmp_path / "home").mkdir()
    run_block(block, cwd, user_env(tmp_path / "home", sandbox))


def test_every_python_block_of_the_docs_pages_is_run_here_or_by_the_test_it_names() -> None:
    assert DOCS_PYTHON, "the docs pages lost their examples"
    for page, block in DOCS_PYTHON:
        if block.marker is None:
            continue
        kind, value = block.marker
        assert kind == "run-by", f"{page.name}, {block.name}: unknown marker {block.marker}"
        runner = REPO / value
        assert runner.is_file(), f"{page.name}, {block.name}: {value} does not exist"
        assert page.name in runner.read_text(encoding="utf-8"), f"{value} does not read {page.name}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("page", "block"),
    [(page, block) for page, block in DOCS_PYTHON if block.marker is None],
    ids=lambda value: value.stem if isinstance(value, Path) else block_id(value),
)
def test_the_python_block_of_a_docs_page_runs_against_the_sandbox(
    page: Path, block: Block, samples: Path, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    cwd = tmp_path / "work"
    shutil.copytree(samples, cwd)
    (tmp_path / "home").mkdir()
    run_block(block, cwd, user_env(tmp_path / "home", sandbox))


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("block", CHECKOUT, ids=block_id)
def test_the_install_block_runs_in_a_checkout(block: Block, tmp_path: Path) -> None:
    checkout = tmp_path / "uponai-voices"
    checkout.mkdir()
    for entry in REPO.iterdir():
        if entry.name not in NOT_IN_CHECKOUT:
            (checkout / entry.name).symlink_to(entry)
    (tmp_path / "home").mkdir()
    run_block(block, checkout, user_env(tmp_path / "home", None))


@pytest.mark.slow
def test_a_broken_block_fails_its_test(
    samples: Path, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """The runner is not blind: a misspelt call, a failing shell line and different output fail."""
    (tmp_path / "home").mkdir()
    env = user_env(tmp_path / "home", sandbox)
    python = next(block for block in UNMARKED if block.language == "python" and block.output)
    console = next(block for block in UNMARKED if block.language == "console")
    bash = next(block for block in UNMARKED if block.language == "bash")
    broken = [
        Block("python", python.text.replace("uw.", "uw.no_such_", 1), python.line),
        Block("python", python.text, python.line, output=f"{python.output}\nmore\n"),
        Block("console", console.text.replace("voice id:", "voice ID:"), console.line),
        Block("bash", "uponai-voices inspect no-such.wav\n" + bash.text, bash.line),
    ]
    for block in broken:
        with pytest.raises(AssertionError):
            run_block(block, shutil.copytree(samples, tmp_path / f"work-{id(block)}"), env)


def heading_anchors(page: Path) -> set[str]:
    """GitHub's anchors of the headings of `page`."""
    anchors = set()
    for heading in re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def test_every_relative_link_points_at_a_file_and_heading() -> None:
    broken = []
    for page in PAGES:
        text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
        for image, target in re.findall(r"(!?)\[[^\]]*\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if image and file.is_relative_to(SCREENSHOTS) and not SCREENSHOTS.exists():
                continue
            if not file.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and anchor not in heading_anchors(file):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def test_the_readme_is_for_users_and_short() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 250
    assert not re.search(r"pip install '?uponai-voices", text), "the package is not on PyPI"


def test_the_expected_output_matcher_compares_lines() -> None:
    assert lines_match("voice id: ...\n\nok", "voice id: v_1\nok\n") is None
    assert lines_match("voice id: ...", "voice id: v_1\nextra") is not None
    assert lines_match("a...b", "acb") is None
    assert lines_match("a.b", "axb") is not None
