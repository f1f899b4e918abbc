"""`AudioPicker`: choose or drop audio files in the browser; they arrive in the kernel in chunks.

Unlike ipywidgets' `FileUpload` (one websocket message per selection, so a default Jupyter server
silently drops anything over 10 MiB, and every byte held in kernel memory and synced state), the
picker reads each file in the browser with ``File.slice`` and sends chunks of ``chunk_size``
bytes as binary comm buffers; the kernel appends them to temporary files (`ChunkStore`) and
acknowledges each, and the browser keeps at most ``window`` chunks unacknowledged. Synced state
only holds names, sizes and states: a saved notebook never contains audio.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import anywidget
import traitlets

from ._chunk_store import ChunkStore, StoredFile
from ._picker_js import PICKER_CSS, PICKER_ESM

__all__ = ["AUDIO_ACCEPT", "AudioPicker", "ChunkReceiverMixin"]

#: What the file chooser offers: audio MIME types plus the extensions the API accepts.
AUDIO_ACCEPT = "audio/*,.wav,.mp3,.flac,.ogg,.oga,.m4a,.webm"

#: Bytes per chunk: far below tornado's default 10 MiB websocket message limit.
DEFAULT_CHUNK = 4 * 1024 * 1024

#: Unacknowledged chunks the browser may have in flight.
DEFAULT_WINDOW = 4


class ChunkReceiverMixin:
    """Kernel half of the chunk protocol for an anywidget: a `ChunkStore` and its comm handler.

    Subclasses are `anywidget.AnyWidget` with a synced ``files`` list and a kernel-only
    ``samples`` tuple; call `_init_receiver` from ``__init__``.
    """

    store: ChunkStore
    files: list[dict[str, Any]]
    samples: tuple[StoredFile, ...]

    def _init_receiver(self, store: ChunkStore | None) -> None:
        self.store = store if store is not None else ChunkStore()
        self.on_msg(self._on_chunk_message)  # type: ignore[attr-defined]  # AnyWidget method

    def _on_chunk_message(self, _widget: Any, content: Any, buffers: Sequence[Any]) -> None:
        if not isinstance(content, Mapping):
            return
        reply = self.store.handle(content, buffers)
        if reply is not None:
            self.send(reply)  # type: ignore[attr-defined]  # AnyWidget method
        if content.get("type") != "chunk" or (reply is not None and reply["type"] == "error"):
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


class AudioPicker(ChunkReceiverMixin, anywidget.AnyWidget):
    """Pick or drop audio files; each arrives in the kernel as a temporary file, in chunks.

    ``picker.samples`` holds the received files (`StoredFile`: name, mime, size, path); observe
    it to react to new files; ``stored.as_sample()`` is what `clone_voice` streams from disk.
    Assigning FileUpload-style entries (dicts with name/type/content) to ``picker.value`` from
    Python stores them the same way and resets ``value`` to ``()``.
    """

    _esm = PICKER_ESM
    _css = PICKER_CSS

    accept = traitlets.Unicode(AUDIO_ACCEPT).tag(sync=True)
    multiple = traitlets.Bool(True).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    description = traitlets.Unicode("Choose audio").tag(sync=True)
    chunk_size = traitlets.Int(DEFAULT_CHUNK).tag(sync=True)
    window = traitlets.Int(DEFAULT_WINDOW).tag(sync=True)
    files = traitlets.List(traitlets.Dict(), help="name/size/state per file; no audio").tag(
        sync=True
    )
    samples = traitlets.Tuple(help="received files (kernel only, never synced)")
    value = traitlets.Tuple(help="FileUpload-style entries to store (kernel only)")

    def __init__(self, store: ChunkStore | None = None, **kwargs: Any) -> None:
        """Create the picker; `store` defaults to a new private temporary directory."""
        super().__init__(**kwargs)
        self._init_receiver(store)
        self.observe(self._on_value, names="value")
        self.add_class("uponai-picker")

    def _on_value(self, change: Mapping[str, Any]) -> None:
        entries = tuple(change["new"] or ())
        if not entries:
            return
        for entry in entries:
            self.store.add(entry.get("name"), entry.get("content", b""), entry.get("type", ""))
        self.value = ()
        self._refresh()

    def close(self) -> None:
        """Close the widget and delete every temporary file."""
        self.store.close()
        super().close()
