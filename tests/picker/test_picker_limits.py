"""The picker store under hostile or unlucky input: limits, descriptors, stray messages, leftovers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from uponai_widgets import Limits
from uponai_widgets.jupyter._chunk_store import ChunkStore
from uponai_widgets.jupyter._picker import AudioPicker


def message(store: ChunkStore, kind: str, file_id: str, **fields: Any) -> Any:
    buffers = [memoryview(fields.pop("data"))] if "data" in fields else []
    return store.handle({"type": kind, "id": file_id, **fields}, buffers)


def ready_file(store: ChunkStore, file_id: str = "f1", data: bytes = b"RIFF1234") -> Path:
    assert message(store, "begin", file_id, name="a.wav", size=len(data)) is None
    assert message(store, "chunk", file_id, offset=0, data=data)["type"] == "ack"
    assert message(store, "end", file_id) == {"type": "done", "id": file_id}
    return store.complete[0].path


def test_a_huge_announcement_is_refused_with_the_limit_named() -> None:
    store = ChunkStore()
    reply = message(store, "begin", "huge", name="huge.wav", size=10**15)
    assert reply["type"] == "error"
    assert "limit" in reply["message"]
    assert "per file" in reply["message"]
    assert store.complete == []
    assert store.receiving == []
    store.close()


def test_total_limit_counts_every_announced_file() -> None:
    store = ChunkStore(limits=Limits(max_file_bytes=100, max_total_bytes=150))
    assert message(store, "begin", "a", name="a.wav", size=100) is None
    reply = message(store, "begin", "b", name="b.wav", size=60)
    assert reply["type"] == "error"
    assert "total" in reply["message"]
    assert [f.id for f in store.receiving] == ["a"]
    store.close()


def test_the_widget_store_uses_its_connections_limits() -> None:
    from uponai_client import AuthenticatedClient
    from uponai_widgets import Connection, VoiceCloneWidget

    client = AuthenticatedClient(base_url="http://127.0.0.1:9", token="t0ken-for-limits")
    connection = Connection(client, limits=Limits(max_file_bytes=1000))
    widget = VoiceCloneWidget(connection, workspace_id=1)
    sent: list[dict[str, Any]] = []
    widget.picker.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]  # capture instead of a comm
    begin = {"type": "begin", "id": "x", "name": "x.wav", "size": 2000, "mime": "audio/wav"}
    widget.picker._on_chunk_message(widget.picker, begin, [])
    assert sent[-1]["type"] == "error"
    assert "1000 B per file" in sent[-1]["message"]  # the browser shows it in the picker
    assert widget.recorder.store.limits.max_file_bytes == 1000
    assert VoiceCloneWidget(workspace_id=1).picker.store.limits == Limits()
    widget.close()


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_announced_files_hold_no_file_descriptor() -> None:
    store = ChunkStore()
    before = open_descriptors()
    for n in range(49):
        assert message(store, "begin", f"f{n}", name=f"{n}.wav", size=10) is None
        assert message(store, "chunk", f"f{n}", offset=0, data=b"12345")["type"] == "ack"
    assert open_descriptors() - before <= 2
    assert len(store.receiving) == 49
    store.close()


@pytest.mark.parametrize(
    "stray",
    [
        {"type": "end", "id": "f1"},
        {"type": "chunk", "id": "f1", "offset": 8},
        {"type": "chunk", "id": "f1", "offset": 0},
        {"type": "begin", "id": "f1", "name": "again.wav", "size": 8},
        {"type": "abort", "id": "f1"},
    ],
)
def test_stray_or_repeated_messages_never_delete_a_ready_file(stray: dict[str, Any]) -> None:
    store = ChunkStore()
    path = ready_file(store)
    buffers = [memoryview(b"late")] if stray["type"] == "chunk" else []
    store.handle(stray, buffers)
    assert [f.id for f in store.complete] == ["f1"]
    assert path.read_bytes() == b"RIFF1234"
    assert store.complete[0].name == "a.wav"
    store.close()


def test_a_failed_file_keeps_its_reason_and_no_bytes() -> None:
    store = ChunkStore()
    message(store, "begin", "f1", name="a.wav", size=10)
    reply = message(store, "chunk", "f1", offset=3, data=b"xx")
    assert reply["type"] == "error"
    (failed,) = store.failed
    assert "expected 0" in failed.error
    assert failed.describe()["state"] == "failed"
    assert not failed.path.exists()
    store.close()


KILLED_KERNEL = """
import os, signal
from uponai_widgets.jupyter._chunk_store import ChunkStore
store = ChunkStore()
store.begin("a", "a.wav", 4)
store.write("a", 0, b"abcd")
print(store.directory, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_new_store_removes_the_directory_of_a_killed_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", KILLED_KERNEL], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == -signal.SIGKILL
    left = Path(done.stdout.strip())
    assert left.exists()
    assert left.parent == tmp_path
    alive = tmp_path / f"uponai-samples-{os.getppid()}-keep"  # a live owner's directory
    alive.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    store = ChunkStore()
    assert not left.exists()
    assert alive.exists()
    assert store.directory.exists()
    store.close()


def test_picker_repr_holds_names_only() -> None:
    picker = AudioPicker()
    picker.value = ({"name": "b.wav", "type": "audio/wav", "content": b"RIFF-secret-bytes"},)
    assert "RIFF" not in repr(picker)
    assert "b.wav" in repr(picker)
    picker.close()


def test_errors_name_the_widget_the_store_serves() -> None:
    from uponai_widgets.jupyter._recorder import VoiceRecorder

    recorder = VoiceRecorder()
    recorder.store.close()
    reply = recorder.store.handle({"type": "begin", "id": "r", "name": "r.webm", "size": 4}, [])
    assert reply["message"] == "the recorder was closed"
    picker = AudioPicker()
    picker.store.close()
    reply = picker.store.handle({"type": "begin", "id": "p", "name": "p.wav", "size": 4}, [])
    assert reply["message"] == "the picker was closed"
