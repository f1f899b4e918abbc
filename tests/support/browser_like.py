"""Feeding files to the picker the way its front end does, for tests without a browser."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uponai_widgets import AudioPicker

CHUNK = 4096


def send_like_browser(picker: AudioPicker, name: str, data: bytes, chunk: int = CHUNK) -> str:
    """Feed `data` to the picker the way its front end does: begin, chunks (buffers), end."""
    file_id = f"id-{name}"
    picker._on_chunk_message(
        picker,
        {"type": "begin", "id": file_id, "name": name, "size": len(data), "mime": "audio/wav"},
        [],
    )
    for offset in range(0, len(data), chunk):
        piece = memoryview(bytearray(data[offset : offset + chunk]))
        picker._on_chunk_message(
            picker, {"type": "chunk", "id": file_id, "offset": offset}, [piece]
        )
    picker._on_chunk_message(picker, {"type": "end", "id": file_id}, [])
    return file_id
