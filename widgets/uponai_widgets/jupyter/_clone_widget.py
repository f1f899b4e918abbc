"""`VoiceCloneWidget`: choose audio samples in a notebook, clone a voice, see and hear it.

The widget never holds the API token (the `Connection` lives in Python only, never in a trait),
receives chosen files through `AudioPicker` (chunked, into temporary files: no size ceiling on a
default Jupyter server, no audio in synced state) and clears the impersonation reason field on
every clone attempt, so saved widget state (JupyterLab's ``saveState`` or nbclient's
``store_widget_state``) contains neither audio nor secrets. Samples stream from disk into the
upload; their temporary files are removed when a sample is removed and after a clone.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import os
from collections.abc import Iterable, Mapping
from typing import Any

import ipywidgets  # type: ignore[import-untyped]  # ipywidgets ships no type information

from uponai_client import AuthenticatedClient
from uponai_client.models import Voice

from .._clone import clone_voice_async
from .._connection import Connection, connect
from .._errors import Problem, UponAIError, ValidationError
from .._sizes import format_size
from .._validation import validate_clone
from ..audio._inspect import OverallVerdict, SampleReport
from ._card import VoiceCard
from ._chunk_store import StoredFile
from ._formatter import register_voice_formatter
from ._insight import SampleInsight
from ._picker import AUDIO_ACCEPT, AudioPicker
from ._recorder import VoiceRecorder
from ._samples_html import (
    EMPTY_SELECTION_HINT,
    SampleInfo,
    describe_file,
    describe_upload_entry,
    error_html,
    problems_html,
    redact,
    samples_html,
    total_size,
)

__all__ = ["AUDIO_ACCEPT", "VoiceCloneWidget"]

ACTOR_TYPES = ("end_user", "tenant_admin", "provider_admin", "platform_admin")


def problem_lines(problems: Iterable[Problem]) -> list[str]:
    """Readable lines for the cloning layer's ``Problem(sample, field, message)`` items."""
    return [str(problem) for problem in problems]


def _optional_int(label: str, raw: str, problems: list[str]) -> int | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        problems.append(f"{label}: {text!r} is not an integer")
        return None


class VoiceCloneWidget(ipywidgets.VBox):  # type: ignore[misc]  # ipywidgets.VBox is untyped (Any)
    """Pick audio files, clone a voice with the UponAI API and show the resulting voice card.

    ``connection`` is a `Connection` or `AuthenticatedClient`; by default `connect()` is called
    at the first clone (token from ``UPONAI_API_KEY``, base URL from ``UPONAI_BASE_URL``).
    ``workspace_id`` and ``provider`` default to ``UPONAI_WORKSPACE_ID`` / ``UPONAI_VOICE_PROVIDER``.
    After a clone, ``widget.voice`` is the latest `Voice` and ``widget.voices`` all of them.
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
        self._entries: list[Mapping[str, Any]] = []
        self._entry_infos: list[SampleInfo] = []
        self._samples: list[Any] = []
        self._infos: list[SampleInfo] = []
        self._last_progress = -1
        self._pending_reason: str | None = None

        if workspace_id is None:
            env_workspace = os.environ.get("UPONAI_WORKSPACE_ID", "")
        else:
            env_workspace = str(workspace_id)
        provider = provider or os.environ.get("UPONAI_VOICE_PROVIDER") or "elevenlabs"
        wide = {"description_width": "9em"}
        box = ipywidgets.Layout(width="32em")

        self.picker = AudioPicker(accept=AUDIO_ACCEPT, multiple=True, description="Choose audio")
        #: The picker under its former name (it replaced ipywidgets' FileUpload).
        self.upload = self.picker
        self.recorder = VoiceRecorder()
        self.recorder.add_class("uponai-record")
        self.insight = SampleInsight(on_report=self._show_samples)
        self.samples_view = ipywidgets.HTML(samples_html([]))
        self.samples_view.add_class("uponai-samples")
        self.name_input = ipywidgets.Text(
            description="Voice name", placeholder="e.g. Narrator", style=wide, layout=box
        )
        self.name_input.add_class("uponai-name")
        self.provider_input = ipywidgets.Text(
            value=provider, description="Provider", style=wide, layout=box
        )
        self.provider_input.add_class("uponai-provider")
        self.workspace_input = ipywidgets.Text(
            value=env_workspace, description="Workspace id", style=wide, layout=box
        )
        self.workspace_input.add_class("uponai-workspace")

        self.actor_type_input = ipywidgets.Dropdown(
            options=[("(none)", ""), *((a, a) for a in ACTOR_TYPES)],
            value="",
            description="Actor type",
            style=wide,
        )
        self.provider_id_input = ipywidgets.Text(description="Provider id", style=wide, layout=box)
        self.tenant_id_input = ipywidgets.Text(description="Tenant id", style=wide, layout=box)
        self.impersonation_reason_input = ipywidgets.Text(
            description="Impersonation reason",
            placeholder="for platform/provider admins; cleared after each attempt",
            style=wide,
            layout=box,
        )
        self.advanced = ipywidgets.Accordion(
            children=[
                ipywidgets.VBox(
                    [
                        self.actor_type_input,
                        self.provider_id_input,
                        self.tenant_id_input,
                        self.impersonation_reason_input,
                    ]
                )
            ],
            titles=("Advanced",),
            selected_index=None,
        )
        self.advanced.add_class("uponai-advanced")

        self.clone_button = ipywidgets.Button(
            description="Clone voice", button_style="primary", icon="clone"
        )
        self.clone_button.add_class("uponai-clone")
        self.cancel_button = ipywidgets.Button(description="Cancel", icon="stop", disabled=True)
        self.cancel_button.add_class("uponai-cancel")
        self.progress = ipywidgets.IntProgress(value=0, min=0, max=1, description="Upload")
        self.progress.add_class("uponai-progress")
        self.progress_label = ipywidgets.Label("")
        self.status = ipywidgets.HTML("")
        self.error = ipywidgets.HTML("", layout=ipywidgets.Layout(display="none"))
        self.error.add_class("uponai-error")
        self.result = ipywidgets.VBox([])

        for source in (self.picker, self.recorder):
            source.observe(self._on_picked, names="samples")
            source.observe(self._on_transfers, names="files")
        self.clone_button.on_click(self._on_clone_click)
        self.cancel_button.on_click(self._on_cancel_click)

        children = [
            self.picker,
            self.recorder,
            self.samples_view,
            self.insight.reports_view,
            self.insight.verdict_view,
            self.name_input,
            self.provider_input,
            self.workspace_input,
            self.advanced,
            ipywidgets.HBox([self.clone_button, self.cancel_button]),
            ipywidgets.HBox([self.progress, self.progress_label]),
            self.status,
            self.error,
            self.result,
        ]
        super().__init__(children, **kwargs)
        self.add_class("uponai-clone-widget")
        register_voice_formatter()

    # -- state shown to the user -------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a clone request is in flight."""
        return self.task is not None and not self.task.done()

    @property
    def samples(self) -> list[SampleInfo]:
        """Name, size and duration of the samples that will be sent."""
        return list(self._infos)

    @property
    def reports(self) -> list[SampleReport | None]:
        """A `SampleReport` per chosen sample, in order (None while still being analysed)."""
        return self.insight.reports

    @property
    def overall(self) -> OverallVerdict | None:
        """The `OverallVerdict` for the chosen samples (None while analysing or with none)."""
        return self.insight.overall

    @property
    def receiving(self) -> bool:
        """True while a picked file or a recording is still arriving from the browser."""
        return bool(self.picker.receiving or self.recorder.receiving)

    @property
    def error_message(self) -> str:
        """The HTML currently shown in the error area ('' when none)."""
        return str(self.error.value)

    def _show_error(self, body_html: str) -> None:
        self.error.value = body_html
        self.error.layout.display = "block" if body_html else "none"

    def _set_busy(self, busy: bool) -> None:
        self.clone_button.disabled = busy
        self.cancel_button.disabled = not (busy or self.receiving)
        for control in (
            self.picker,
            self.recorder,
            self.name_input,
            self.provider_input,
            self.workspace_input,
            self.actor_type_input,
            self.provider_id_input,
            self.tenant_id_input,
            self.impersonation_reason_input,
        ):
            control.disabled = busy

    # -- samples -----------------------------------------------------------------------------

    def _on_picked(self, _change: Mapping[str, Any] | None = None) -> None:
        self._update_samples()
        self._show_error("")

    def _on_transfers(self, _change: Mapping[str, Any]) -> None:
        if not self.busy:
            self.cancel_button.disabled = not self.receiving

    def _update_samples(self) -> None:
        stored: list[tuple[str, StoredFile]] = [
            *(("picked", f) for f in self.picker.samples),
            *(("recorded", f) for f in self.recorder.samples),
        ]
        self._samples = [*self._entries, *(f.as_sample() for _, f in stored)]
        self._infos = [
            *self._entry_infos,
            *(describe_file(f.name, f.path, f.size, f.mime) for _, f in stored),
        ]
        self.insight.update(
            [
                *(
                    (("entry", i, id(e)), info.name, e)
                    for i, (e, info) in enumerate(
                        zip(self._entries, self._entry_infos, strict=True)
                    )
                ),
                *(((kind, f.id), f.name, f.as_sample()) for kind, f in stored),
            ]
        )
        self._show_samples()

    def _show_samples(self) -> None:
        # Durations the header does not give (WebM, MP3...) come from the analysis.
        infos = [
            dataclasses.replace(info, duration=report.duration_s)
            if info.duration is None and report is not None and report.duration_s is not None
            else info
            for info, report in zip(self._infos, self.insight.reports, strict=True)
        ]
        self.samples_view.value = samples_html(infos)

    def set_samples(self, entries: Any) -> None:
        """Replace the chosen samples with in-memory FileUpload-style entries (name/content dicts).

        Files received through the picker are removed (with their temporary files).
        """
        self._entries = list(entries)
        self._entry_infos = [describe_upload_entry(entry) for entry in self._entries]
        self.picker.clear()
        self.recorder.clear()
        self._update_samples()
        self._show_error("")

    def clear_samples(self) -> None:
        """Forget the chosen samples and delete the picker's temporary files."""
        self.set_samples(())

    def close(self) -> None:
        """Close the widget, its picker and recorder (deleting their temporary files)."""
        self.picker.close()
        self.recorder.close()
        super().close()

    # -- progress ----------------------------------------------------------------------------

    def _on_progress(self, sent: int, total: int) -> None:
        total = max(total, 1)
        if self.progress.max != total:
            self.progress.max = total
        step = max(total // 200, 1)
        if sent >= total or sent - self._last_progress >= step or sent < self._last_progress:
            self._last_progress = sent
            self.progress.value = min(sent, total)
            self.progress_label.value = f"{format_size(sent)} / {format_size(total)}"

    # -- buttons -----------------------------------------------------------------------------

    def _on_clone_click(self, _button: Any = None) -> None:
        if self.busy:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._show_error(error_html("Cloning needs a running asyncio loop (a Jupyter kernel)."))
            return
        # Disable at once (the task only starts on the next loop iteration) and take the
        # impersonation reason out of the synced field now, in the click's own message context.
        self.clone_button.disabled = True
        self._pending_reason = self._take_reason()
        self.task = loop.create_task(self.clone())

    def _on_cancel_click(self, _button: Any = None) -> None:
        for source in (self.picker, self.recorder):
            if source.receiving:
                source.cancel()
        if self.task is not None and not self.task.done():
            self.task.cancel()
        elif not self.busy:
            self.cancel_button.disabled = True

    def _take_reason(self) -> str:
        # Read the impersonation reason once and clear the field: it must not stay in widget
        # state that a notebook save could write out.
        reason = str(self.impersonation_reason_input.value).strip()
        self.impersonation_reason_input.value = ""
        return reason

    def _collect(self, reason: str) -> tuple[dict[str, Any], list[str]]:
        problems: list[str] = []
        workspace_text = self.workspace_input.value.strip()
        workspace: Any = workspace_text
        if workspace_text:
            try:
                workspace = int(workspace_text)
            except ValueError:
                problems.append(f"workspace id: {workspace_text!r} is not a positive integer")
        else:
            problems.append("workspace id: required (a positive integer)")
        kwargs: dict[str, Any] = {
            "name": self.name_input.value,
            "provider": self.provider_input.value.strip(),
            "workspace_id": workspace,
            "samples": list(self._samples),
            "actor_type": self.actor_type_input.value or None,
            "impersonation_reason": reason or None,
        }
        extra = {
            "provider_id": _optional_int("provider id", self.provider_id_input.value, problems),
            "tenant_id": _optional_int("tenant id", self.tenant_id_input.value, problems),
        }
        if not problems:
            try:
                # The connection's own limits (if any), as clone_voice_async will check them.
                limits = getattr(self._connection, "limits", None)
                validate_clone(**kwargs, limits=limits)
            except ValidationError as exc:
                problems.extend(problem_lines(exc.problems))
        return {**kwargs, **extra}, problems

    async def clone(self) -> Voice | None:
        """Validate, upload and clone; returns the `Voice` or None (the reason is shown inline).

        Raises `asyncio.CancelledError` when cancelled (after updating the widget).
        """
        try:
            return await self._clone()
        finally:
            self._set_busy(False)

    async def _clone(self) -> Voice | None:
        reason = self._pending_reason if self._pending_reason is not None else self._take_reason()
        self._pending_reason = None
        self._show_error("")
        self.status.value = ""
        if self.receiving:
            arriving = [*self.picker.store.receiving, *self.recorder.store.receiving]
            names = ", ".join(f.name for f in arriving)
            self._show_error(error_html(f"still arriving in the kernel: {names}", title="Wait:"))
            return None
        if not self._samples:
            self._show_error(error_html(EMPTY_SELECTION_HINT, title="Nothing to send:"))
            return None
        kwargs, problems = self._collect(reason)
        if problems:
            self._show_error(problems_html(problems))
            return None
        self._set_busy(True)
        self._last_progress = -1
        self.progress.value = 0
        self.progress.max = max(total_size(self._infos), 1)
        self.progress_label.value = f"0 B / {format_size(total_size(self._infos))}"
        self.status.value = "Uploading samples and cloning\u2026"
        try:
            connection = self._connection if self._connection is not None else connect()
            self._connection = connection
            voice = await clone_voice_async(connection, on_progress=self._on_progress, **kwargs)
        except asyncio.CancelledError:
            self.status.value = (
                "Cancelled. If the upload had already finished, the server may still have "
                "created the voice."
            )
            raise
        except UponAIError as exc:
            self.status.value = ""
            self._show_error(error_html(self._safe(str(exc))))
            return None
        except Exception as exc:
            self.status.value = ""
            self._show_error(error_html(self._safe(f"{type(exc).__name__}: {exc}")))
            return None
        self.voice = voice
        self.voices.append(voice)
        self.result.children = (VoiceCard(voice), *self.result.children)
        self.status.value = f"Cloned voice <code>{html.escape(str(voice.voice_id))}</code>."
        sent = self._infos
        self.clear_samples()
        # Samples are consumed by a clone; show what was sent until new files are chosen.
        self.samples_view.value = samples_html(sent, caption="Sent with the last clone")
        return voice

    def _safe(self, message: str) -> str:
        return redact(message, [os.environ.get("UPONAI_API_KEY")])
