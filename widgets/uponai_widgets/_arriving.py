"""`ArrivingFile`: a sample still being written by someone else, uploaded as its bytes land.

In a notebook, a picked file is written into the kernel's temporary file (by the Jupyter server
or the widget's comm) while the user may already have clicked Clone. Handed to `clone_voice` as
an `ArrivingFile`, it is sent without waiting for the whole file: validation reads the bytes it
needs once they have landed (the first bytes to sniff; more only to tell samples of equal size
apart), and the request body sends each stretch of the file once it is on disk. When the file
can no longer arrive, reading it raises `NotArrived` (an `OSError`): before the upload that is
a validation problem, during it the body stops before its end, so no voice is created.
"""

from __future__ import annotations

import abc
import asyncio
import os
import time
from collections.abc import Awaitable, Sequence
from pathlib import Path

from ._sample_reader import SampleReader

__all__ = ["ArrivingFile", "ArrivingReader", "NotArrived", "has_arriving", "landing_wait"]

#: How often a reader of an `ArrivingFile` looks whether the bytes it needs have landed.
LANDING_POLL_S = 0.01
#: How much of an arriving file must have landed past the body's position for its next read
#: (httpx reads a file 64 KiB at a time).
LANDING_AHEAD = 64 * 1024


class NotArrived(OSError):
    """The file an `ArrivingFile` stands for can no longer arrive (failed, removed, abandoned)."""


class ArrivingFile(abc.ABC):
    """A file of known final size, appended to in order by a writer elsewhere.

    `name`, `size` and `mime` are the sample's file name, final size and MIME type (None: from
    the content). The bytes on disk at `path()` are the file's first bytes, in order; `path()`
    may change when the writer starts over under a new name (the bytes are the same file's).
    """

    name: str
    size: int
    mime: str | None

    @abc.abstractmethod
    def path(self) -> Path:
        """Where the file's bytes are being written now."""

    @abc.abstractmethod
    def complete(self) -> bool:
        """True once every byte is on disk (and the writer said so)."""

    @abc.abstractmethod
    def failure(self) -> str | None:
        """Why the file can no longer arrive (``"cancelled"``...), or None while it can."""

    def landed(self) -> int:
        """How many of the file's bytes are on disk now; raises `NotArrived` when none will."""
        why = self.failure()
        if why is not None:
            raise NotArrived(f"{self.name} did not arrive: {why}")
        if self.complete():
            return self.size
        try:
            return min(self.path().stat().st_size, self.size)
        except FileNotFoundError:
            return 0


class ArrivingReader(SampleReader):
    """An `ArrivingFile`: each read waits until the bytes it returns have landed.

    The body's own reads do not wait in an event loop: `landing_wait` is asked before each of
    them and waits asynchronously; a sync upload (or validation, in a worker thread) waits here.
    """

    def __init__(self, source: ArrivingFile, label: str) -> None:
        super().__init__(label, source.name, source.mime)
        self.source = source
        self.size = source.size
        self._landed = 0
        self._fd: int | None = None
        self._opened: Path | None = None

    def _landing(self, end: int) -> bool:
        """True once the first `end` bytes are on disk (raises `NotArrived` if they never will)."""
        if self._landed < end:
            self._landed = self.source.landed()
        return self._landed >= end

    def wait(self, end: int) -> None:
        """Block until the first `end` bytes have landed."""
        while not self._landing(end):
            time.sleep(LANDING_POLL_S)

    def landed_ahead(self) -> bool:
        """True when the next stretch from the position on (up to `LANDING_AHEAD`) has landed."""
        assert self.size is not None
        return self._landing(min(self.size, self._pos + LANDING_AHEAD))

    async def landing(self) -> None:
        """Wait until `landed_ahead`."""
        while not self.landed_ahead():
            await asyncio.sleep(LANDING_POLL_S)

    def _pread(self, offset: int, length: int) -> bytes:
        path = self.source.path()
        if self._fd is None or path != self._opened:  # a writer that started over: same bytes
            self._close_fd()
            self._fd, self._opened = os.open(path, os.O_RDONLY), path
        pieces: list[bytes] = []
        while length > 0:
            piece = os.pread(self._fd, length, offset)
            if not piece:
                break
            pieces.append(piece)
            offset += len(piece)
            length -= len(piece)
        return b"".join(pieces)

    def _read(self, size: int) -> bytes:
        self.wait(self._pos + size)
        return self._pread(self._pos, size)

    def peek(self, offset: int, length: int) -> bytes:
        assert self.size is not None
        length = max(0, min(length, self.size - offset))
        self.wait(offset + length)
        return self._pread(offset, length)

    def _close_fd(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
        self._fd = self._opened = None

    def close(self) -> None:
        self._close_fd()
        super().close()


def landing_wait(readers: Sequence[SampleReader]) -> Awaitable[None] | None:
    """Before the body's next read: None when the sample it reads has its next bytes on disk,
    else what to await until it has. Readers are read in order, so the next read is of the
    first one not yet read to its end."""
    for reader in readers:
        if reader.size is not None and reader.tell() >= reader.size:
            continue
        if isinstance(reader, ArrivingReader) and not reader.landed_ahead():
            return reader.landing()
        return None
    return None


def has_arriving(readers: Sequence[SampleReader]) -> bool:
    """True when one of `readers` reads an `ArrivingFile`."""
    return any(isinstance(reader, ArrivingReader) for reader in readers)
