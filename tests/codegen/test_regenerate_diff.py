"""`regenerate.py` with the API diff: snapshot, --diff-only, --fail-on-breaking, --from URL."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.codegen import COMMITTED, SPEC, regenerate

from uponai_codegen.tree import tree_files

pytestmark = pytest.mark.slow  # runs the generator

FIXTURES = Path(__file__).with_name("fixtures")
BEFORE, AFTER = FIXTURES / "api_before.json", FIXTURES / "api_after.json"


@pytest.fixture(scope="module")
def before_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A client generated from the larger 'before' fixture (many tags, $ref, allOf, enums)."""
    package = tmp_path_factory.mktemp("before") / "generated_client" / "uponai_client"
    done = regenerate("--spec", BEFORE, "--package-dir", package)
    assert done.returncode == 0, done.stderr
    assert (package.parent / "openapi.snapshot.json").exists()
    assert {"agents", "calls", "voices", "account"} <= {p.name for p in (package / "api").iterdir()}
    return package


@pytest.fixture
def before_copy(before_client: Path, tmp_path: Path) -> Path:
    target = tmp_path / "generated_client"
    shutil.copytree(before_client.parent, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target / "uponai_client"


def test_diff_only_prints_to_stdout_and_writes_nothing(before_copy: Path) -> None:
    before = tree_files(before_copy.parent)
    done = regenerate("--diff-only", "--spec", AFTER, "--package-dir", before_copy)
    assert done.returncode == 0
    assert done.stdout.startswith(
        "API changes 2026-01-01 -> 2026-06-01: 23 change(s), 15 breaking\n"
    )
    assert "BREAKING    GET /api/account/limits: operation renamed" in done.stdout
    assert tree_files(before_copy.parent) == before


def test_fail_on_breaking_exits_1_and_writes_nothing(before_copy: Path) -> None:
    before = tree_files(before_copy.parent)
    done = regenerate("--fail-on-breaking", "--spec", AFTER, "--package-dir", before_copy)
    assert done.returncode == 1
    assert "breaks users" in done.stderr
    assert tree_files(before_copy.parent) == before
    only_diff = regenerate(
        "--diff-only", "--fail-on-breaking", "--spec", AFTER, "--package-dir", before_copy
    )
    assert only_diff.returncode == 1


def test_compatible_change_passes_fail_on_breaking(before_copy: Path) -> None:
    done = regenerate("--fail-on-breaking", "--spec", BEFORE, "--package-dir", before_copy)
    assert done.returncode == 0, done.stderr
    assert "generated client unchanged" in done.stderr


def test_regenerating_the_larger_spec_then_check(before_copy: Path) -> None:
    done = regenerate("--spec", AFTER, "--package-dir", before_copy)
    assert done.returncode == 0, done.stderr
    assert (before_copy / "api" / "account" / "get_account_limits.py").exists()
    assert not (before_copy / "api" / "account" / "get_limits.py").exists()
    assert regenerate("--check", "--spec", AFTER, "--package-dir", before_copy).returncode == 0
    stale = regenerate("--check", "--spec", BEFORE, "--package-dir", before_copy)
    assert stale.returncode == 1
    assert "the spec changed since the last regeneration" in stale.stderr


def test_check_notices_a_stale_snapshot_alone(tmp_path: Path) -> None:
    target = tmp_path / "generated_client"
    shutil.copytree(
        COMMITTED.parent, target, ignore=shutil.ignore_patterns("__pycache__", ".regen-*")
    )
    (target / "openapi.snapshot.json").write_text('{"paths": {}}\n')
    done = regenerate("--check", "--package-dir", target / "uponai_client")
    assert done.returncode == 1
    assert "openapi.snapshot.json differs" in done.stderr


@pytest.fixture
def spec_server(tmp_path: Path) -> Iterator[str]:
    """Serve a folder over HTTP on loopback; stopped at the end of the test."""
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(AFTER, served / "openapi.json")
    (served / "docs.html").write_text("<html><body>Docs</body></html>")
    handler = partial(SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]  # keep test output quiet
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_from_url_shows_the_diff_then_replaces_the_spec(
    spec_server: str, before_copy: Path, tmp_path: Path
) -> None:
    spec = tmp_path / "openapi.json"
    shutil.copy(BEFORE, spec)
    done = regenerate(
        "--from", f"{spec_server}/openapi.json", "--spec", spec, "--package-dir", before_copy
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.index("API changes") < done.stderr.index("replaced by the spec from")
    assert spec.read_text() == AFTER.read_text()
    assert (before_copy / "api" / "calls" / "get_call.py").exists()


def test_from_url_with_breaking_changes_keeps_the_old_spec(
    spec_server: str, before_copy: Path, tmp_path: Path
) -> None:
    spec = tmp_path / "openapi.json"
    shutil.copy(BEFORE, spec)
    done = regenerate(
        "--from",
        f"{spec_server}/openapi.json",
        "--fail-on-breaking",
        "--spec",
        spec,
        "--package-dir",
        before_copy,
    )
    assert done.returncode == 1
    assert spec.read_text() == BEFORE.read_text()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("docs.html", "does not hold an OpenAPI document"),
        ("missing.json", "the server answered 404"),
    ],
)
def test_from_url_that_is_not_a_spec(
    spec_server: str, tmp_path: Path, path: str, message: str
) -> None:
    spec = tmp_path / "openapi.json"
    shutil.copy(SPEC, spec)
    done = regenerate("--from", f"{spec_server}/{path}", "--spec", spec, "--check")
    assert done.returncode == 2
    assert message in done.stderr
    assert spec.read_text() == SPEC.read_text()


def test_from_unreachable_url(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on: bind, note it, close
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = regenerate("--from", f"http://127.0.0.1:{port}/openapi.json", "--check")
    assert done.returncode == 2
    assert f"cannot download http://127.0.0.1:{port}/openapi.json" in done.stderr
