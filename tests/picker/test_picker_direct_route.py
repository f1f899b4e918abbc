"""The picker's direct route: the kernel's tickets and a real Jupyter server's PUT handler.

The server half is exercised over real HTTP on a JupyterLab started with default settings (the
package's own server config enables the route); the store runs in this process with its
temporary directory pointed at the server's, as a kernel of that server would have it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from uponai_devtools.lab import RunningLab, start_lab
from uponai_widgets import Limits
from uponai_widgets.jupyter import _server_route
from uponai_widgets.jupyter._chunk_store import ChunkStore
from uponai_widgets.jupyter._server_route import ROUTE, open_ticket


def select(store: ChunkStore, *sizes: int) -> dict[str, Any]:
    files = [{"id": f"f{i}", "name": f"{i}.wav", "size": size} for i, size in enumerate(sizes)]
    reply = store.handle({"type": "select", "selection": "s", "files": files}, [])
    assert reply is not None
    return reply


# -- the kernel's side -----------------------------------------------------------------------


def test_each_accepted_file_gets_a_ticket_naming_its_empty_temporary_file() -> None:
    store = ChunkStore(limits=Limits(max_file_bytes=100, max_total_bytes=1000))
    try:
        reply = select(store, 10, 500)
        assert reply["refused"].keys() == {"f1"}
        assert reply["tickets"].keys() == {"f0"}
        ticket = reply["tickets"]["f0"]
        path = Path(tempfile.gettempdir()) / ticket
        assert path == store.get("f0").path  # type: ignore[union-attr]
        assert path.stat().st_size == 0
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    finally:
        store.close()


def test_a_file_the_server_wrote_in_full_is_complete_and_a_short_one_fails() -> None:
    store = ChunkStore()
    try:
        tickets = select(store, 5, 5)["tickets"]
        for file_id, data in (("f0", b"abcde"), ("f1", b"abc")):
            (Path(tempfile.gettempdir()) / tickets[file_id]).write_bytes(data)
        assert store.handle({"type": "progress", "id": "f1"}, []) is None
        assert store.get("f1").received == 3  # type: ignore[union-attr]
        assert store.handle({"type": "stored", "id": "f0"}, []) == {"type": "done", "id": "f0"}
        reply = store.handle({"type": "stored", "id": "f1"}, [])
        assert reply == {"type": "error", "id": "f1", "message": "the server stored 3 of 5 bytes"}
        assert [f.id for f in store.complete] == ["f0"]
        assert [f.id for f in store.failed] == ["f1"]
        assert store.get("f0").path.read_bytes() == b"abcde"  # type: ignore[union-attr]
    finally:
        store.close()


def test_falling_back_to_the_comm_retires_the_ticket_before_any_chunk() -> None:
    store = ChunkStore()
    try:
        ticket = select(store, 4)["tickets"]["f0"]
        old = Path(tempfile.gettempdir()) / ticket
        old.write_bytes(b"xx")  # a direct attempt that stopped part way
        assert store.handle({"type": "begin", "id": "f0", "name": "0.wav", "size": 4}, []) is None
        assert not old.exists()
        chunk = {"type": "chunk", "id": "f0", "offset": 0}
        assert store.handle(chunk, [memoryview(b"wxyz")])["received"] == 4  # type: ignore[index]
        assert store.handle({"type": "end", "id": "f0"}, []) == {"type": "done", "id": "f0"}
        assert store.complete[0].path.read_bytes() == b"wxyz"
        assert open_ticket(ticket) is None
    finally:
        store.close()


# -- what the server accepts to write into -----------------------------------------------------


def make_ticket(parent: Path, *, mode: int = 0o700) -> tuple[str, Path]:
    directory = parent / f"uponai-samples-{os.getpid()}-abc_9"
    directory.mkdir(mode=mode)
    directory.chmod(mode)
    path = directory / f"00001-{'0f' * 16}.audio"
    path.touch(mode=0o600)
    return f"{directory.name}/{path.name}", path


def test_the_server_writes_only_into_an_empty_ticket_file_of_a_private_store(
    tmp_path: Path,
) -> None:
    ticket, path = make_ticket(tmp_path)
    descriptor = open_ticket(ticket, tmp_path)
    assert descriptor is not None
    os.close(descriptor)
    for wrong in (
        "../" + ticket,
        ticket.replace(".audio", ".wav"),
        ticket.replace("0f0f", "0F0F"),
        f"other-{ticket}",
        ticket + "/x",
    ):
        assert open_ticket(wrong, tmp_path) is None, wrong
    descriptor = open_ticket(ticket, tmp_path)
    assert descriptor is not None
    assert open_ticket(ticket, tmp_path) is None  # one writer at a time
    os.close(descriptor)
    path.write_bytes(b"x")  # already written: never twice
    assert open_ticket(ticket, tmp_path) is None
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere").touch()
    assert open_ticket(ticket, tmp_path) is None


def test_a_store_directory_others_can_write_to_is_not_trusted(tmp_path: Path) -> None:
    ticket, _path = make_ticket(tmp_path, mode=0o777)
    assert open_ticket(ticket, tmp_path) is None


# -- a real Jupyter server ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLab]:
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "root"
    root.mkdir()
    with start_lab(tmp, root, kernel_env={}) as running:
        yield running


@pytest.fixture
def store(lab: RunningLab, monkeypatch: pytest.MonkeyPatch) -> Iterator[ChunkStore]:
    """A store in the server's temporary directory, as the server's kernels have it."""
    monkeypatch.setattr(tempfile, "tempdir", str(lab.tmp_dir))
    created = ChunkStore(limits=Limits(max_file_bytes=2**40, max_total_bytes=2**40))
    yield created
    created.close()


def put(lab: RunningLab, ticket: str, body: bytes, *, token: bool = True) -> httpx.Response:
    headers = {"Authorization": f"token {lab.token}"} if token else {}
    return httpx.put(f"{lab.url}/{ROUTE}/{ticket}", content=body, headers=headers, timeout=30)


@pytest.mark.slow
def test_a_put_to_the_server_lands_in_the_kernels_file_byte_for_byte(
    lab: RunningLab, store: ChunkStore
) -> None:
    data = os.urandom(3_000_000)
    ticket = select(store, len(data))["tickets"]["f0"]
    response = put(lab, ticket, data)
    assert response.status_code == 201, response.text
    assert response.json() == {"received": len(data)}
    assert store.handle({"type": "stored", "id": "f0"}, []) == {"type": "done", "id": "f0"}
    assert store.complete[0].path.read_bytes() == data
    assert put(lab, ticket, b"again").status_code == 404  # a file is written once


@pytest.mark.slow
def test_the_server_refuses_strangers_and_unknown_tickets(
    lab: RunningLab, store: ChunkStore
) -> None:
    ticket = select(store, 5)["tickets"]["f0"]
    assert put(lab, ticket, b"abcde", token=False).status_code == 403
    assert store.get("f0").path.stat().st_size == 0  # type: ignore[union-attr]
    unknown = ticket[:-10] + "0000.audio"
    assert put(lab, unknown, b"abcde").status_code == 404
    store.handle({"type": "begin", "id": "f0", "name": "0.wav", "size": 5}, [])
    assert put(lab, ticket, b"abcde").status_code == 404  # retired by the fall-back
    assert store.get("f0").path.stat().st_size == 0  # type: ignore[union-attr]


@pytest.mark.slow
def test_the_page_can_ask_whether_the_server_takes_a_ticket_before_sending_it(
    lab: RunningLab, store: ChunkStore
) -> None:
    # The page asks with a GET before its PUT: 204 here, anything else (Voila's own server,
    # which loads no extensions; a server far from the kernel) sends the file over the comm.
    ticket = select(store, 5)["tickets"]["f0"]
    address = f"{lab.url}/{ROUTE}/{ticket}"
    mine = {"Authorization": f"token {lab.token}"}
    assert httpx.get(address, timeout=30).status_code == 403
    asked = httpx.get(address, headers=mine, timeout=30)
    assert (asked.status_code, asked.content) == (204, b"")
    unknown = httpx.get(f"{lab.url}/{ROUTE}/{ticket[:-10]}0000.audio", headers=mine, timeout=30)
    assert unknown.status_code == 404
    assert store.get("f0").path.stat().st_size == 0  # type: ignore[union-attr]
    assert put(lab, ticket, b"abcde").status_code == 201  # asking did not use the ticket up
    assert httpx.get(address, headers=mine, timeout=30).status_code == 404  # written once


@pytest.mark.slow
def test_a_body_over_jupyters_in_memory_ceiling_streams_to_disk(
    lab: RunningLab, store: ChunkStore, tmp_path: Path
) -> None:
    size = 600 * 1024 * 1024  # over ServerApp.max_body_size (512 MiB)
    source = tmp_path / "big.bin"
    with source.open("wb") as out:
        out.truncate(size)
    ticket = select(store, size)["tickets"]["f0"]
    with source.open("rb") as body:
        response = httpx.put(
            f"{lab.url}/{ROUTE}/{ticket}",
            content=body,
            headers={"Authorization": f"token {lab.token}", "Content-Length": str(size)},
            timeout=120,
        )
    assert response.status_code == 201, response.text
    assert store.handle({"type": "stored", "id": "f0"}, []) == {"type": "done", "id": "f0"}
    assert store.complete[0].path.stat().st_size == size


def test_the_installed_package_enables_the_route_for_every_jupyter_server() -> None:
    """The wheel's data puts the extension's switch where every Jupyter server of this
    environment reads its config (``make install`` and ``pip install`` alike)."""
    config = (
        Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "uponai_widgets.json"
    )
    switches = json.loads(config.read_text())["ServerApp"]["jpserver_extensions"]
    assert switches == {_server_route.__name__: True}
    assert _server_route._jupyter_server_extension_points() == [{"module": _server_route.__name__}]
