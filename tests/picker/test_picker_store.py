"""The kernel half of the chunk protocol: `ChunkStore` and `AudioPicker` message handling."""

from __future__ import annotations

import gc
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from uponai_devtools.wav import make_wav
from uponai_widgets.jupyter._chunk_store import ChunkStore
from uponai_widgets.jupyter._frontend import read_part
from uponai_widgets.jupyter._picker import PICKER_ESM, AudioPicker


def begin(store: ChunkStore, file_id: str, size: int, name: str = "a.wav") -> Any:
    return store.handle({"type": "begin", "id": file_id, "name": name, "size": size}, [])


def chunk(store: ChunkStore, file_id: str, offset: int, data: bytes) -> Any:
    return store.handle({"type": "chunk", "id": file_id, "offset": offset}, [memoryview(data)])


def test_chunks_are_appended_acknowledged_and_finished(tmp_path: Path) -> None:
    store = ChunkStore()
    data = make_wav(seconds=0.5)
    assert begin(store, "f1", len(data)) is None
    replies = [chunk(store, "f1", off, data[off : off + 1000]) for off in range(0, len(data), 1000)]
    assert [r["type"] for r in replies] == ["ack"] * len(replies)
    assert replies[-1]["received"] == len(data)
    assert store.receiving[0].id == "f1"
    assert store.handle({"type": "end", "id": "f1"}, []) == {"type": "done", "id": "f1"}
    (stored,) = store.complete
    assert stored.path.read_bytes() == data
    assert stored.as_sample() == ("a.wav", str(stored.path), None)
    assert stored.describe() == {
        "id": "f1",
        "name": "a.wav",
        "size": len(data),
        "state": "ready",
        "received": len(data),
    }
    store.close()
    assert not store.directory.exists()


@pytest.mark.parametrize(
    ("offset", "data", "message"),
    [
        (5, b"xxxxx", "expected 0"),  # a gap
        (0, b"x" * 11, "more data than"),  # beyond the announced size
    ],
)
def test_bad_chunks_are_refused_and_the_file_marked_failed(
    offset: int, data: bytes, message: str
) -> None:
    store = ChunkStore()
    begin(store, "f1", 10)
    reply = chunk(store, "f1", offset, data)
    assert reply["type"] == "error"
    assert message in reply["message"]
    assert store.complete == []
    assert [f.error for f in store.failed] == [reply["message"]]  # listed with its reason
    assert list(store.directory.iterdir()) == []
    store.close()


def test_short_file_unknown_ids_and_malformed_messages() -> None:
    store = ChunkStore()
    begin(store, "f1", 10)
    chunk(store, "f1", 0, b"12345")
    end = store.handle({"type": "end", "id": "f1"}, [])
    assert end["type"] == "error"
    assert "received 5 of 10" in end["message"]
    assert chunk(store, "nope", 0, b"1")["type"] == "error"
    assert store.handle({"type": "begin", "id": "f2", "size": "big"}, [])["type"] == "error"
    assert store.handle({"type": "chunk", "id": "f2", "offset": 0}, [])["type"] == "error"
    assert store.handle({"type": "what"}, []) is None
    assert store.complete == []
    assert store.receiving == []
    assert [f.id for f in store.failed] == ["f1"]
    store.close()


def test_names_are_reduced_to_a_base_name_and_never_used_on_disk() -> None:
    store = ChunkStore()
    begin(store, "f1", 0, name="../../etc/passwd")
    begin(store, "f2", 0, name="C:\\x\\y.wav")
    assert [f.name for f in store.files] == ["passwd", "y.wav"]
    assert all(f.path.parent == store.directory for f in store.files)
    store.close()


def test_remove_abort_and_clear_delete_temporary_files() -> None:
    store = ChunkStore()
    for file_id in ("a", "b", "c"):
        begin(store, file_id, 3)
        chunk(store, file_id, 0, b"abc")
    store.handle({"type": "end", "id": "a"}, [])
    store.handle({"type": "end", "id": "b"}, [])
    assert store.handle({"type": "remove", "id": "a"}, [])["type"] == "error"  # tells the browser
    assert [f.id for f in store.files] == ["b", "c"]
    assert store.abort_incomplete() == ["c"]
    assert [p.read_bytes() for p in store.directory.iterdir()] == [b"abc"]
    store.clear()
    assert list(store.directory.iterdir()) == []
    store.close()
    assert store.closed
    assert begin(store, "d", 1)["type"] == "error"


def test_finalizer_removes_the_directory_when_the_store_is_dropped() -> None:
    store = ChunkStore()
    begin(store, "a", 3)
    directory = store.directory
    del store
    gc.collect()
    assert not directory.exists()


def test_interpreter_exit_removes_the_directory(tmp_path: Path) -> None:
    code = (
        "from uponai_widgets.jupyter._chunk_store import ChunkStore\n"
        "store = ChunkStore()\n"
        "store.begin('a', 'a.wav', 4); store.write('a', 0, b'abcd')\n"
        "print(store.directory, flush=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    directory = Path(done.stdout.strip())
    assert directory.name.startswith("uponai-samples-")
    assert not directory.exists()


def test_picker_replies_through_the_comm_and_syncs_only_metadata() -> None:
    picker = AudioPicker()
    sent: list[dict[str, Any]] = []
    picker.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]  # capture instead of a comm
    picker._on_chunk_message(picker, {"type": "begin", "id": "x", "name": "x.wav", "size": 4}, [])
    assert picker.files == [
        {"id": "x", "name": "x.wav", "size": 4, "state": "receiving", "received": 0}
    ]
    assert picker.receiving
    picker._on_chunk_message(picker, {"type": "chunk", "id": "x", "offset": 0}, [b"RIFF"])
    picker._on_chunk_message(picker, {"type": "end", "id": "x"}, [])
    assert sent == [
        {"type": "ack", "id": "x", "received": 4},
        {"type": "done", "id": "x"},
    ]
    assert picker.files[0]["state"] == "ready"
    assert [f.name for f in picker.samples] == ["x.wav"]
    picker.remove("x")
    assert picker.samples == ()
    assert sent[-1] == {"type": "error", "id": "x", "message": "removed"}
    picker._on_chunk_message(picker, {"type": "begin", "id": "y", "name": "y.wav", "size": 9}, [])
    picker.cancel()
    assert sent[-1] == {"type": "cancel"}
    assert picker.files == []
    picker.close()


def test_es_module_has_the_chunk_sender_once_and_a_default_export() -> None:
    assert PICKER_ESM.count(read_part("chunk_sender.js")) == 1
    assert PICKER_ESM.rstrip().endswith("export default { render };")
    assert 'post({ type: "chunk"' in PICKER_ESM
    assert "[buffer]" in PICKER_ESM
    assert 'post({ type: "select"' in PICKER_ESM  # the whole selection is announced first


def test_store_keeps_no_chunk_in_memory() -> None:
    """64 MiB through the store: Python allocations stay far below one chunk's multiple."""
    store = ChunkStore()
    piece = memoryview(bytearray(1024 * 1024))
    begin(store, "big", 64 * len(piece))
    tracemalloc.start()
    try:
        for n in range(64):
            assert chunk(store, "big", n * len(piece), piece)["type"] == "ack"
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 256 * 1024
    assert store.handle({"type": "end", "id": "big"}, [])["type"] == "done"
    assert store.complete[0].path.stat().st_size == 64 * len(piece)
    store.close()
