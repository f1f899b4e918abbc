"""One call at a time on a thread beside the caller: how each preparation pass overlaps work.

numpy, soxr and libsndfile run without the interpreter's lock, so a block can be measured or
encoded on a second core while the caller decodes the next. One call is in flight at most
(memory stays one block), and what it raised is raised by the caller's next `submit` or `wait`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

__all__ = ["Beside"]


class Beside:
    """A thread running the submitted calls one after another, one in flight at a time."""

    def __init__(self, name: str) -> None:
        self._thread = ThreadPoolExecutor(1, thread_name_prefix=name)
        self._running: Future[None] | None = None

    def submit(self, call: Callable[..., None], *args: Any) -> None:
        """Wait for the call in flight, then start `call(*args)` beside the caller."""
        self.wait()
        self._running = self._thread.submit(call, *args)

    def wait(self) -> None:
        """Wait for the call in flight; what it raised is raised here."""
        running, self._running = self._running, None
        if running is not None:
            running.result()

    def close(self) -> None:
        """Stop the thread once the call in flight is over (nothing waits for it here)."""
        self._thread.shutdown(cancel_futures=True)
