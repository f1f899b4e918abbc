"""The kernel half of playing a sample in the browser: its bytes in chunks over the widget's comm.

The front end (``audio_receiver.js``) asks for an audio id; the kernel answers with ``audio``
custom messages, each carrying one chunk as a binary buffer, the last one marked ``final``. The
browser joins them into a Blob and plays it from a Blob URL, so the audio never enters synced
state (nor a saved notebook).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["AUDIO_CHUNK", "send_audio"]

#: Bytes per message: far below tornado's 10 MiB websocket message limit.
AUDIO_CHUNK = 1024 * 1024


def send_audio(
    send: Callable[..., Any],
    audio_id: str,
    source: Path | bytes | bytearray | memoryview | None,
    mime: str = "audio/wav",
) -> None:
    """Send `source` (a file or bytes) as ``audio`` messages; an error message when it is None."""
    if source is None:
        send({"type": "audio", "id": audio_id, "error": "this audio is no longer in the kernel"})
        return
    if isinstance(source, Path):
        try:
            size = source.stat().st_size
            with source.open("rb") as handle:
                offset = 0
                while True:
                    chunk = handle.read(AUDIO_CHUNK)
                    final = offset + len(chunk) >= size or not chunk
                    header = _header(audio_id, offset, size, mime, final)
                    send(header, buffers=[chunk])
                    offset += len(chunk)
                    if final:
                        return
        except OSError as exc:
            send({"type": "audio", "id": audio_id, "error": f"cannot read the audio: {exc}"})
            return
    data = memoryview(source).cast("B")
    size = len(data)
    offset = 0
    while True:
        piece = data[offset : offset + AUDIO_CHUNK]
        final = offset + len(piece) >= size
        send(_header(audio_id, offset, size, mime, final), buffers=[bytes(piece)])
        offset += len(piece)
        if final:
            return


def _header(audio_id: str, offset: int, size: int, mime: str, final: bool) -> dict[str, Any]:
    return {
        "type": "audio",
        "id": audio_id,
        "offset": offset,
        "size": size,
        "mime": mime,
        "final": final,
    }
