"""The compiled meta-schema check reports what openapi-spec-validator alone reports.

`uponai_codegen.validator` asks jsonschema-rs first and openapi-spec-validator's own Python
check only for a schema jsonschema-rs refuses. Both paths must give the same findings, on every
spec of the corpus and on generated schemas; the one intended difference (`pattern` read as the
ECMA-262 regular expression JSON Schema says it is) is pinned here too.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uponai_codegen.lint import lint
from uponai_codegen.spec import load_spec, validator_findings

FIXTURES = Path(__file__).with_name("fixtures")
SPECS = sorted(
    [
        *(FIXTURES / "corpus").glob("*.json"),
        *(FIXTURES / "corpus").glob("*.yaml"),
        *(FIXTURES / "invalid").glob("*.json"),
    ]
)


def both(document: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    _, cleaned = lint(document)
    return (
        validator_findings(copy.deepcopy(cleaned), compiled=True),
        validator_findings(copy.deepcopy(cleaned), compiled=False),
    )


@pytest.mark.parametrize("spec", SPECS, ids=[p.name for p in SPECS])
def test_compiled_and_stock_agree_on_every_fixture(spec: Path) -> None:
    compiled, stock = both(load_spec(spec))
    assert compiled == stock


def with_schema(schema: Any, version: str) -> dict[str, Any]:
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Thing": schema}},
    }


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["", "x", "string", "object"])
)
KEYS = st.sampled_from(
    [
        "type",
        "format",
        "enum",
        "minimum",
        "maxLength",
        "required",
        "items",
        "properties",
        "additionalProperties",
        "nullable",
        "allOf",
        "anyOf",
        "description",
        "readOnly",
        "discriminator",
        "uniqueItems",
        "multipleOf",
    ]
)
SCHEMAS = st.recursive(
    st.dictionaries(KEYS, SCALARS, max_size=4),
    lambda inner: st.dictionaries(
        KEYS, st.one_of(SCALARS, inner, st.lists(st.one_of(SCALARS, inner), max_size=3)), max_size=4
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=SCHEMAS, version=st.sampled_from(["3.0.3", "3.1.0"]))
def test_compiled_and_stock_agree_on_generated_schemas(schema: Any, version: str) -> None:
    compiled, stock = both(with_schema(schema, version))
    assert compiled == stock


def test_a_pattern_is_an_ecma_regular_expression() -> None:
    """`\\p{L}` is ECMA-262 and JSON Schema; Python's `re` refused it and so the spec."""
    document = with_schema({"type": "string", "pattern": "^\\p{L}+$"}, "3.1.0")
    compiled, stock = both(document)
    assert compiled == []
    assert [finding.message for finding in stock] == ["'^\\\\p{L}+$' is not a 'regex'"]
