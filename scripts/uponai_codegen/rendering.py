"""openapi-python-client's rendering of the package, shared between two processes.

The generator parses the spec (one process's work), then renders one Jinja template per model,
enum and operation and writes each to its file, one after the other: on a spec of 300+
operations that is over half its time. After the parse, a forked process runs the same build
into a folder of its own, rendering every other template while this process renders the rest;
each writes a placeholder where the other renders. The other process's files then replace the
placeholders. The build is the generator's own, so the files, their names and their order are
the ones it writes alone; when the two builds do not match file for file (or the other process
fails), the package is built again here alone.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import multiprocessing
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openapi_python_client import Project
    from openapi_python_client.parser.errors import GeneratorError

PLACEHOLDER = "<rendered by the other process>\n"
"""What a process writes for a template the other one renders (not Python: it cannot pass for a
module)."""


def render_processes() -> int:
    """How many processes render: two where there are two cores."""
    return min(2, os.cpu_count() or 1)


class _Share:
    """Which of the build's renders this process does: those whose number (counted across all
    the templates the build asks for) is `index` modulo `count`."""

    def __init__(self, index: int, count: int) -> None:
        self.index = index
        self.count = count
        self.calls = itertools.count()
        self.rendering = False

    def mine(self) -> bool:
        """Whether the next render is this process's (and counts it)."""
        return next(self.calls) % self.count == self.index


class _SharedTemplate:
    """A Jinja template that renders only this process's share of the build's renders."""

    def __init__(self, template: Any, share: _Share) -> None:
        self._template = template
        self._share = share

    def render(self, *args: Any, **kwargs: Any) -> str:
        if not self._share.mine():
            return PLACEHOLDER
        self._share.rendering = True
        try:
            return str(self._template.render(*args, **kwargs))
        finally:
            self._share.rendering = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._template, name)


@contextlib.contextmanager
def _rendering_share(project: Project, share: _Share) -> Iterator[None]:
    """`project.build()` renders only `share` of the templates while this is active.

    Only the templates the build asks for are shared out; those Jinja loads while rendering
    (imports, includes) are used as they are.
    """
    environment = project.env
    load = environment.get_template

    def get_template(*args: Any, **kwargs: Any) -> Any:
        template = load(*args, **kwargs)
        return template if share.rendering else _SharedTemplate(template, share)

    environment.get_template = get_template  # type: ignore[method-assign]
    try:
        yield
    finally:
        del environment.get_template


def _build_other_share(project: Project, folder: Path) -> None:
    """In the forked process: the build into `folder`, rendering the second share (exit status
    1, quietly, on any failure: the first process then builds alone)."""
    try:
        relative = project.package_dir.relative_to(project.project_dir)
        project.project_dir = folder
        project.package_dir = folder / relative
        with contextlib.redirect_stdout(io.StringIO()), _rendering_share(project, _Share(1, 2)):
            project.build()
    except BaseException:
        raise SystemExit(1) from None


def _files(root: Path) -> dict[str, Path]:
    return {path.relative_to(root).as_posix(): path for path in root.rglob("*") if path.is_file()}


def _merge(other: Path, package: Path) -> bool:
    """Put the other process's files in place of the placeholders in `package`; False (nothing
    usable) unless both builds wrote the same files and every placeholder was filled."""
    theirs, ours = _files(other), _files(package)
    if theirs.keys() != ours.keys():
        return False
    placeholder = PLACEHOLDER.encode()
    for name, path in ours.items():
        mine = path.read_bytes() if path.stat().st_size == len(placeholder) else None
        if mine != placeholder:
            continue
        text = theirs[name].read_bytes()
        if text == placeholder:
            return False
        path.write_bytes(text)
    return True


def build_in_two_processes(project: Project, scratch: Path) -> Sequence[GeneratorError]:
    """`project.build()`, its rendering shared with a forked process (see the module's
    docstring); `scratch` is a folder for that process's files. This process must run no other
    thread (the fork copies only this one).

    Alone (no fork, one core, or post hooks configured, which must run on the whole package)
    this is `project.build()`.
    """
    alone = (
        render_processes() < 2
        or "fork" not in multiprocessing.get_all_start_methods()
        or project.config.post_hooks
    )
    if alone:
        return project.build()
    other = scratch / "rendered-by-the-other-process"
    shutil.rmtree(other, ignore_errors=True)
    context = multiprocessing.get_context("fork")
    helper = context.Process(target=_build_other_share, args=(project, other))
    helper.start()
    try:
        try:
            with _rendering_share(project, _Share(0, 2)):
                errors = project.build()
        finally:
            helper.join()
        if helper.exitcode == 0 and _merge(other, project.package_dir):
            return errors
    finally:
        shutil.rmtree(other, ignore_errors=True)
    shutil.rmtree(project.project_dir)
    return project.build()
