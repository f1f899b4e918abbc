"""No input makes the pipeline fail with anything but a `PipelineError` (a message, exit 2).

Hypothesis mutates the fixture specs and runs every step up to the generator call in-process:
version check, naming, validation (lenient), normalisation and the API diff.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.spec_edits import FIXTURES, mutate

from uponai_codegen import PipelineError
from uponai_codegen.apidiff import diff_specs, render
from uponai_codegen.normalize import normalize
from uponai_codegen.spec import check_version, load_spec, parse_spec_text, validate_openapi

SPECS = {path.name: load_spec(path) for path in FIXTURES}


def up_to_the_generator(document: dict[str, Any], strict: bool) -> None:
    """What `regenerate.py` does before it calls openapi-python-client."""
    check_version(document, "fuzzed.json")
    normalized, _ = normalize(document, {"GET /calls": "listCalls"})
    validate_openapi(normalized, "fuzzed.json", strict=strict)
    render(diff_specs(SPECS["deep_allof.json"], normalized), "a", "b")


def failure(step: Callable[[], object]) -> PipelineError | None:
    """The `PipelineError` `step` raised, or None; any other exception fails the test."""
    try:
        step()
    except PipelineError as exc:
        return exc
    return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(SPECS)), strict=st.booleans(), data=st.data())
def test_mutated_specs_fail_only_with_a_message(
    name: str, strict: bool, data: st.DataObject
) -> None:
    document = mutate(SPECS[name], data.draw)
    refused = failure(lambda: up_to_the_generator(document, strict))
    if refused is not None:
        assert str(refused).strip()
        assert "Traceback" not in str(refused)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60) | st.binary(max_size=60))
def test_arbitrary_text_is_refused_with_a_message(text: str | bytes) -> None:
    refused = failure(lambda: check_version(parse_spec_text(text, "fuzzed"), "fuzzed"))
    assert refused is None or str(refused).startswith("fuzzed")
