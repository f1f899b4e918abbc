"""Fixtures for the regeneration pipeline and generated-client tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.codegen import CONFIG, NAME_MAP, SPEC

from uponai_codegen.generator import run_generator
from uponai_codegen.normalize import load_name_map, normalize
from uponai_codegen.spec import load_spec


@pytest.fixture(scope="session")
def unfixed_client_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """openapi-python-client's own output for today's spec, without the pipeline's transforms."""
    work = tmp_path_factory.mktemp("unfixed")
    document, _ = normalize(load_spec(SPEC), load_name_map(NAME_MAP))
    package, _ = run_generator(document, CONFIG, work)
    return package.parent
