"""Kernel side of the chunked browser-to-kernel transfer: temporary files fed chunk by chunk.

The browser (see ``chunk_sender.js``) first announces a whole selection with ``select`` (id,
name, size, MIME type per file: the kernel knows every chosen file before any byte), then per
file sends ``begin``, ``chunk`` messages (id, offset, one binary buffer each) and ``end``;
``abort`` and ``remove`` drop a file. The ``selected`` reply also gives each accepted file a
*ticket* (its temporary file, relative to the temporary directory) for the direct route: the page
PUTs the file to the Jupyter server (`_server_route`), which writes it there, then says
``stored``; the kernel checks the size. ``progress`` asks the kernel to look how much has
arrived that way. A ``begin`` after a ticket moves the file to a new name first, so a direct
attempt that failed part way can never write into what the comm sends. `ChunkStore.handle` writes each buffer straight to the
file's temporary file (the buffer is a view over the received frame: no copy is kept) and answers
with the reply to send back (``selected``, ``ack`` with the bytes received so far, ``done``, or
``error``). The browser keeps only a few unacknowledged chunks in flight, so kernel memory stays
bounded whatever the size; a file is opened only while a chunk is written, so open descriptors
stay bounded whatever the number of files.

Sizes are checked against `Limits` (per file, total, and the free disk space) when a file is
announced. A stray or repeated message (a second ``end``, a late ``chunk``, a repeated
``begin``) is answered with an error but never drops a file that arrived in full.

Every file lives in one private temporary directory per store, named with the owner's PID;
`remove`, `clear` and `close` delete files, a `weakref.finalize` (which also runs at interpreter
exit, i.e. when the kernel shuts down) removes the directory, and a new store removes the
directories of owners that died without cleaning up (a killed kernel).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import shutil
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._sizes import format_size
from .._validation import Limits
from ._store_directories import remove_stale_directories

__all__ = ["ChunkError", "ChunkStore", "StoredFile", "remove_stale_directories"]

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
    error: str = ""

    def as_sample(self) -> tuple[str, str, str | None]:
        """The ``(filename, path, mime)`` sample the cloning layer streams from disk."""
        return (self.name, str(self.path), self.mime or None)

    @property
    def state(self) -> str:
        """``ready``, ``receiving`` or ``failed``."""
        if self.complete:
            return "ready"
        return "failed" if self.error else "receiving"

    def describe(self) -> dict[str, Any]:
        """What the front end may know: no audio, no path."""
        described: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "size": self.size,
            "state": self.state,
            "received": self.size if self.complete else self.received,
        }
        if self.error:
            described["error"] = self.error
        return described


class ChunkError(Exception):
    """A message the store cannot accept (answered to the browser as an ``error`` reply)."""


def _clean_name(raw: object) -> str:
    name = str(raw or "").replace("\x00", "").strip()
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return name[:MAX_NAME] or "unnamed"


class ChunkStore:
    """Temporary files assembled from chunks sent by the browser (one private directory)."""

    def __init__(
        self,
        prefix: str = "uponai-samples-",
        *,
        source: str = "picker",
        limits: Limits | None = None,
    ) -> None:
        """Create the private temporary directory (removed by `close` or at exit).

        ``source`` names the widget the files come from ("picker", "recorder") in messages;
        ``limits`` bounds each file's and all files' size (default: `Limits()`).
        """
        self.source = source
        self.limits = limits or Limits()
        remove_stale_directories()
        self.directory = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
        self._files: dict[str, StoredFile] = {}
        self._numbers = itertools.count(1)
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.directory, True)

    # -- queries ------------------------------------------------------------------------------

    @property
    def files(self) -> list[StoredFile]:
        """Every file, in announcement order (complete, still receiving, or failed)."""
        return list(self._files.values())

    @property
    def complete(self) -> list[StoredFile]:
        """The files received in full, in announcement order."""
        return [f for f in self._files.values() if f.complete]

    @property
    def receiving(self) -> list[StoredFile]:
        """The files announced or arriving, not yet complete (and not failed)."""
        return [f for f in self._files.values() if f.state == "receiving"]

    @property
    def failed(self) -> list[StoredFile]:
        """The files that could not arrive (each with its `error`)."""
        return [f for f in self._files.values() if f.state == "failed"]

    @property
    def closed(self) -> bool:
        """True once `close` ran (or the finalizer did)."""
        return not self._finalizer.alive

    def get(self, file_id: str) -> StoredFile | None:
        """The file with this id, or None."""
        return self._files.get(file_id)

    # -- changes ------------------------------------------------------------------------------

    def _check_size(self, size: int) -> None:
        if size > self.limits.max_file_bytes:
            raise ChunkError(
                f"{format_size(size)} is over the limit of "
                f"{format_size(self.limits.max_file_bytes)} per file"
            )
        total = sum(f.size for f in self._files.values() if f.state != "failed") + size
        if total > self.limits.max_total_bytes:
            raise ChunkError(
                f"the chosen files would total {format_size(total)}, over the limit of "
                f"{format_size(self.limits.max_total_bytes)}"
            )
        with contextlib.suppress(OSError):
            free = shutil.disk_usage(self.directory).free
            if size > free:
                raise ChunkError(f"the kernel's disk has only {format_size(free)} free")

    def begin(self, file_id: str, name: object, size: int, mime: object = "") -> StoredFile:
        """Announce a file of `size` bytes; creates its empty temporary file (no descriptor kept)."""
        if self.closed:
            raise ChunkError(f"the {self.source} was closed")
        if not file_id or file_id in self._files:
            raise ChunkError("missing or repeated file id")
        if size < 0:
            raise ChunkError("negative size")
        self._check_size(size)
        stored = StoredFile(
            id=file_id,
            name=_clean_name(name),
            mime=str(mime or ""),
            size=size,
            path=self._new_path(),
        )
        self._files[file_id] = stored
        return stored

    def _new_path(self) -> Path:
        # The random part makes the name a ticket only this store's page learns.
        path = self.directory / f"{next(self._numbers):05d}-{secrets.token_hex(16)}.audio"
        path.touch(mode=0o600)
        return path

    def ticket(self, file_id: str) -> str | None:
        """The direct route's name for a file still to arrive: ``<directory>/<file>``, relative
        to the temporary directory (None when the store lives elsewhere)."""
        stored = self._files.get(file_id)
        if stored is None or stored.state != "receiving" or stored.received:
            return None
        if self.directory.parent != Path(tempfile.gettempdir()):
            return None
        return f"{self.directory.name}/{stored.path.name}"

    def restart(self, file_id: str) -> StoredFile:
        """Start a file over under a new name (its old name is no longer anyone's ticket)."""
        stored = self._arriving(file_id)
        old = stored.path
        stored.path = self._new_path()
        stored.received = 0
        old.unlink(missing_ok=True)
        return stored

    def look(self, file_id: str) -> int:
        """How many bytes the direct route has written so far (kept as `received`)."""
        stored = self._arriving(file_id)
        stored.received = min(stored.path.stat().st_size, stored.size)
        return stored.received

    def finish_direct(self, file_id: str) -> StoredFile:
        """Mark complete a file the server wrote: it must hold exactly the announced size."""
        stored = self._arriving(file_id)
        written = stored.path.stat().st_size
        if written != stored.size:
            raise ChunkError(f"the server stored {written} of {stored.size} bytes")
        stored.received = written
        return self.finish(file_id)

    def add(
        self, name: object, data: bytes | bytearray | memoryview, mime: object = ""
    ) -> StoredFile:
        """Store a whole file handed over from Python (a FileUpload-style entry's content)."""
        view = memoryview(data).cast("B")
        stored = self.begin(f"py-{next(self._numbers)}", name, view.nbytes, mime)
        self.write(stored.id, 0, view)
        return self.finish(stored.id)

    def _arriving(self, file_id: str) -> StoredFile:
        stored = self._files.get(file_id)
        if stored is None or stored.state != "receiving":
            raise ChunkError("unknown or finished file")
        return stored

    def write(self, file_id: str, offset: int, data: memoryview | bytes) -> int:
        """Append one chunk at `offset` (which must be where the previous one ended)."""
        stored = self._arriving(file_id)
        length = memoryview(data).nbytes
        if offset != stored.received:
            raise ChunkError(f"chunk at offset {offset}, expected {stored.received}")
        if stored.received + length > stored.size:
            raise ChunkError("more data than the announced size")
        with stored.path.open("ab") as handle:
            handle.write(data)
        stored.received += length
        return stored.received

    def finish(self, file_id: str) -> StoredFile:
        """Mark a fully received file complete; it is a sample from now on."""
        stored = self._arriving(file_id)
        if stored.received != stored.size:
            raise ChunkError(f"received {stored.received} of {stored.size} bytes")
        stored.complete = True
        return stored

    def fail(self, file_id: str, reason: str) -> None:
        """Mark a file that has not arrived as failed (with `reason`); drops its bytes."""
        stored = self._files.get(file_id)
        if stored is None or stored.complete:
            return
        stored.error = reason or "failed"
        stored.path.unlink(missing_ok=True)

    def remove(self, file_id: str) -> bool:
        """Forget a file (complete or not) and delete its temporary file; False if unknown."""
        stored = self._files.pop(file_id, None)
        if stored is None:
            return False
        stored.path.unlink(missing_ok=True)
        return True

    def abort_incomplete(self) -> list[str]:
        """Drop every file still arriving (and every failed one); returns their ids."""
        ids = [f.id for f in self._files.values() if not f.complete]
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

    def _select(self, entries: object) -> dict[str, Any]:
        if not isinstance(entries, list):
            raise ChunkError("a selection is a list of files")
        refused: dict[str, str] = {}
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            file_id = str(entry.get("id") or "")
            size = entry.get("size")
            try:
                if not isinstance(size, int) or isinstance(size, bool):
                    raise ChunkError("size must be an integer")
                self.begin(file_id, entry.get("name"), size, entry.get("mime"))
            except ChunkError as exc:
                refused[file_id] = str(exc)
        tickets = {
            file_id: ticket
            for file_id in (str(e.get("id") or "") for e in entries if isinstance(e, Mapping))
            if file_id not in refused and (ticket := self.ticket(file_id)) is not None
        }
        return {"type": "selected", "refused": refused, "tickets": tickets}

    def _drop_unless_complete(self, file_id: str, reason: str) -> None:
        stored = self._files.get(file_id)
        if stored is not None and not stored.complete:
            self.fail(file_id, reason)

    def handle(self, content: Mapping[str, Any], buffers: Sequence[Any]) -> dict[str, Any] | None:
        """Apply one message from the browser; returns the reply to send back (or None)."""
        kind = content.get("type")
        file_id = str(content.get("id") or "")
        try:
            if kind == "select":
                return {**self._select(content.get("files")), "selection": content.get("selection")}
            if kind == "begin":
                if file_id in self._files and self._files[file_id].state == "receiving":
                    self.restart(file_id)  # announced with the selection: it starts arriving now
                    return None
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
            if kind == "progress":
                self.look(file_id)
                return None
            if kind == "stored":
                self.finish_direct(file_id)
                return {"type": "done", "id": file_id}
            if kind == "end":
                self.finish(file_id)
                return {"type": "done", "id": file_id}
            if kind == "abort":
                self._drop_unless_complete(file_id, str(content.get("reason") or "cancelled"))
                return {"type": "error", "id": file_id, "message": "cancelled"}
            if kind == "remove":
                self.remove(file_id)
                return {"type": "error", "id": file_id, "message": "cancelled"}
        except ChunkError as exc:
            self._drop_unless_complete(file_id, str(exc))
            return {"type": "error", "id": file_id, "message": str(exc)}
        except OSError as exc:
            message = f"kernel cannot store it: {exc.strerror or exc}"
            self._drop_unless_complete(file_id, message)
            return {"type": "error", "id": file_id, "message": message}
        return None
