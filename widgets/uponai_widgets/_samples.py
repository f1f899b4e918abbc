"""Every accepted kind of sample as one read-only binary stream (a `SampleReader`).

Paths are opened only when the body is streamed; buffers (`bytes`, `memoryview`, FileUpload
content) are sliced chunk by chunk, never copied whole; caller-owned file objects are read from
the position they had and are never closed here.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any, NamedTuple

from ._arriving import ArrivingFile, ArrivingReader
from ._errors import Problem
from ._sample_reader import SampleReader, Span
from ._sniff import sniff_audio

__all__ = [
    "SampleReader",
    "Span",
    "UnwrappedSample",
    "open_sample",
    "sniff_audio",
    "unwrap_sample",
]

PREFIX_BYTES = 256
"""Bytes read ahead from a stream that cannot seek: enough to sniff and size-check small audio."""

_HINT = (
    "pass a path, a binary file object, bytes, a memoryview, a (filename, data, mime) tuple "
    "or an ipywidgets FileUpload value entry"
)


class _PathReader(SampleReader):
    """A file on disk, opened on the first read of the body and closed by `close`."""

    def __init__(self, path: Path, size: int, label: str, filename: str, mime: str | None) -> None:
        super().__init__(label, filename, mime)
        self.path = path
        self.size = size
        self._file: IO[bytes] | None = None
        self._file_pos = 0

    def _read(self, size: int) -> bytes:
        if self._file is None:
            # Unbuffered: httpx asks for 64 KiB at a time, a buffer would only add a copy.
            self._file = open(self.path, "rb", buffering=0)  # noqa: SIM115 - closed by close()
            self._file_pos = 0
        if self._file_pos != self._pos:
            self._file_pos = self._file.seek(self._pos)
        data = self._file.read(size) or b""
        self._file_pos += len(data)
        return data

    def _check_end(self) -> None:
        if self._file is not None:
            now = os.fstat(self._file.fileno()).st_size
            if now != self.size:
                self._changed(now)

    def peek(self, offset: int, length: int) -> bytes:
        with open(self.path, "rb") as handle:
            handle.seek(offset)
            return handle.read(length)

    @property
    def is_open(self) -> bool:
        """True while the file is open."""
        return self._file is not None and not self._file.closed

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


class _BufferReader(SampleReader):
    """`bytes`, `bytearray` or a `memoryview`, sliced one chunk at a time (no whole copy)."""

    def __init__(self, view: memoryview, label: str, filename: str | None, mime: str | None):
        super().__init__(label, filename, mime)
        self._view = view
        self.size = view.nbytes

    def _read(self, size: int) -> bytes:
        return bytes(self._view[self._pos : self._pos + size])

    def peek(self, offset: int, length: int) -> bytes:
        return bytes(self._view[offset : offset + length])

    def close(self) -> None:
        self._view.release()
        super().close()


class _StreamReader(SampleReader):
    """A caller's binary file object, read from where it stood; unsized if it cannot seek."""

    def __init__(self, stream: Any, label: str, filename: str | None, mime: str | None):
        super().__init__(label, filename, mime)
        self._stream = stream
        self._prefix = b""
        self._consumed = False
        self._start = 0
        if _can_seek(stream):
            self._start = stream.tell()
            self.size = max(0, stream.seek(0, io.SEEK_END) - self._start)
            stream.seek(self._start)
        else:
            self._prefix = _read_exactly(stream, PREFIX_BYTES)
            self.ended_early = len(self._prefix) < PREFIX_BYTES

    ended_early = False
    """True when a stream that cannot seek ended within its read-ahead (its size is known)."""

    def _check_end(self) -> None:
        position = self._stream.tell()
        try:
            end = self._stream.seek(0, io.SEEK_END)
        finally:
            self._stream.seek(position)
        if end - self._start != self.size:
            self._changed(end - self._start)

    def _read(self, size: int) -> bytes:
        if self.size is not None:
            self._stream.seek(self._start + self._pos)
            return bytes(self._stream.read(size))
        if self._pos < len(self._prefix):
            end = len(self._prefix) if size < 0 else min(len(self._prefix), self._pos + size)
            return self._prefix[self._pos : end]
        self._consumed = True
        return bytes(self._stream.read(size) or b"")

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if self.size is None and offset == 0 and whence == io.SEEK_SET and not self._consumed:
            self._pos = 0
            return 0
        return super().seek(offset, whence)

    def can_rewind(self) -> bool:
        return self.size is not None or not self._consumed

    def peek(self, offset: int, length: int) -> bytes:
        if self.size is None:
            return self._prefix[offset : offset + length]
        position = self._stream.tell()
        try:
            self._stream.seek(self._start + offset)
            return bytes(self._stream.read(length))
        finally:
            self._stream.seek(position)


def _can_seek(stream: Any) -> bool:
    try:
        return bool(stream.seekable()) if hasattr(stream, "seekable") else False
    except (OSError, ValueError):
        return False


def _read_exactly(stream: Any, count: int) -> bytes:
    parts: list[bytes] = []
    left = count
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            break
        parts.append(bytes(chunk))
        left -= len(chunk)
    return b"".join(parts)


def _is_text_stream(stream: Any) -> bool:
    if isinstance(stream, io.TextIOBase):
        return True
    try:
        return isinstance(stream.read(0), str)
    except (OSError, ValueError, TypeError):
        return False


def expand_samples(items: Iterable[object]) -> list[object]:
    """Items with a callable `sample_files()` (a prepared sample) replaced by those files."""
    expanded: list[object] = []
    for item in items:
        files = getattr(item, "sample_files", None)
        expanded.extend(files() if callable(files) else [item])
    return expanded


class UnwrappedSample(NamedTuple):
    """A `samples` item taken apart: the file name and MIME type it names, and its data."""

    filename: Any
    data: Any
    mime: Any


def unwrap_sample(item: object) -> UnwrappedSample | str:
    """The (filename, data, mime) of a sample of any accepted shape, or why it has none.

    Tuples are ``(filename, data)`` or ``(filename, data, mime)``; FileUpload value entries
    (dicts or objects with ``name`` and ``content``) give their name and content; anything else
    is the data itself. Types are not checked here.
    """
    if isinstance(item, tuple):
        if len(item) not in (2, 3):
            return f"a tuple sample must be {_TUPLE}"
        return UnwrappedSample(item[0], item[1], item[2] if len(item) == 3 else None)
    if isinstance(item, Mapping) and "content" in item:
        return UnwrappedSample(item.get("name"), item["content"], None)
    if hasattr(item, "content") and hasattr(item, "name") and not hasattr(item, "read"):
        return UnwrappedSample(getattr(item, "name", None), item.content, None)
    return UnwrappedSample(None, item, None)


def open_sample(item: object, index: int) -> SampleReader | Problem:
    """A reader for one `samples` item, or the problem that prevents sending it."""
    if isinstance(item, ArrivingFile):
        return ArrivingReader(item, item.name or f"sample {index + 1}")
    unwrapped = unwrap_sample(item)
    if isinstance(unwrapped, str):
        return Problem(f"sample {index + 1}", "samples", unwrapped)
    filename, data, mime = unwrapped
    if filename is not None and not isinstance(filename, str):
        return Problem(f"sample {index + 1}", "samples", "the file name must be a string")
    if mime is not None and not isinstance(mime, str):
        return Problem(filename or f"sample {index + 1}", "samples", "the MIME type must be a str")
    label = filename or f"sample {index + 1}"
    if isinstance(data, (str, os.PathLike)):
        return _open_path(Path(os.fspath(data)), filename, mime)
    if isinstance(data, (bytes, bytearray, memoryview)):
        view = memoryview(data)
        if not view.c_contiguous:
            return Problem(label, "samples", "the memoryview is not contiguous")
        if view.format != "B" or view.ndim != 1:
            view = view.cast("B")
        return _BufferReader(view, label, filename, mime)
    if hasattr(data, "read"):
        stream_name = getattr(data, "name", None)
        if filename is None and isinstance(stream_name, str):
            filename = Path(stream_name).name or None
            label = filename or label
        if getattr(data, "closed", False):
            return Problem(label, "samples", "the file object is closed")
        if _is_text_stream(data):
            return Problem(label, "samples", "opened in text mode; open audio with mode 'rb'")
        if hasattr(data, "readable") and not data.readable():
            return Problem(label, "samples", "the file object is not readable")
        try:
            return _StreamReader(data, label, filename, mime)
        except (OSError, ValueError) as exc:
            return Problem(label, "samples", f"cannot read the file object: {exc}")
    return Problem(label, "samples", f"unsupported sample type {type(data).__name__}: {_HINT}")


_TUPLE = "(filename, data) or (filename, data, mime)"


def _open_path(path: Path, filename: str | None, mime: str | None) -> SampleReader | Problem:
    label = filename or path.name or str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return Problem(label, "samples", f"no such file: {path}")
    except OSError as exc:
        return Problem(label, "samples", f"cannot open {path}: {exc.strerror or exc}")
    except ValueError as exc:  # a NUL byte in the path: no file can have that name
        return Problem(label, "samples", f"{str(path)!r} is not a usable file name ({exc})")
    if stat.S_ISDIR(info.st_mode):
        return Problem(label, "samples", f"{path} is a directory, not an audio file")
    if not stat.S_ISREG(info.st_mode):
        return Problem(label, "samples", f"{path} is not a regular file")
    if not os.access(path, os.R_OK):
        return Problem(label, "samples", f"{path} is not readable (permission denied)")
    return _PathReader(path, info.st_size, label, filename or path.name, mime)
