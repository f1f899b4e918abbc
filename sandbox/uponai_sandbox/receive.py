"""Stream a multipart/form-data body to disk part by part, hashing and sniffing as it arrives.

Nothing is buffered beyond one network chunk: each file part goes straight into its own file
under a per-request temporary directory, so memory use does not grow with the upload.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from .audio import SNIFF_BYTES, AudioFormat, sniff_audio
from .errors import ApiError
from .rules import is_plain_mime_type

FILES_FIELD = "files"
PART_HEADERS = frozenset({"content-disposition", "content-type"})
"""The only part headers a form-data part may carry; anything else looks like injected lines."""
MAX_FIELD_PARTS = 64
"""Non-file parts accepted per request (the spec has three)."""
SETTLE_BYTES = 8 << 20
"""How much of a sample is written before it is flushed to disk and let go of by the page cache.

A sample kept in the page cache until the request ends takes fresh memory for every byte: on a
virtual machine that hands freed memory back to its host, first touches cost the sandbox several
times the CPU of the upload itself (BENCHMARKS.md). Flushed and dropped as it goes, a sample
reuses the same few megabytes of cache, whatever its size."""


@dataclass(frozen=True)
class Limits:
    """Upload limits enforced while the body streams in."""

    max_files: int
    max_file_size: int
    max_request_size: int
    max_field_size: int


@dataclass
class ReceivedFile:
    """One file part, already on disk."""

    index: int
    field: str
    filename: str
    content_type: str | None
    path: Path
    size: int = 0
    sha256: str = ""
    audio: AudioFormat | None = None

    @property
    def label(self) -> str:
        """How errors name this file: its file name, or its position when it has none."""
        return self.filename or f"{self.field}[{self.index}]"

    def summary(self) -> dict[str, Any]:
        """What the request log shows about this file."""
        return {
            "field": self.field,
            "filename": self.filename,
            "contentType": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


class _SampleFile:
    """A sample being written: flushed and dropped from the page cache every `SETTLE_BYTES`."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._written = 0
        self._settled = 0

    def write(self, piece: bytes) -> None:
        view = memoryview(piece)
        while view:
            view = view[os.write(self._fd, view) :]
        self._written += len(piece)
        if self._written - self._settled >= SETTLE_BYTES:
            self._settle()

    def finish(self) -> None:
        """Make the whole file durable, then close it."""
        self._settle()
        self.close()

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _settle(self) -> None:
        os.fdatasync(self._fd)
        length = self._written - self._settled
        os.posix_fadvise(self._fd, self._settled, length, os.POSIX_FADV_DONTNEED)
        self._settled = self._written


@dataclass
class _Part:
    name: str
    file: ReceivedFile | None
    handle: _SampleFile | None
    digest: Any = None
    head: bytearray = field(default_factory=bytearray)
    value: bytearray = field(default_factory=bytearray)


def boundary_from(content_type: str | None) -> bytes:
    """The multipart boundary of a Content-Type header, or an ApiError saying what is wrong."""
    if not content_type:
        raise ApiError(415, "unsupported_media_type", "Content-Type must be multipart/form-data")
    media_type, options = parse_options_header(content_type)
    if media_type != b"multipart/form-data":
        raise ApiError(
            415,
            "unsupported_media_type",
            f"Content-Type must be multipart/form-data, got {media_type.decode('latin-1')!r}",
        )
    boundary = options.get(b"boundary")
    if not boundary or len(boundary) > 200:
        raise ApiError(400, "malformed_multipart", "multipart/form-data without a valid boundary")
    return boundary


class FormReceiver:
    """Feed body chunks in; get form fields and on-disk files out (see `feed` and `finish`)."""

    def __init__(self, boundary: bytes, temp_dir: Path, limits: Limits, *, keep: bool = True):
        """Parse a body with `boundary`; files go to `temp_dir` (only hashed and measured when
        not `keep`)."""
        self.keep = keep
        self.temp_dir = temp_dir
        self.limits = limits
        self.fields: dict[str, list[str]] = {}
        self.files: list[ReceivedFile] = []
        self.received_bytes = 0
        self._field_parts = 0
        self._ended = False
        self._part: _Part | None = None
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[str, bytes] = {}
        self._parser = MultipartParser(
            boundary,
            callbacks={
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
            max_header_count=16,
            max_header_size=8192,
        )

    def feed(self, chunk: bytes) -> None:
        """Parse the next piece of the body; raise ApiError as soon as a rule is broken."""
        self.received_bytes += len(chunk)
        if self.received_bytes > self.limits.max_request_size:
            raise ApiError(
                413,
                "request_too_large",
                f"request body exceeds the limit of {self.limits.max_request_size} bytes",
            )
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            raise ApiError(400, "malformed_multipart", f"malformed multipart body: {exc}") from None

    def finish(self) -> None:
        """Check that the body ended with the closing boundary."""
        try:
            self._parser.finalize()
        except MultipartParseError as exc:
            raise ApiError(400, "malformed_multipart", f"malformed multipart body: {exc}") from None
        if not self._ended:
            raise ApiError(
                400, "malformed_multipart", "multipart body ended before its last boundary"
            )

    def close(self) -> None:
        """Close any file still open (after an error part-way through a part)."""
        if self._part is not None and self._part.handle is not None:
            self._part.handle.close()
        self._part = None

    # -- parser callbacks -------------------------------------------------------------------

    def _on_part_begin(self) -> None:
        self._headers = {}

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[self._header_name.decode("latin-1").lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        unexpected = sorted(set(self._headers) - PART_HEADERS)
        if unexpected:
            raise ApiError(
                400,
                "malformed_multipart",
                f"unexpected part header {unexpected[0][:40]!r} (allowed: Content-Disposition, "
                "Content-Type)",
            )
        disposition, options = parse_options_header(self._headers.get("content-disposition"))
        raw_name = options.get(b"name")
        if disposition != b"form-data" or raw_name is None:
            raise ApiError(
                400, "malformed_multipart", "a part has no Content-Disposition: form-data; name=..."
            )
        name = raw_name.decode("utf-8", "replace")
        if name != FILES_FIELD:
            if b"filename" in options:
                raise ApiError(
                    400,
                    "unexpected_file_field",
                    f"file part in field {name!r}: samples go in {FILES_FIELD!r}",
                    field=name,
                )
            self._field_parts += 1
            if self._field_parts > MAX_FIELD_PARTS:
                raise ApiError(400, "too_many_fields", f"more than {MAX_FIELD_PARTS} form fields")
            self._part = _Part(name=name, file=None, handle=None)
            return
        if len(self.files) >= self.limits.max_files:
            raise ApiError(
                400,
                "too_many_files",
                f"at most {self.limits.max_files} files per request",
                field=FILES_FIELD,
            )
        raw_type = self._headers.get("content-type")
        received = ReceivedFile(
            index=len(self.files),
            field=name,
            filename=options.get(b"filename", b"").decode("utf-8", "replace"),
            content_type=raw_type.decode("latin-1").strip(" \t") if raw_type is not None else None,
            path=self.temp_dir / f"{len(self.files):03d}.sample",
        )
        if received.content_type is not None and not is_plain_mime_type(received.content_type):
            raise ApiError(
                422,
                "invalid_content_type",
                f"file {received.label!r}: Content-Type must be a plain type/subtype, got "
                f"{received.content_type[:60]!r}",
                field=FILES_FIELD,
                file=received.label,
            )
        self.files.append(received)
        handle = _SampleFile(received.path) if self.keep else None
        self._part = _Part(name=name, file=received, handle=handle, digest=hashlib.sha256())

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        assert part is not None
        piece = data[start:end]
        if part.file is None:
            if len(part.value) + len(piece) > self.limits.max_field_size:
                raise ApiError(
                    413,
                    "field_too_large",
                    f"field {part.name!r} exceeds {self.limits.max_field_size} bytes",
                    field=part.name,
                )
            part.value += piece
            return
        received = part.file
        received.size += len(piece)
        if received.size > self.limits.max_file_size:
            raise ApiError(
                413,
                "file_too_large",
                f"file {received.label!r} exceeds the per-file limit of "
                f"{self.limits.max_file_size} bytes",
                field=FILES_FIELD,
                file=received.label,
            )
        if len(part.head) < SNIFF_BYTES:
            part.head += piece[: SNIFF_BYTES - len(part.head)]
        part.digest.update(piece)
        if part.handle is not None:
            part.handle.write(piece)

    def _on_part_end(self) -> None:
        part = self._part
        assert part is not None
        self._part = None
        if part.file is None:
            try:
                value = part.value.decode("utf-8")
            except UnicodeDecodeError:
                raise ApiError(
                    400, "invalid_field", f"field {part.name!r} is not UTF-8 text", field=part.name
                ) from None
            self.fields.setdefault(part.name, []).append(value)
            return
        if part.handle is not None:
            part.handle.finish()
        received = part.file
        received.sha256 = part.digest.hexdigest()
        if received.size == 0:
            raise ApiError(
                400,
                "empty_file",
                f"file {received.label!r} is empty",
                field=FILES_FIELD,
                file=received.label,
            )
        received.audio = sniff_audio(bytes(part.head))
        if received.audio is None:
            raise ApiError(
                415,
                "not_audio",
                f"file {received.label!r} is not audio (accepted: WAV, MP3, FLAC, OGG, M4A, WebM)",
                field=FILES_FIELD,
                file=received.label,
            )
        if received.size < received.audio.min_bytes:
            raise ApiError(
                422,
                "audio_too_small",
                f"file {received.label!r} is {received.size} bytes: too small to hold any "
                f"{received.audio.name.upper()} audio (at least {received.audio.min_bytes})",
                field=FILES_FIELD,
                file=received.label,
            )

    def _on_end(self) -> None:
        self._ended = True
