"""openapi-spec-validator with each schema's meta-schema check compiled (jsonschema-rs) first.

openapi-spec-validator checks every schema object of a spec against the schema dialect's
meta-schema with `jsonschema`, which walks the 2020-12 meta-schema's `$dynamicRef`s in Python:
on a published 387-operation spec that is 25 of its 30 seconds. Here that check runs first in
jsonschema-rs (the same meta-schemas, which openapi-schema-validator ships, compiled once), and
the Python check runs only for a schema jsonschema-rs refuses, so that every reported error is
the validator's own message, exactly as before.

The one difference is intended: JSON Schema's `pattern` is an ECMA-262 regular expression and
jsonschema-rs reads it as one, where the Python check compiles it with `re` (which refuses
`\\p{L}` and `(?<name>...)`). The generator ignores `pattern`, so such a spec gives a correct
client and is not refused. The hook is openapi-spec-validator's own extension point (a
`SpecValidator` subclass with other `keyword_validators`) plus the schema validator's
`_get_schema_checker`; `tests/codegen/test_validator_speedup.py` compares both on every spec of
the corpus, so a version that changes either fails there.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any


def skip_iri_grammar() -> None:
    """Keep `jsonschema` from loading rfc3987-syntax (1.5 s of grammar compilation at import).

    It serves the `iri` formats only, which no OpenAPI meta-schema uses. Call before the first
    import of `jsonschema`.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


@cache
def _compiled_meta_check(version_31: bool) -> Callable[[Any], bool]:
    """`is_valid` of the schema-object meta-schema of OpenAPI 3.1 (or 3.0), compiled."""
    import jsonschema_rs
    from openapi_schema_validator import OAS30Validator
    from openapi_schema_validator._dialects import OAS31_BASE_DIALECT_METASCHEMA
    from openapi_schema_validator._specifications import REGISTRY

    if not version_31:
        draft4 = jsonschema_rs.Draft4Validator(OAS30Validator.META_SCHEMA, validate_formats=True)
        return draft4.is_valid
    registry = jsonschema_rs.Registry(
        [(uri, REGISTRY.contents(uri)) for uri in REGISTRY if "spec.openapis.org/oas/3.1" in uri]
    )
    dialect = jsonschema_rs.validator_for(
        OAS31_BASE_DIALECT_METASCHEMA, registry=registry, validate_formats=True
    )
    return dialect.is_valid


class _SeenIds(list[int]):
    """The validator's lists of schema ids it has seen, with a set's membership test.

    openapi-spec-validator appends to them and asks `in` for each of the thousands of schemas
    of a large spec: a list makes that quadratic.
    """

    def __init__(self) -> None:
        super().__init__()
        self._members: set[int] = set()

    def append(self, schema_id: int) -> None:
        super().append(schema_id)
        self._members.add(schema_id)

    def __contains__(self, schema_id: object) -> bool:
        return schema_id in self._members


def _with_compiled_check(base: type[Any], version_31: bool) -> type[Any]:
    """`base` (a schema keyword validator) that asks the compiled check before its own."""

    class CompiledFirst(base):  # type: ignore[misc]
        def __init__(self, registry: Any) -> None:
            super().__init__(registry)
            self.visited_schema_ids = _SeenIds()
            self.meta_checked_schema_ids = _SeenIds()

        def _get_schema_checker(self, schema: Any, schema_value: Any) -> Callable[[Any], None]:
            exact: Callable[[Any], None] = super()._get_schema_checker(schema, schema_value)
            if isinstance(schema_value, Mapping) and "$schema" in schema_value:
                return exact  # a dialect of its own: only the Python check knows them all
            compiled = _compiled_meta_check(version_31)

            def check(value: Any) -> None:
                if not compiled(value):
                    exact(value)

            return check

    CompiledFirst.__name__ = f"CompiledFirst{base.__name__}"
    return CompiledFirst


def spec_validator(document: dict[str, Any], *, compiled: bool = True) -> Any:
    """An openapi-spec-validator for `document` (3.0 or 3.1); `compiled=False`: the stock one."""
    skip_iri_grammar()
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    version_31 = str(document.get("openapi")).startswith("3.1")
    stock: type[Any] = OpenAPIV31SpecValidator if version_31 else OpenAPIV30SpecValidator
    if not compiled:
        return stock(document)
    keywords = dict(stock.keyword_validators)
    keywords["schema"] = _with_compiled_check(keywords["schema"], version_31)
    faster = type(f"Compiled{stock.__name__}", (stock,), {"keyword_validators": keywords})
    return faster(document)
