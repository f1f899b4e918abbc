"""Kernel side of the chunked browser-to-kernel transfer: temporary files fed chunk by chunk.

The browser (see ``chunk_sender.js``) sends, per file, ``begin`` (id, name, size, MIME type), then
``chunk`` messages (id, offset, one binary buffer each) and finally ``end``; ``abort`` and
``remove`` drop a file. `ChunkStore.handle` writes each buffer straight to the file's temporary
file (the buffer is a view over the received frame: no copy is kept) and answers with the reply
to send back (``ack`` with the bytes received so far, ``done``, or ``error``). The browser keeps
only a few unacknowledged chunks in flight, so kernel memory stays bounded whatever the size.

Every file lives in one private temporary directory per store; `ChunkStore.remove`, `clear` and
`close` delete files, and a `weakref.finalize` (which also runs at interpreter exit, i.e. when
the kernel shuts down) removes the directory if the store is never closed.
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["ChunkStore", "StoredFile"]

#: Longest file name kept from the browser (the name only labels the sample).
MAX_NAME = 255


@dataclass
class StoredFile:
    """One file received (or being received) from the browser, kept in a temporary file."""

    id: str
    name: str
    mime: str
    size: int
    path: Path
    received: int = 0
    complete: bool = False

    def as_sample(self) -> tuple[str, str, str | None]:
        """The ``(filename, path, mime)`` sample the cloning layer streams from disk."""
        return (self.name, str(self.path), self.mime or None)

    def describe(self) -> dict[str, Any]:
        """What the front end may know: no audio, no path."""
        state = "ready" if self.complete else "receiving"
        return {"id": self.id, "name": self.name, "size": self.size, "state": state}


class ChunkError(Exception):
    """A message the store cannot accept (answered to the browser as an ``error`` reply)."""


def _clean_name(raw: object) -> str:
    name = str(raw or "").replace("\x00", "").strip()
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return name[:MAX_NAME] or "unnamed"


def _close_all(handles: dict[str, IO[bytes]], directory: Path) -> None:
    for handle in handles.values():
        with contextlib.suppress(OSError):
            handle.close()
    handles.clear()
    shutil.rmtree(directory, ignore_errors=True)


class ChunkStore:
    """Temporary files assembled from chunks sent by the browser (one private directory)."""

    def __init__(self, prefix: str = "uponai-samples-", *, source: str = "picker") -> None:
        """Create the private temporary directory (removed by `close` or at exit).

        ``source`` names the widget the files come from ("picker", "recorder") in messages.
        """
        self.source = source
        self.directory = Path(tempfile.mkdtemp(prefix=prefix))
        self._files: dict[str, StoredFile] = {}
        self._handles: dict[str, IO[bytes]] = {}
        self._numbers = itertools.count(1)
        self._finalizer = weakref.finalize(self, _close_all, self._handles, self.directory)

    # -- queries ------------------------------------------------------------------------------

    @property
    def files(self) -> list[StoredFile]:
        """Every file, in arrival order (complete or still receiving)."""
        return list(self._files.values())

    @property
    def complete(self) -> list[StoredFile]:
        """The files received in full, in arrival order."""
        return [f for f in self._files.values() if f.complete]

    @property
    def receiving(self) -> list[StoredFile]:
        """The files still arriving."""
        return [f for f in self._files.values() if not f.complete]

    @property
    def closed(self) -> bool:
        """True once `close` ran (or the finalizer did)."""
        return not self._finalizer.alive

    # -- changes ------------------------------------------------------------------------------

    def begin(self, file_id: str, name: object, size: int, mime: object = "") -> StoredFile:
        """Start receiving a file of `size` bytes into a new, empty temporary file."""
        if self.closed:
            raise ChunkError(f"the {self.source} was closed")
        if not file_id or file_id in self._files:
            raise ChunkError("missing or repeated file id")
        if size < 0:
            raise ChunkError("negative size")
        path = self.directory / f"{next(self._numbers):05d}.audio"
        self._handles[file_id] = path.open("wb")
        stored = StoredFile(
            id=file_id, name=_clean_name(name), mime=str(mime or ""), size=size, path=path
        )
        self._files[file_id] = stored
        return stored

    def add(
        self, name: object, data: bytes | bytearray | memoryview, mime: object = ""
    ) -> StoredFile:
        """Store a whole file handed over from Python (a FileUpload-style entry's content)."""
        view = memoryview(data).cast("B")
        stored = self.begin(f"py-{next(self._numbers)}", name, view.nbytes, mime)
        self.write(stored.id, 0, view)
        return self.finish(stored.id)

    def write(self, file_id: str, offset: int, data: memoryview | bytes) -> int:
        """Append one chunk at `offset` (which must be where the previous one ended)."""
        stored = self._files.get(file_id)
        handle = self._handles.get(file_id)
        if stored is None or handle is None:
            raise ChunkError("unknown or finished file")
        length = memoryview(data).nbytes
        if offset != stored.received:
            raise ChunkError(f"chunk at offset {offset}, expected {stored.received}")
        if stored.received + length > stored.size:
            raise ChunkError("more data than the announced size")
        handle.write(data)
        stored.received += length
        return stored.received

    def finish(self, file_id: str) -> StoredFile:
        """Close a fully received file; it is a sample from now on."""
        stored = self._files.get(file_id)
        handle = self._handles.pop(file_id, None)
        if stored is None or handle is None:
            raise ChunkError("unknown or finished file")
        handle.close()
        if stored.received != stored.size:
            self.remove(file_id)
            raise ChunkError(f"received {stored.received} of {stored.size} bytes")
        stored.complete = True
        return stored

    def remove(self, file_id: str) -> bool:
        """Forget a file (complete or not) and delete its temporary file; False if unknown."""
        stored = self._files.pop(file_id, None)
        handle = self._handles.pop(file_id, None)
        if handle is not None:
            handle.close()
        if stored is None:
            return False
        stored.path.unlink(missing_ok=True)
        return True

    def abort_incomplete(self) -> list[str]:
        """Drop every file still arriving; returns their ids."""
        ids = [f.id for f in self.receiving]
        for file_id in ids:
            self.remove(file_id)
        return ids

    def clear(self) -> None:
        """Drop every file and delete the temporary files (the directory stays usable)."""
        for file_id in list(self._files):
            self.remove(file_id)

    def close(self) -> None:
        """Drop every file and delete the temporary directory; the store accepts nothing more."""
        self._files.clear()
        self._finalizer()

    # -- the browser's messages ---------------------------------------------------------------

    def handle(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> dict[str, Any] | None:
        """Apply one message from the browser; returns the reply to send back (or None)."""
        kind = content.get("type")
        file_id = str(content.get("id") or "")
        try:
            if kind == "begin":
                size = content.get("size")
                if not isinstance(size, int):
                    raise ChunkError("size must be an integer")
                self.begin(file_id, content.get("name"), size, content.get("mime"))
                return None
            if kind == "chunk":
                offset = content.get("offset")
                if not isinstance(offset, int) or len(buffers) != 1:
                    raise ChunkError("a chunk needs an integer offset and one buffer")
                received = self.write(file_id, offset, memoryview(buffers[0]))
                return {"type": "ack", "id": file_id, "received": received}
            if kind == "end":
                self.finish(file_id)
                return {"type": "done", "id": file_id}
            if kind in ("abort", "remove"):
                self.remove(file_id)
                return {"type": "error", "id": file_id, "message": "cancelled"}
        except ChunkError as exc:
            self.remove(file_id)
            return {"type": "error", "id": file_id, "message": str(exc)}
        except OSError as exc:
            self.remove(file_id)
            return {"type": "error", "id": file_id, "message": f"kernel cannot store it: {exc}"}
        return None
