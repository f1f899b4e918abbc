"""`VoiceRecorder`: record a sample from the microphone in the browser (MediaRecorder).

The browser shows Record / Stop, a level meter and the elapsed time; when a recording stops it
travels to the kernel in acknowledged chunks, exactly like the picker's files (same JS chunk
sender, same kernel-side `ChunkStore`), so a long recording has no size ceiling and synced state
never holds audio. Chromium records WebM/Opus; `inspect_sample` and the cloning layer read it.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from ._chunk_receiver import DEFAULT_CHUNK, DEFAULT_WINDOW, ChunkReceiverMixin
from ._chunk_store import ChunkStore
from ._frontend import SHARED_PARTS, es_module, stylesheet

__all__ = ["VoiceRecorder"]

#: The recorder's ES module: the shared chunk sender and transfer list plus ``recorder.js``.
RECORDER_ESM = es_module(*SHARED_PARTS, "recorder.js")
RECORDER_CSS = stylesheet("recorder.css")


class VoiceRecorder(ChunkReceiverMixin, anywidget.AnyWidget):
    """Record audio samples from the microphone; each recording arrives as a temporary file.

    ``recorder.samples`` holds the recordings received (`StoredFile`: name, mime, size, path;
    observe it to react); ``stored.as_sample()`` is what `clone_voice` streams from disk. The
    browser asks for microphone permission at the first **Record** click.
    """

    _esm = RECORDER_ESM
    _css = RECORDER_CSS

    disabled = traitlets.Bool(False).tag(sync=True)
    show_list = traitlets.Bool(True, help="draw the per-file transfer rows").tag(sync=True)
    chunk_size = traitlets.Int(DEFAULT_CHUNK).tag(sync=True)
    window = traitlets.Int(DEFAULT_WINDOW).tag(sync=True)
    files = traitlets.List(traitlets.Dict(), help="name/size/state per recording; no audio").tag(
        sync=True
    )
    samples = traitlets.Tuple(help="received recordings (kernel only, never synced)")
    notice = traitlets.Unicode(
        "", help="a message under Record (no microphone); cleared once it is stale"
    ).tag(sync=True)

    def __init__(self, store: ChunkStore | None = None, **kwargs: Any) -> None:
        """Create the recorder; `store` defaults to a new private temporary directory."""
        super().__init__(**kwargs)
        self._init_receiver(
            store
            if store is not None
            else ChunkStore(prefix="uponai-recordings-", source="recorder")
        )
        self.add_class("uponai-recorder")

    def close(self) -> None:
        """Close the widget and delete every recording's temporary file."""
        self.store.close()
        super().close()
