"""If regeneration changes a generated file, the diff lists a change that explains it.

Hypothesis edits the fixture specs (properties, required, types, nullability, enums, defaults,
operations, parameters, responses) at any depth, including shared components reached through
`$ref` chains and `allOf` / `oneOf` / `anyOf` members.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.codegen import CONFIG
from support.spec_edits import CORPUS, FIXTURES, edit_api, fixture

from uponai_codegen import PipelineError
from uponai_codegen.apidiff import Change, diff_specs
from uponai_codegen.generator import run_generator
from uponai_codegen.normalize import load_name_map, normalize
from uponai_codegen.tree import tree_files

NAMES = [p.name for p in FIXTURES]
REMOVALS = {"removed", "operation removed", "response removed", "content type removed"}


def normalized(document: dict[str, Any], name: str) -> dict[str, Any]:
    own = CORPUS / (Path(name).stem + ".names.json")
    result, _ = normalize(document, load_name_map(own) if own.exists() else {})
    return result


def must_break(change: Change) -> bool:
    """Removals and newly required things."""
    return (
        change.kind in REMOVALS
        or change.kind in ("enum value removed", "made required")
        or (change.kind == "added" and change.detail == "required")
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), data=st.data())
def test_every_removal_or_new_requirement_is_breaking(name: str, data: st.DataObject) -> None:
    old = normalized(fixture(name), name)
    new = copy.deepcopy(old)
    for _ in range(data.draw(st.integers(1, 3))):
        edit_api(new, data.draw)
    for change in diff_specs(old, new):
        if must_break(change):
            assert change.breaking, change


class Generated:
    """Generated trees by spec text, so each fixture's unedited client is built once."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.cache: dict[str, dict[str, bytes]] = {}
        self.runs = 0

    def tree(self, document: dict[str, Any]) -> dict[str, bytes]:
        key = json.dumps(document, sort_keys=True)
        if key not in self.cache:
            self.runs += 1
            work = self.scratch / str(self.runs)
            work.mkdir()
            package, _ = run_generator(document, CONFIG, work)
            self.cache[key] = tree_files(package)
        return self.cache[key]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return Generated(tmp_path_factory.mktemp("invariant"))


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(name=st.sampled_from(NAMES), data=st.data())
def test_a_changed_generated_file_is_explained_by_the_diff(
    generated: Generated, name: str, data: st.DataObject
) -> None:
    old = normalized(fixture(name), name)
    new = copy.deepcopy(old)
    what = [edit_api(new, data.draw) for _ in range(data.draw(st.integers(1, 2)))]
    try:
        before, after = generated.tree(old), generated.tree(new)
    except PipelineError:
        assume(False)  # the edit made a spec the generator refuses (e.g. a dangling discriminator)
    changes = diff_specs(old, new)
    if before != after:
        files = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        assert changes, f"{name}: {what} changed {files} but the diff lists nothing"
    for change in changes:
        if must_break(change):
            assert change.breaking, change
