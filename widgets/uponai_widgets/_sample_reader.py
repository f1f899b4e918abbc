"""`SampleReader`: one sample as a read-only binary stream that httpx can stream.

Each kind of sample (`_samples`: paths, buffers, file objects; `_arriving`: files still being
written) is a subclass; the base keeps the position, checks reads against the validated size
and answers what validation asks (the first bytes, digests of parts of the sample).
"""

from __future__ import annotations

import hashlib
import io
from typing import Literal

from ._errors import SampleStreamError

__all__ = ["SNIFF_BYTES", "SampleReader", "Span"]

SNIFF_BYTES = 16
_DIGEST_SPAN = 64 * 1024

#: Which part of a sample a digest covers: its first or last 64 KiB, or all of it.
Span = Literal["head", "tail", "all"]


class SampleReader:
    """A read-only binary stream over one sample, positioned relative to the sample's start.

    `size` is None only for a caller's stream that cannot seek; such a stream cannot be rewound
    once read past its first bytes, so a request using it is never retried after that.
    """

    def __init__(self, label: str, filename: str | None, mime: str | None) -> None:
        self.label = label
        self.filename = filename
        self.mime = mime
        self.size: int | None = None
        self._pos = 0
        self._closed = False
        self.reading = False
        """True while a read is under way (still True if it raised)."""
        self.stream_limit: int | None = None
        """For a stream of unknown size: the most bytes it may send (stops the upload)."""
        self.limit_text = ""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label!r} size={self.size}>"

    # The file-object surface httpx uses: read, seek, tell (never fileno).
    def readable(self) -> bool:
        """Always True."""
        return True

    def seekable(self) -> bool:
        """True when the sample's length is known, so it can be rewound and measured."""
        return self.size is not None

    def tell(self) -> int:
        """The position from the sample's start."""
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move within the sample (relative to its start); unsupported for unsized streams."""
        if self.size is None:
            raise io.UnsupportedOperation("this sample's stream cannot seek")
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes from the current position (all the rest for -1)."""
        if self._closed:
            raise ValueError("I/O operation on a closed sample")
        if self.size is not None:
            left = max(0, self.size - self._pos)
            size = left if size is None or size < 0 else min(size, left)
            if size == 0:
                return b""
        self.reading = True
        data = self._read(size)
        self.reading = False
        if self.size is not None and len(data) < size:
            self._changed(self._pos + len(data))
        self._pos += len(data)
        if self.size is None and self.stream_limit is not None and self._pos > self.stream_limit:
            raise SampleStreamError(
                f"sample {self.label!r} is over {self.limit_text}: the upload was stopped at "
                "the limit, before its end, so no voice was created"
            )
        if self.size is not None and self._pos >= self.size:
            self._check_end()
        return data

    def _changed(self, now: int | None) -> None:
        found = f"now {now} bytes" if now is not None else "its size changed"
        raise SampleStreamError(
            f"sample {self.label!r} changed during the upload (validated at {self.size} bytes, "
            f"{found}): the upload was stopped before its end, so no voice was created. Send it "
            "again once the file is complete."
        )

    def _check_end(self) -> None:
        """At the validated end: raise when the source has grown since validation."""

    @property
    def closed(self) -> bool:
        """True once `close` was called."""
        return self._closed

    def close(self) -> None:
        """Release what this reader opened (never a caller's file object)."""
        self._closed = True

    def can_rewind(self) -> bool:
        """True when the sample can be sent again from its first byte."""
        return self.size is not None

    def head(self) -> bytes:
        """The first bytes, for format sniffing, leaving the position unchanged."""
        return self.peek(0, SNIFF_BYTES)

    def digest(self, span: Span) -> str:
        """SHA-256 of the sample's first or last 64 KiB, or of all of it."""
        assert self.size is not None
        hasher = hashlib.sha256()
        if span == "head":
            spans = [(0, min(_DIGEST_SPAN, self.size))]
        elif span == "tail":
            spans = [(max(0, self.size - _DIGEST_SPAN), min(_DIGEST_SPAN, self.size))]
        else:
            spans = [(offset, _DIGEST_SPAN) for offset in range(0, self.size, _DIGEST_SPAN)]
        for offset, length in spans:
            hasher.update(self.peek(offset, length))
        return hasher.hexdigest()

    def peek(self, offset: int, length: int) -> bytes:
        """Bytes at `offset` without moving the position."""
        raise NotImplementedError

    def _read(self, size: int) -> bytes:
        raise NotImplementedError
