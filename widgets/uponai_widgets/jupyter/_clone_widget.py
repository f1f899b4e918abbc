"""`VoiceCloneWidget`: choose audio samples in a notebook, clone a voice, see and hear it.

The widget never holds the API token (the `Connection` lives in Python only, never in a trait),
receives chosen files through `AudioPicker` (chunked, into temporary files: no size ceiling on a
default Jupyter server, no audio in synced state) and clears the impersonation reason field on
every clone attempt, so saved widget state (JupyterLab's ``saveState`` or nbclient's
``store_widget_state``) contains neither audio nor secrets. Samples stream from disk into the
upload; their temporary files (and prepared ones) go when a sample is removed and after a clone.
The form lives in `_clone_form`, the samples in `_sample_list`, preparing in `_preparation`.
"""

from __future__ import annotations

import asyncio
import html
import os
from collections.abc import Mapping
from typing import Any

import ipywidgets  # type: ignore[import-untyped]  # ipywidgets ships no type information

from uponai_client import AuthenticatedClient
from uponai_client.models import Voice

from .._clone import clone_voice_async
from .._clone_request import accepted_text
from .._connection import Connection, connect
from .._errors import UponAIError, ValidationError, redact
from .._secret import Secret, as_secret
from .._validation import Limits
from ..audio._inspect import OverallVerdict, SampleReport
from ._arrival import failure as arrival_failure
from ._card import VoiceCard
from ._card_html import register_voice_formatter
from ._clone_form import CloneForm, problem_lines
from ._insight import UPLOADS
from ._picker import AUDIO_ACCEPT, AudioPicker
from ._prepared_set import prepare_toggle
from ._recorder import VoiceRecorder
from ._sample_list import SampleList
from ._samples_html import (
    EMPTY_SELECTION_HINT,
    SampleInfo,
    count_text,
    error_html,
    problems_html,
    total_size,
)
from ._selection import Selection
from ._upload_bar import UploadBar

__all__ = ["AUDIO_ACCEPT", "VoiceCloneWidget"]


class VoiceCloneWidget(ipywidgets.VBox):  # type: ignore[misc]  # ipywidgets.VBox is untyped (Any)
    """Pick audio files, clone a voice with the UponAI API and show the resulting voice card.

    ``connection`` is a `Connection` or `AuthenticatedClient`; by default `connect()` is called
    at the first clone (token from ``UPONAI_API_KEY``, base URL from ``UPONAI_BASE_URL``).
    ``workspace_id`` and ``provider`` default to ``UPONAI_WORKSPACE_ID`` / ``UPONAI_VOICE_PROVIDER``.
    After a clone, ``widget.voice`` is the latest `Voice` and ``widget.voices`` all of them.
    Its parts: ``picker``, ``recorder``, ``sample_list`` (its ``view`` and ``verdict_view``),
    ``form`` (``form.inputs`` by field keyword, ``form.advanced``) and the buttons.
    """

    def __init__(
        self,
        connection: Connection | AuthenticatedClient | None = None,
        *,
        workspace_id: int | None = None,
        provider: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Build the widget; no request is made until **Clone voice** is clicked."""
        self._connection = connection
        self.voice: Voice | None = None
        self.voices: list[Voice] = []
        self.task: asyncio.Task[Voice | None] | None = None
        self._pending_reason: Secret | None = None
        self._pending_set: Selection | None = None
        self._used_connection: Connection | AuthenticatedClient | None = None

        self.picker = AudioPicker(accept=AUDIO_ACCEPT, multiple=True, description="Choose audio")
        self.recorder = VoiceRecorder()
        self.recorder.add_class("uponai-record")
        self.sample_list = SampleList(self.picker, self.recorder, on_change=self._on_picked)
        limits = getattr(connection, "limits", None) or Limits()
        self.picker.store.limits = self.recorder.store.limits = limits
        self.form = CloneForm({"workspace_id": workspace_id, "provider": provider})
        self._build_actions()
        for source in (self.picker, self.recorder):
            source.observe(self._on_transfers, names="files")
        super().__init__(self._layout(), **kwargs)
        self.add_class("uponai-clone-widget")
        register_voice_formatter()

    def _build_actions(self) -> None:
        self.clone_button = ipywidgets.Button(
            description="Clone voice", button_style="primary", icon="clone"
        )
        self.clone_button.add_class("uponai-clone")
        self.cancel_button = ipywidgets.Button(description="Cancel", icon="stop", disabled=True)
        self.cancel_button.add_class("uponai-cancel")
        self.prepare_toggle = prepare_toggle(self.sample_list.set_prepare)
        self.upload_bar = UploadBar()
        self.progress = self.upload_bar.progress
        self.progress_label = self.upload_bar.label
        self.status = ipywidgets.HTML("")
        self.status.add_class("uponai-status")
        self.error = ipywidgets.HTML("", layout=ipywidgets.Layout(display="none"))
        self.error.add_class("uponai-error")
        self.result = ipywidgets.VBox([])
        self.clone_button.on_click(self._on_clone_click)
        self.cancel_button.on_click(self._on_cancel_click)

    def _layout(self) -> list[Any]:
        return [
            self.picker,
            self.recorder,
            self.sample_list.view,
            self.sample_list.verdict_view,
            *self.form.children,
            ipywidgets.HBox([self.clone_button, self.prepare_toggle, self.cancel_button]),
            ipywidgets.HBox([self.progress, self.progress_label]),
            self.status,
            self.error,
            self.result,
        ]

    # -- state shown to the user -------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a clone request is in flight."""
        return self.task is not None and not self.task.done()

    @property
    def samples(self) -> list[SampleInfo]:
        """Name, size and duration of the samples that will be sent."""
        return list(self.sample_list.infos)

    @property
    def reports(self) -> list[SampleReport | None]:
        """A `SampleReport` per chosen sample, in order (None while still being analysed)."""
        return self.sample_list.insight.reports

    @property
    def overall(self) -> OverallVerdict | None:
        """The `OverallVerdict` for what Clone sends (None while analysing or with none)."""
        return self.sample_list.overall

    @property
    def receiving(self) -> bool:
        """True while a picked file or a recording is still arriving from the browser."""
        return self.sample_list.receiving

    @property
    def error_message(self) -> str:
        """The HTML currently shown in the error area ('' when none)."""
        return str(self.error.value)

    def _show_error(self, body_html: str) -> None:
        self.error.value = body_html
        self.error.layout.display = "block" if body_html else "none"

    def _set_busy(self, busy: bool) -> None:
        # The picker and the recorder stay usable: files chosen now are kept for the next clone.
        self.clone_button.disabled = self.prepare_toggle.disabled = busy
        self.cancel_button.disabled = not (busy or self.receiving)
        self.form.set_disabled(busy)

    # -- samples -----------------------------------------------------------------------------

    def _on_picked(self) -> None:
        self._show_error("")

    def _on_transfers(self, _change: Mapping[str, Any]) -> None:
        if not self.busy:
            self.cancel_button.disabled = not self.receiving

    def set_samples(self, entries: Any) -> None:
        """Replace the chosen samples with in-memory FileUpload-style entries (name/content dicts).

        Files received through the picker are removed (with their temporary files).
        """
        self.sample_list.set_entries(entries)
        self._show_error("")

    def clear_samples(self) -> None:
        """Forget the chosen samples and delete the picker's temporary files."""
        self.set_samples(())

    def close(self) -> None:
        """Close the widget, its picker and recorder (deleting their and prepared temporary files)."""
        self.sample_list.preparations.clear()
        self.picker.close()
        self.recorder.close()
        super().close()

    # -- buttons -----------------------------------------------------------------------------

    def _on_clone_click(self, _button: Any = None) -> None:
        if self.busy:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._show_error(error_html("Cloning needs a running asyncio loop (a Jupyter kernel)."))
            return
        # Disable at once (the task only starts on the next loop iteration), take the
        # impersonation reason out of the synced field and freeze the set of samples now, in
        # the click's own message context: files chosen after this belong to the next clone.
        self.clone_button.disabled = self.prepare_toggle.disabled = True
        self.sample_list.clear_notices()
        self._pending_reason = self.form.take_reason()
        self._pending_set = Selection.of(self.sample_list)
        self.task = loop.create_task(self.clone())

    def _on_cancel_click(self, _button: Any = None) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            return
        for source in (self.picker, self.recorder):
            if source.receiving:
                source.cancel()
        self.cancel_button.disabled = True

    async def clone(self) -> Voice | None:
        """Wait for the chosen files, validate, upload and clone; returns the `Voice` or None.

        The reason for a None is shown inline. Raises `asyncio.CancelledError` when cancelled
        (after updating the widget).
        """
        try:
            return await self._clone()
        except asyncio.CancelledError:
            self.status.value = (
                "Cancelled. If the upload had already finished, the server may still have "
                "created the voice."
            )
            raise
        finally:
            self._set_busy(False)

    def _fresh(self) -> None:
        self._show_error("")
        self.status.value = ""
        self.upload_bar.reset()

    async def _clone(self) -> Voice | None:
        reason = self._pending_reason or self.form.take_reason()
        frozen = self._pending_set or Selection.of(self.sample_list)
        self._pending_reason = self._pending_set = None
        self._fresh()
        # The request is validated once, by the SDK, when it is made (every problem at once).
        # Only while files are still arriving are the fields checked first, so a missing name
        # is said now rather than after the wait.
        if not frozen.refs or not frozen.arrived:
            limits = getattr(self._connection, "limits", None)
            _kwargs, problems = self.form.collect(None, reason, limits)
            if not frozen.refs:
                problems.insert(0, EMPTY_SELECTION_HINT)
            if problems:
                self._show_error(problems_html(problems))
                return None
        self._set_busy(True)
        if self.sample_list.prepare:  # what is sent is made from the arrived files
            failed = await frozen.arrive(self._wait)
            if failed is not None:
                self.status.value = ""
                self._show_error(error_html(failed, title="Not cloned:"))
                return None
            samples, infos, problems = await frozen.sent(self._wait)
            if problems:
                self.status.value = ""
                self._show_error(problems_html(problems))
                return None
            voice = await self._upload(self.form.arguments(samples, reason), infos)
        else:
            voice = await self._upload_as_they_arrive(frozen, reason)
        if voice is not None:
            frozen.discard()  # files chosen since the click stay
        return voice

    async def _upload_as_they_arrive(
        self, frozen: Selection, reason: Secret | None
    ) -> Voice | None:
        """Upload at once, files still arriving included (each sent as its bytes land)."""
        failed = arrival_failure(self.sample_list, frozen.refs)
        if failed is not None:
            self.status.value = ""
            self._show_error(error_html(failed, title="Not cloned:"))
            return None
        samples, infos, arriving = frozen.streamed()
        uploading = f"Uploading {count_text(len(infos), 'sample')} and cloning"
        watch = asyncio.ensure_future(self._say_arrival(frozen, uploading)) if arriving else None
        try:
            return await self._upload(self.form.arguments(samples, reason), infos)
        finally:
            for sample in arriving:
                sample.abandoned = True  # a validation still waiting for it stops
            if watch is not None:
                watch.cancel()

    async def _say_arrival(self, frozen: Selection, uploading: str) -> None:
        """While the upload runs: which file it waits for, until every one has arrived."""

        def say(text: str) -> None:
            if not self.error_message:
                self.status.value = html.escape(text)

        if await frozen.arrive(lambda text: say(f"{uploading} as they arrive: {text}\u2026")):
            return  # one will not arrive: the upload stops and says so
        say(f"{uploading}\u2026")

    def _wait(self, text: str) -> None:
        self.status.value = f"{html.escape(text[:1].upper() + text[1:])}\u2026"

    async def _upload(self, kwargs: dict[str, Any], infos: list[SampleInfo]) -> Voice | None:
        total = total_size(infos)
        self.upload_bar.start(total)
        self.status.value = f"Uploading {count_text(len(infos), 'sample')} and cloning\u2026"
        # A connection the widget makes lives for one clone: the next click may come through
        # another kernel subshell (thread and loop), where pooled connections cannot be used.
        given = self._connection
        owned = given is None
        try:
            connection: Connection | AuthenticatedClient = connect() if given is None else given
            self._used_connection = connection
            try:
                with UPLOADS.upload():  # sample analyses wait: the upload goes first
                    voice = await clone_voice_async(
                        connection, on_progress=self.upload_bar.report, **kwargs
                    )
            finally:
                if owned and isinstance(connection, Connection):
                    await connection.aclose()
        except ValidationError as exc:  # nothing was sent
            self.status.value = ""
            self._show_error(
                problems_html([self._safe(line) for line in problem_lines(exc.problems)])
            )
            return None
        except UponAIError as exc:
            self.status.value = ""
            self._show_error(error_html(self._safe(str(exc))))
            return None
        except Exception as exc:
            self.status.value = ""
            self._show_error(error_html(self._safe(f"{type(exc).__name__}: {exc}")))
            return None
        if not isinstance(voice, Voice):  # a documented answer that is not a finished voice
            self.status.value = html.escape(
                accepted_text(voice)[:1].upper() + accepted_text(voice)[1:]
            )
            return None
        self.voice = voice
        self.voices.append(voice)
        self.result.children = (VoiceCard(voice), *self.result.children)
        self.status.value = (
            f"Cloned voice <code>{html.escape(str(voice.voice_id))}</code> from "
            f"{html.escape(count_text(len(infos), 'sample'))}."
        )
        return voice

    def _secrets(self) -> list[Secret]:
        found = [_environment_token()]
        for connection in (self._connection, self._used_connection):
            if isinstance(connection, Connection | AuthenticatedClient):
                found.append(as_secret(connection.token))
        return [token for token in found if token]

    def _safe(self, message: str) -> str:
        return redact(message, self._secrets())

    def __repr__(self) -> str:
        """A summary without the form's values beyond the name (no reason, token or audio)."""
        return (
            f"VoiceCloneWidget(name={str(self.form.inputs['name'].value)!r}, "
            f"samples={len(self.sample_list.infos)}, busy={self.busy}, "
            f"voices={[v.voice_id for v in self.voices]!r})"
        )


def _environment_token() -> Secret | None:
    """The token of the environment, held as a `Secret` from the moment it is read."""
    return Secret(os.environ["UPONAI_API_KEY"]) if "UPONAI_API_KEY" in os.environ else None
