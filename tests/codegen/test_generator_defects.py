"""Generator defects on real specs: fixed by transforms where the fix is mechanical, else the
operation is left out with a warning, never the whole client refused.

openapi-python-client 0.29.1 writes, for a request body offered in several content types,
modules that do not import (`Unset` is used, not imported) and, when the content types share a
schema, a request with a JSON body, multipart files and the last branch's Content-Type.
`json_or_multipart_body.json` reproduces both (a published 288-operation spec has the two).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from support.capture_server import CaptureServer, parse_multipart
from support.codegen import CONFIG, regenerate
from support.generated_import import import_generated

from uponai_codegen import PipelineError
from uponai_codegen.generator import run_generator
from uponai_codegen.spec import load_spec
from uponai_codegen.transforms import (
    TransformError,
    one_body_branch_per_class,
    operation_of_module,
    unset_imported_where_used,
)
from uponai_codegen.tree import leave_out_broken_operations, verify_package

CORPUS = Path(__file__).with_name("fixtures") / "corpus"
BODIES = CORPUS / "json_or_multipart_body.json"
SHARED = "POST /v1/stores/{store_id}/files"
STORED = {"id": "file_1", "bytes": 3}

MODULE = """from ...types import UNSET, Response


def _get_kwargs(
    *,
    body: VariationUpload | VariationByUrl | Unset = UNSET,
) -> dict[str, Any]:
    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/images/variations",
    }

    if isinstance(body, Shared):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, Shared):
        _kwargs["files"] = body.to_multipart()
"""


def test_unset_is_imported_where_it_is_used_in_import_order() -> None:
    fixed = unset_imported_where_used("m.py", MODULE)
    assert fixed.startswith("from ...types import UNSET, Response, Unset\n")
    assert unset_imported_where_used("m.py", fixed) == fixed
    plain = "from ...types import UNSET, Response\n\nx: Response = UNSET\n"
    assert unset_imported_where_used("m.py", plain) == plain


def test_unset_without_a_one_line_types_import_means_the_template_changed() -> None:
    with pytest.raises(TransformError, match=r"m.py: uses Unset without"):
        unset_imported_where_used("m.py", MODULE.replace("from ...types import", "import"))


def test_branches_on_one_class_become_if_elif() -> None:
    fixed = one_body_branch_per_class("m.py", MODULE)
    assert "    if isinstance(body, Shared):\n" in fixed
    assert "    elif isinstance(body, Shared):\n" in fixed
    distinct = MODULE.replace(
        'Shared):\n        _kwargs["files"]', 'Other):\n        _kwargs["files"]'
    )
    assert one_body_branch_per_class("m.py", distinct) == distinct
    assert operation_of_module(MODULE) == "POST /v1/images/variations"


def test_body_branches_apart_mean_the_template_changed() -> None:
    apart = MODULE.replace(
        '    if isinstance(body, Shared):\n        _kwargs["files"]',
        ('    headers["X"] = "1"\n    if isinstance(body, Shared):\n        _kwargs["files"]'),
    )
    with pytest.raises(TransformError, match="not consecutive"):
        one_body_branch_per_class("m.py", apart)


def write_package(root: Path, modules: dict[str, str]) -> Path:
    package = root / "uponai_client"
    for name, text in {"__init__.py": "", "api/__init__.py": "", **modules}.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return package


BROKEN_OPERATION = (
    "def _get_kwargs() -> dict:\n"
    '    return {\n        "method": "get",\n        "url": "/v1/things/{thing_id}",\n    }\n\n'
    "raise RuntimeError('the template wrote something wrong')\n"
)


def test_an_operation_module_that_does_not_import_is_left_out_by_name(tmp_path: Path) -> None:
    package = write_package(
        tmp_path,
        {
            "api/things/__init__.py": "",
            "api/things/get_thing.py": BROKEN_OPERATION,
            "api/things/list_things.py": BROKEN_OPERATION.replace("raise", "x = 1 #"),
        },
    )
    broken = verify_package(package, workers=1)
    assert broken == {
        "uponai_client.api.things.get_thing": "RuntimeError: the template wrote something wrong"
    }
    (gone,) = leave_out_broken_operations(package, broken)
    assert str(gone) == (
        "GET /v1/things/{thing_id}: left out of the client; its generated module "
        "uponai_client/api/things/get_thing.py does not import (RuntimeError: the template wrote "
        "something wrong)"
    )
    assert not (package / "api" / "things" / "get_thing.py").exists()
    assert (package / "api" / "things" / "list_things.py").exists()
    assert verify_package(package, workers=1) == {}


def test_a_model_that_does_not_import_refuses_the_client(tmp_path: Path) -> None:
    package = write_package(tmp_path, {"models/__init__.py": "", "models/thing.py": "1/0\n"})
    broken = verify_package(package, workers=1)
    assert list(broken) == ["uponai_client.models.thing"]
    with pytest.raises(PipelineError, match=r"does not import: uponai_client.models.thing: Zero"):
        leave_out_broken_operations(package, broken)


@pytest.mark.slow
def test_the_raw_generator_writes_modules_that_do_not_import(tmp_path: Path) -> None:
    """The defect itself, so that a generator upgrade that fixes it is noticed."""
    package, _ = run_generator(load_spec(BODIES), CONFIG, tmp_path)
    broken = verify_package(package, workers=1)
    assert set(broken) == {
        "uponai_client.api.files.add_store_file",
        "uponai_client.api.images.vary_image",
    }
    assert all(error == "NameError: name 'Unset' is not defined" for error in broken.values())


@pytest.fixture(scope="module")
def bodies_client(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str]:
    scratch = tmp_path_factory.mktemp("bodies")
    names = scratch / "names.json"
    names.write_text(json.dumps({"$comment": "no entries"}))
    package = scratch / "uponai_client"
    done = regenerate("--spec", BODIES, "--name-map", names, "--package-dir", package)
    assert done.returncode == 0, done.stderr
    return import_generated(package, "bodies_client"), done.stderr


@pytest.mark.slow
def test_each_content_type_is_sent_by_passing_its_model(bodies_client: tuple[Any, str]) -> None:
    root, _ = bodies_client
    vary = importlib.import_module(f"{root.__name__}.api.images.vary_image")
    models = importlib.import_module(f"{root.__name__}.models")
    types = importlib.import_module(f"{root.__name__}.types")
    with CaptureServer() as server:
        server.responses.extend([(200, STORED), (200, STORED)])
        client = root.Client(base_url=server.url)
        image = types.File(payload=b"PNG", file_name="cat.png", mime_type="image/png")
        upload = vary.sync(client=client, body=models.VariationUpload(image=image, count=2))
        by_url = vary.sync(client=client, body=models.VariationByUrl(image_url="https://x/c.png"))
    assert upload == by_url == models.StoreFile(id="file_1", bytes_=3)
    first, second = server.requests
    parts = {p.name: p for p in parse_multipart(first.headers["content-type"], first.body)}
    assert (parts["image"].filename, parts["image"].data, parts["count"].data) == (
        "cat.png",
        b"PNG",
        b"2",
    )
    assert second.headers["content-type"] == "application/json"
    assert json.loads(second.body) == {"image_url": "https://x/c.png", "count": 1}


@pytest.mark.slow
def test_one_schema_for_two_content_types_sends_one_body_and_says_so(
    bodies_client: tuple[Any, str],
) -> None:
    root, stderr = bodies_client
    add = importlib.import_module(f"{root.__name__}.api.files.add_store_file")
    models = importlib.import_module(f"{root.__name__}.models")
    with CaptureServer() as server:
        server.responses.append((200, STORED))
        add.sync("s1", client=root.Client(base_url=server.url), body=models.StoreFileInput("f1"))
    (request,) = server.requests
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body) == {"file_id": "f1"}
    (line,) = [line for line in stderr.splitlines() if line.startswith(f"  - {SHARED}: ")]
    assert line.endswith(
        "its request body has one schema (StoreFileInput) for several content types, which the "
        "client tells apart by class; it sends the first the spec lists"
    )
