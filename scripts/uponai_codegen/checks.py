"""The API diff and the spec's validation, in a forked process while the generator works."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from . import PipelineError
from .apidiff import Change, diff_specs
from .lint import Finding
from .lint_operations import without_skipped_operations
from .spec import validate_openapi


def _check_in_child(
    document: dict[str, Any],
    label: str,
    strict: bool,
    overrides: dict[str, str],
    old: dict[str, Any],
) -> tuple[list[Change], list[Finding] | PipelineError]:
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
    return changes, findings


class Checks:
    """The API diff and the spec's validation, run in a forked process while the generator works.

    Both take seconds on a large spec and need nothing from the generator; nothing is written
    before the checks passed.
    """

    def __init__(
        self,
        document: dict[str, Any],
        label: str,
        strict: bool,
        overrides: dict[str, str],
        old: dict[str, Any],
    ) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future[tuple[list[Change], list[Finding] | PipelineError]] | None = None
        self._args = (document, label, strict, overrides, old)
        self._done: tuple[list[Change], list[Finding] | PipelineError] | None = None
        if "fork" in multiprocessing.get_all_start_methods():
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self._future = self._pool.submit(_check_in_child, *self._args)

    def _outcome(self) -> tuple[list[Change], list[Finding] | PipelineError]:
        if self._done is None:
            if self._future is None:
                self._done = _check_in_child(*self._args)
            else:
                try:
                    self._done = self._future.result()
                except Exception:  # the child died: check here instead
                    self._done = _check_in_child(*self._args)
                finally:
                    self.close()
        return self._done

    def wait(self) -> None:
        """Wait for the checks and stop the child (before forking others from this process)."""
        self._outcome()

    def changes(self) -> list[Change]:
        """The API diff between the committed client's spec and the new one."""
        return self._outcome()[0]

    def result(self) -> list[Finding]:
        """The warnings; raises `PipelineError` with every error."""
        findings = self._outcome()[1]
        if isinstance(findings, PipelineError):
            raise findings
        return findings

    def close(self) -> None:
        """Stop the child (when the pipeline failed before it was asked for its result)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
