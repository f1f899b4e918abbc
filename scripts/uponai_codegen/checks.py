"""The API diff, the spec's validation and its snapshot text, in a forked process while the
generator works."""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from . import PipelineError
from .apidiff import Change, diff_specs
from .lint import Finding
from .lint_operations import without_skipped_operations
from .spec import dump_spec, validate_openapi

Outcome = tuple[list[Change], list[Finding] | PipelineError, str]
"""The API diff, the validation's findings (or its error) and the snapshot text."""


def _check_in_child(
    document: dict[str, Any],
    label: str,
    strict: bool,
    overrides: dict[str, str],
    old: dict[str, Any],
) -> Outcome:
    snapshot = dump_spec(document)  # first: nothing below may change what it records
    changes = diff_specs(
        without_skipped_operations(old, overrides),
        without_skipped_operations(document, overrides),
    )
    try:
        findings: list[Finding] | PipelineError = validate_openapi(
            document, label, strict=strict, content_type_overrides=overrides
        )
    except PipelineError as exc:
        findings = exc
    return changes, findings, snapshot


def _send_outcome(sender: Connection, args: tuple[Any, ...]) -> None:
    """In the forked process: the checks, sent back (exit status 1, quietly, on any failure:
    the pipeline then checks in its own process)."""
    try:
        sender.send(_check_in_child(*args))
    except BaseException:
        raise SystemExit(1) from None
    finally:
        sender.close()


class Checks:
    """The API diff, the spec's validation and the text of its snapshot, made in a forked process
    while the generator works.

    They take seconds on a large spec and need nothing from the generator; nothing is written
    before the checks passed. The process is a plain fork with a pipe: this process runs no
    thread meanwhile, so it may fork others (the import check) while the checks still run.
    """

    def __init__(
        self,
        document: dict[str, Any],
        label: str,
        strict: bool,
        overrides: dict[str, str],
        old: dict[str, Any],
    ) -> None:
        self._args = (document, label, strict, overrides, old)
        self._done: Outcome | None = None
        self._process: BaseProcess | None = None
        self._receiver: Connection | None = None
        if "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_send_outcome, args=(sender, self._args), daemon=True
            )
            self._process.start()
            sender.close()
            self._receiver = receiver

    def _outcome(self) -> Outcome:
        if self._done is None:
            if self._receiver is not None:
                try:
                    self._done = self._receiver.recv()
                except (EOFError, OSError):  # the child died: check here instead
                    pass
                finally:
                    self.close()
            if self._done is None:
                self._done = _check_in_child(*self._args)
        return self._done

    def changes(self) -> list[Change]:
        """The API diff between the committed client's spec and the new one."""
        return self._outcome()[0]

    def snapshot_text(self) -> str:
        """The spec as its snapshot (`generated_client/openapi.snapshot.json`) is written."""
        return self._outcome()[2]

    def result(self) -> list[Finding]:
        """The warnings; raises `PipelineError` with every error."""
        findings = self._outcome()[1]
        if isinstance(findings, PipelineError):
            raise findings
        return findings

    def close(self) -> None:
        """Stop the child (when the pipeline failed before it was asked for its result)."""
        if self._receiver is not None:
            self._receiver.close()
            self._receiver = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process = None
