"""Test streams that behave like pipes and sockets."""

from __future__ import annotations

import io
from typing import Any


class OneWay(io.RawIOBase):
    """A readable stream that cannot seek (like a pipe or an HTTP body).

    `max_read` caps each read, to exercise callers that must cope with short reads.
    """

    def __init__(self, data: bytes, max_read: int | None = None) -> None:
        self._data = io.BytesIO(data)
        self._max_read = max_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer) if self._max_read is None else min(len(buffer), self._max_read)
        chunk = self._data.read(size)
        buffer[: len(chunk)] = chunk
        return len(chunk)
