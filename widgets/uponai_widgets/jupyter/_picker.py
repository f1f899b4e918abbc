"""`AudioPicker`: choose or drop audio files in the browser; they arrive in the kernel in chunks.

Unlike ipywidgets' `FileUpload` (one websocket message per selection, so a default Jupyter server
silently drops anything over 10 MiB, and every byte held in kernel memory and synced state), the
picker (``picker.js``) hands each file to the Jupyter server's direct route (`_server_route`: one
streamed PUT that the server writes into the kernel's temporary file) when the server has it and
``direct`` is on; otherwise it reads the file with ``File.slice`` and sends chunks of
``chunk_size`` bytes as binary comm buffers; the kernel appends them to temporary files
(`ChunkStore`) and acknowledges each, and the browser keeps at most ``window`` chunks
unacknowledged. Synced state
only holds names, sizes and states: a saved notebook never contains audio.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import anywidget
import traitlets

from ._chunk_receiver import DEFAULT_CHUNK, DEFAULT_WINDOW, ChunkReceiverMixin
from ._chunk_store import ChunkStore
from ._frontend import SHARED_PARTS, es_module, stylesheet

__all__ = ["AUDIO_ACCEPT", "AudioPicker"]

#: What the file chooser offers: audio MIME types plus the extensions the API accepts.
AUDIO_ACCEPT = "audio/*,.wav,.mp3,.flac,.ogg,.oga,.m4a,.webm"

#: The picker's ES module: the shared chunk sender and transfer list plus ``picker.js``.
PICKER_ESM = es_module(*SHARED_PARTS, "picker.js")
PICKER_CSS = stylesheet("picker.css", "widget.css")


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
    show_list = traitlets.Bool(True, help="draw the per-file transfer rows").tag(sync=True)
    chunk_size = traitlets.Int(DEFAULT_CHUNK).tag(sync=True)
    window = traitlets.Int(DEFAULT_WINDOW).tag(sync=True)
    direct = traitlets.Bool(
        True, help="send each file as one PUT to the Jupyter server's direct route when it has one"
    ).tag(sync=True)
    files = traitlets.List(traitlets.Dict(), help="name/size/state per file; no audio").tag(
        sync=True
    )
    samples = traitlets.Tuple(help="received files (kernel only, never synced)")
    value = traitlets.Tuple(help="FileUpload-style entries to store (kernel only)")

    def __init__(self, store: ChunkStore | None = None, **kwargs: Any) -> None:
        """Create the picker; `store` defaults to a new private temporary directory."""
        super().__init__(**kwargs)
        self._init_receiver(store if store is not None else ChunkStore(source="picker"))
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
