"""Preparing the clone widget's samples: `prepare_sample` per sample, off the kernel's event loop.

`SamplePreparations` keeps one `Preparation` per chosen sample while "Prepare samples" is on.
Each runs `prepare_sample` in a worker thread (inline when no asyncio loop runs: scripts,
tests); its progress comes back to the loop with ``call_soon_threadsafe``; a `threading.Event`
cancels it (no file left behind). A preparation that is forgotten (its sample removed, the
switch turned off, the widget closed, a clone done) has its prepared files deleted, also when
its thread finishes later.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from .._errors import ValidationError
from ..audio._prepare import PreparedSample, prepare_sample
from ..audio._run import PreparationCancelled
from ..audio._waveform import waveform_svg
from ._samples_html import SampleInfo

__all__ = ["Preparation", "SamplePreparations"]

#: Size of the before/after waveform pictures in a row (pixels).
WAVEFORM_SIZE = (300, 36)

#: How often a waiting clone looks at the preparations (seconds).
POLL_S = 0.1

#: Progress reaches the synced rows in steps of this fraction.
PROGRESS_STEP = 0.05


@dataclasses.dataclass
class Preparation:
    """One sample's preparation: its state, progress, result or the reason it has none."""

    number: int
    cancel: threading.Event = dataclasses.field(default_factory=threading.Event)
    state: str = "preparing"  # preparing, ready, failed, cancelled
    fraction: float = 0.0
    prepared: PreparedSample | None = None
    svgs: tuple[str, str] = ("", "")
    error: str = ""
    sent: SampleInfo | None = None
    """Size and length of the prepared files (what Clone sends), once ready."""

    @property
    def audio_ids(self) -> tuple[str, str]:
        """Ids under which the front end asks for the before and after audio."""
        return (f"p{self.number}-before", f"p{self.number}-after")


def _prepare(sample: object, cancel: threading.Event, on_progress: Callable[[float], None]) -> Any:
    try:
        prepared = prepare_sample(sample, on_progress=on_progress, cancel=cancel)
    except PreparationCancelled:
        return "cancelled"
    except ValidationError as exc:
        return "failed", "; ".join(str(p) for p in exc.problems) or str(exc)
    except Exception as exc:  # undecodable input and the like: shown, never raised into the loop
        return "failed", f"{type(exc).__name__}: {exc}"
    width, height = WAVEFORM_SIZE
    before = waveform_svg(prepared.before, width=width, height=height)
    after = waveform_svg(prepared.after[0], width=width, height=height)
    return prepared, (before, after)


class SamplePreparations:
    """The preparations of one widget's samples, by sample key."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        """`on_change` runs (on the loop) when a preparation advances or finishes."""
        self._on_change = on_change
        self._by_key: dict[Hashable, Preparation] = {}
        self._numbers = 0

    def get(self, key: Hashable) -> Preparation | None:
        """The preparation of `key` (None when there is none)."""
        return self._by_key.get(key)

    def start(self, key: Hashable, sample: object) -> Preparation:
        """Prepare `sample` under `key` unless that is already under way or done."""
        found = self._by_key.get(key)
        if found is not None:
            return found
        self._numbers += 1
        prep = Preparation(self._numbers)
        self._by_key[key] = prep
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._finish(key, prep, _prepare(sample, prep.cancel, lambda _f: None))
            return prep

        def progress(fraction: float) -> None:
            loop.call_soon_threadsafe(self._progress, prep, fraction)

        future = loop.run_in_executor(None, _prepare, sample, prep.cancel, progress)
        future.add_done_callback(lambda f: self._landed(key, prep, f))
        return prep

    def _progress(self, prep: Preparation, fraction: float) -> None:
        if prep.state != "preparing":
            return
        shown = prep.fraction
        prep.fraction = max(shown, min(1.0, fraction))
        if int(prep.fraction / PROGRESS_STEP) != int(shown / PROGRESS_STEP):
            self._on_change()

    def _landed(self, key: Hashable, prep: Preparation, future: Future[Any] | Any) -> None:
        outcome = "cancelled" if future.cancelled() else future.result()
        self._finish(key, prep, outcome)
        self._on_change()

    def _finish(self, key: Hashable, prep: Preparation, outcome: Any) -> None:
        if isinstance(outcome, tuple) and isinstance(outcome[0], PreparedSample):
            prepared, svgs = outcome
            if self._by_key.get(key) is not prep or prep.cancel.is_set():
                prepared.remove()  # forgotten or cancelled while its last block was written
                prep.state = "cancelled"
                return
            prep.prepared, prep.svgs, prep.state, prep.fraction = prepared, svgs, "ready", 1.0
            prep.sent = SampleInfo(
                prepared.path.name,
                sum(path.stat().st_size for path in prepared.paths),
                "audio/wav",
                sum(report.duration_s or 0.0 for report in prepared.after),
            )
        elif outcome == "cancelled":
            prep.state = "cancelled"
        else:
            prep.state, prep.error = "failed", str(outcome[1])

    def cancel(self, key: Hashable) -> None:
        """Stop the preparation of `key` (its row then says it was cancelled)."""
        prep = self._by_key.get(key)
        if prep is not None and prep.state == "preparing":
            prep.cancel.set()

    def forget(self, keys: Iterable[Hashable]) -> None:
        """Stop and delete the preparations of `keys` (their prepared files too)."""
        for key in list(keys):
            prep = self._by_key.pop(key, None)
            if prep is None:
                continue
            prep.cancel.set()
            if prep.prepared is not None:
                prep.prepared.remove()
                prep.prepared = None

    def keep_only(self, keys: Iterable[Hashable]) -> None:
        """Forget every preparation whose key is not in `keys`."""
        wanted = set(keys)
        self.forget([key for key in self._by_key if key not in wanted])

    def clear(self) -> None:
        """Forget every preparation."""
        self.forget(list(self._by_key))

    async def wait(self, keys: Iterable[Hashable], on_wait: Callable[[str], None]) -> None:
        """Wait until the preparations of `keys` are no longer running.

        It looks at their state every `POLL_S` instead of awaiting a future, so a clone started
        on another event loop (a kernel subshell) can wait too.
        """
        for key in list(keys):
            prep = self._by_key.get(key)
            while prep is not None and prep.state == "preparing":
                on_wait(f"preparing samples ({round(100 * prep.fraction)} %)")
                await asyncio.sleep(POLL_S)

    def audio_path(self, audio_id: str) -> Path | None:
        """The prepared file behind an ``after`` audio id (None when unknown or gone)."""
        for prep in self._by_key.values():
            if prep.prepared is not None and audio_id == prep.audio_ids[1]:
                return prep.prepared.path
        return None

    def key_of_before(self, audio_id: str) -> Hashable | None:
        """The sample key behind a ``before`` audio id."""
        for key, prep in self._by_key.items():
            if audio_id == prep.audio_ids[0] and prep.prepared is not None:
                return key
        return None


def preparation_row(prep: Preparation | None) -> dict[str, Any]:
    """The row fields that show a preparation (text, SVG and audio ids only; never audio)."""
    if prep is None:
        return {"prep_state": "none"}
    row: dict[str, Any] = {"prep_state": prep.state}
    if prep.state == "preparing":
        row["prep_progress"] = prep.fraction
        row["prep_text"] = f"preparing {round(100 * prep.fraction)} %"
    elif prep.state == "cancelled":
        row["prep_text"] = "preparation cancelled: this sample cannot be sent prepared"
    elif prep.state == "failed":
        row["prep_text"] = f"not prepared: {prep.error}"
    elif prep.prepared is not None:
        parts = len(prep.prepared.paths)
        row["prep_text"] = "prepared" + (f" into {parts} parts" if parts > 1 else "")
        row["prep_changes"] = list(prep.prepared.changes)
        row["prep_before_svg"], row["prep_after_svg"] = prep.svgs
        row["prep_before_audio"], row["prep_after_audio"] = prep.audio_ids
    return row
