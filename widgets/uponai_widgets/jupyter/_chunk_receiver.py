"""`ChunkReceiverMixin`: the kernel half of the chunk protocol for the picker and the recorder.

The browser (``chunk_sender.js``) sends ``begin`` / ``chunk`` / ``end`` messages; the mixin hands
them to a `ChunkStore` and sends the store's replies back over the widget's comm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._chunk_store import ChunkStore, StoredFile

__all__ = ["DEFAULT_CHUNK", "DEFAULT_WINDOW", "MAX_CHUNK", "ChunkReceiverMixin"]

#: Bytes per chunk. Each chunk costs a comm message, its busy/idle status messages and the
#: front end's bookkeeping, so fewer, larger chunks spend less CPU per byte (measured 1 GB in
#: Chromium: 29 s of CPU in all processes with 4 MiB chunks, 20 s with 8 MiB). 8 MiB plus the
#: message's JSON and framing stays under tornado's default 10 MiB websocket message limit.
DEFAULT_CHUNK = 8 * 1024 * 1024

#: The largest chunk the browser sends whatever ``chunk_size`` says: a message over the
#: server's 10 MiB default ceiling would be dropped without a word.
MAX_CHUNK = 9 * 1024 * 1024

#: Unacknowledged chunks the browser may have in flight (kernel memory stays within about
#: window x chunk: measured +48 MiB over idle for a 1 GB file).
DEFAULT_WINDOW = 4


class ChunkReceiverMixin:
    """Kernel half of the chunk protocol for an anywidget: a `ChunkStore` and its comm handler.

    Subclasses are `anywidget.AnyWidget` with a synced ``files`` list and a kernel-only
    ``samples`` tuple; call `_init_receiver` from ``__init__``.
    """

    store: ChunkStore
    files: list[dict[str, Any]]
    samples: tuple[StoredFile, ...]

    def __repr__(self) -> str:
        """Names and states only (never audio, paths or form values)."""
        names = [(f.name, f.state) for f in self.store.files]
        return f"{type(self).__name__}(files={names!r})"

    def _init_receiver(self, store: ChunkStore) -> None:
        self.store = store
        self._shown_steps: dict[str, int] = {}
        self.on_msg(self._on_chunk_message)  # type: ignore[attr-defined]  # AnyWidget method

    def _on_chunk_message(self, _widget: Any, content: Any, buffers: Sequence[Any]) -> None:
        if not isinstance(content, Mapping):
            return
        reply = self.store.handle(content, buffers)
        if reply is not None:
            self.send(reply)  # type: ignore[attr-defined]  # AnyWidget method
        if reply is not None and reply["type"] == "error":
            self._refresh()
        elif content.get("type") in {"chunk", "progress"}:
            self._progress(str(content.get("id") or ""))
        else:
            self._refresh()

    def _progress(self, file_id: str) -> None:
        # Arrival progress reaches the synced list in steps of about 5 %, not per chunk.
        stored = self.store.get(file_id)
        if stored is None or not stored.size:
            return
        step = int(20 * stored.received / stored.size)
        if step != self._shown_steps.get(file_id):
            self._shown_steps[file_id] = step
            self._refresh()

    def _refresh(self) -> None:
        self.files = [stored.describe() for stored in self.store.files]
        complete = tuple(self.store.complete)
        if complete != self.samples:
            self.samples = complete

    @property
    def receiving(self) -> bool:
        """True while a file is still arriving from the browser."""
        return bool(self.store.receiving)

    def remove(self, file_id: str) -> None:
        """Remove one file (and its temporary file); stops it if still arriving."""
        self.store.remove(file_id)
        self.send({"type": "error", "id": file_id, "message": "removed"})  # type: ignore[attr-defined]  # AnyWidget method
        self._refresh()

    def cancel(self) -> None:
        """Stop every transfer in progress (browser and kernel side); finished files stay."""
        self.store.abort_incomplete()
        self.send({"type": "cancel"})  # type: ignore[attr-defined]  # AnyWidget method
        self._refresh()

    def clear(self) -> None:
        """Stop transfers and remove every file (and its temporary file)."""
        self.cancel()
        self.store.clear()
        self._refresh()
