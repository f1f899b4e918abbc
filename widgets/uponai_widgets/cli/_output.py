"""Terminal output of `uponai-voices`: secrets redacted from every write, progress that suits
where it goes (a live bar on a terminal; in a file or a pipe one line per finished job)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from types import TracebackType
from typing import IO, Any

from .._secret import Secret
from .._sizes import format_size

__all__ = [
    "BatchReport",
    "RedactingStream",
    "UploadBar",
    "is_terminal",
    "redacted_streams",
    "shown",
]

_REDACTED = "[redacted]"
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _escaped(char: str) -> str:
    if char in "\n\r\t":
        return repr(char)[1:-1]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(text: object, *, keep_newlines: bool = False) -> str:
    """`text` safe to print on a terminal: control characters (C0, DEL, C1) and bidirectional
    overrides written as escapes (``\\x1b``, ``\\n``, ``\\u202e``), so a name or a server's
    message can neither move the cursor nor forge a line. `keep_newlines` keeps ``\\n`` for the
    command's own multi-line messages."""
    out = []
    for char in str(text):
        code = ord(char)
        unsafe = code < 0x20 or 0x7F <= code <= 0x9F or char in _BIDI
        if unsafe and not (keep_newlines and char == "\n"):
            out.append(_escaped(char))
        else:
            out.append(char)
    return "".join(out)


class RedactingStream:
    """A text stream that replaces every secret before it reaches the wrapped stream."""

    def __init__(self, stream: IO[str], secrets: Iterable[str]) -> None:
        self._stream = stream
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def write(self, text: str) -> int:
        """Write `text` with every secret replaced."""
        for secret in self._secrets:
            text = text.replace(secret, _REDACTED)
        return self._stream.write(text)

    def writelines(self, lines: Iterable[str]) -> None:
        """Write each line, redacted."""
        for line in lines:
            self.write(line)

    def add(self, secret: str | None) -> None:
        """Redact one more secret from now on (a reason read from a jobs file, say)."""
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets = sorted({*self._secrets, secret}, key=len, reverse=True)

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # byte writes would bypass the redaction
            raise AttributeError(name)
        return getattr(self._stream, name)


class redacted_streams:
    """Swap `sys.stdout` / `sys.stderr` for redacting wrappers for the duration of the block."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = [s for s in secrets if s]
        self._saved: tuple[Any, Any] | None = None

    def __enter__(self) -> tuple[RedactingStream, RedactingStream]:
        self._saved = (sys.stdout, sys.stderr)
        out = RedactingStream(sys.stdout, self._secrets)
        err = RedactingStream(sys.stderr, self._secrets)
        sys.stdout, sys.stderr = out, err
        return out, err

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._saved is not None:
            sys.stdout, sys.stderr = self._saved


def add_secret(secret: str | Secret | None) -> None:
    """Redact `secret` from stdout and stderr too, when they are redacting wrappers."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, RedactingStream):
            stream.add(secret.reveal() if isinstance(secret, Secret) else secret)


def is_terminal(stream: object) -> bool:
    """True when `stream` is an interactive terminal (not a file, a pipe or a closed stream)."""
    try:
        return bool(stream is not None and stream.isatty())  # type: ignore[attr-defined]  # any stream-like object
    except (AttributeError, ValueError, OSError):
        return False


def _console() -> Any:
    from rich.console import Console

    return Console(file=sys.stderr)


class BatchReport:
    """Batch progress on stderr: a rich bar on a terminal, else one line per finished job.

    Call it as the batch's ``on_progress(done, failed, total, bytes_sent)``; `finish` prints the
    summary line. Off a terminal nothing is ever redrawn: each finished job adds one line.
    """

    def __init__(self, total: int, *, live: bool | None = None) -> None:
        self.total = total
        self.live = is_terminal(sys.stderr) if live is None else live
        self._reported = 0
        self._progress: Any = None
        self._task: Any = None
        if self.live and total:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("Cloning voices"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[detail]}"),
                console=_console(),
                transient=False,
            )
            self._task = self._progress.add_task("clone", total=total, detail="")
            self._progress.start()

    def __call__(self, done: int, failed: int, total: int, bytes_sent: int) -> None:
        """Show the counts (a bar update, or a line for each job finished since the last call)."""
        detail = f"{failed} failed, {format_size(bytes_sent)} sent"
        if self._progress is not None:
            self._progress.update(self._task, completed=done, detail=detail)
            return
        while self._reported < done:
            self._reported += 1
            print(f"{self._reported}/{total} jobs finished, {detail}", file=sys.stderr, flush=True)

    def finish(self, summary: str) -> None:
        """Stop the bar (if any) and print the summary line."""
        self.stop()
        print(summary, file=sys.stderr, flush=True)

    def stop(self) -> None:
        """Stop the live bar, leaving it on screen."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


class UploadBar:
    """One upload's bytes as a rich bar on a terminal; nothing off a terminal."""

    def __init__(self, *, live: bool | None = None) -> None:
        self.live = is_terminal(sys.stderr) if live is None else live
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, sent: int, total: int) -> None:
        """``on_progress(sent_bytes, total_bytes)`` of `clone_voice`."""
        if not self.live:
            return
        if self._progress is None:
            from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("Uploading"), BarColumn(), DownloadColumn(), console=_console()
            )
            self._task = self._progress.add_task("upload", total=total or None)
            self._progress.start()
        self._progress.update(self._task, completed=sent, total=total or None)

    def stop(self) -> None:
        """Stop the bar, leaving it on screen."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
