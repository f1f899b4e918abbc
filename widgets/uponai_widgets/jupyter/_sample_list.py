"""The clone widget's samples: files from the picker and the recorder, and in-memory entries.

`SampleList` gathers every chosen sample (in order: entries set from Python, picked files,
recordings), whether it has arrived, is still arriving or failed to arrive; hands the arrived
ones to `SampleInsight` for reports and waveforms; and shows them as one list
(`SampleListView`): one row per sample with name, size, duration, arrival progress, verdict
badge, a small waveform and a remove button; the full report expands from the row.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets  # type: ignore[import-untyped]  # ipywidgets ships no type information
import traitlets

from .._sizes import format_duration, format_size
from ..audio._inspect import OverallVerdict, SampleReport, overall_verdict
from ..audio._verdict import worst
from ._audio_sender import send_audio
from ._chunk_store import StoredFile
from ._frontend import SHARED_PARTS, es_module, stylesheet
from ._insight import SampleInsight
from ._picker import AudioPicker
from ._preparation import Preparation, SamplePreparations, preparation_row
from ._recorder import VoiceRecorder
from ._report_html import badge_html, overall_html, report_html
from ._sample_sources import EntrySource, ReceivedSource, SampleRef
from ._samples_html import EMPTY_LIST_TEXT, SampleInfo, count_text, total_size

__all__ = ["SampleList", "SampleListView", "SampleRef"]

#: A set holding this much speech makes a short take fine (it counts toward the total).
_ENOUGH_TOTAL_S = 60.0


class SampleListView(anywidget.AnyWidget):
    """The rows of the sample list (metadata and escaped HTML only; never audio)."""

    _esm = es_module(*SHARED_PARTS, "audio_receiver.js", "sample_list.js")
    _css = stylesheet("sample_list.css")

    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    footer = traitlets.Unicode("").tag(sync=True)
    empty_text = traitlets.Unicode(EMPTY_LIST_TEXT).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)


class SampleList:
    """The chosen samples of one widget and their one list."""

    def __init__(
        self, picker: AudioPicker, recorder: VoiceRecorder, on_change: Callable[[], None]
    ) -> None:
        """Follow `picker` and `recorder`; `on_change` runs whenever the arrived samples change."""
        self.picker = picker
        self.recorder = recorder
        self._on_change = on_change
        self.entries = EntrySource()
        #: Where samples come from, in the list's order: entries, picked files, recordings.
        self.sources = (self.entries, ReceivedSource(picker), ReceivedSource(recorder))
        self.insight = SampleInsight(on_report=self.render)
        #: The overall verdict over what Clone sends (``uponai-overall``).
        self.verdict_view = ipywidgets.HTML("")
        self.verdict_view.add_class("uponai-overall")
        #: True while "Prepare samples" is on: every arrived sample is prepared.
        self.prepare = False
        self.preparations = SamplePreparations(on_change=self.render)
        self.view = SampleListView()
        self.view.add_class("uponai-samples")
        self.view.on_msg(self._on_view_message)
        for source in (picker, recorder):
            source.show_list = False
            source.observe(self._on_picked, names="samples")
            source.observe(lambda _change: self.render(), names="files")

    # -- what is chosen ---------------------------------------------------------------------

    def refs(self) -> list[SampleRef]:
        """Every chosen sample (arrived, arriving or failed), in order."""
        return [SampleRef(source, key) for source in self.sources for key in source.sample_keys()]

    def stored(self, ref: SampleRef) -> StoredFile | None:
        """The picker's or recorder's file behind `ref` (None for entries or a removed file)."""
        return ref.source.stored(ref.key)

    def state(self, ref: SampleRef) -> str:
        """``ready``, ``receiving``, ``failed`` or ``removed``."""
        return ref.source.state(ref.key)

    def sample(self, ref: SampleRef) -> Any:
        """What `clone_voice` gets for an arrived sample."""
        return ref.source.sample(ref.key)

    def info(self, ref: SampleRef) -> SampleInfo:
        """Name, size, MIME type and duration (from the header, else from the analysis)."""
        info = ref.source.info(ref.key)
        report = self._report(ref)
        if info.duration is None and report is not None and report.duration_s is not None:
            info = dataclasses.replace(info, duration=report.duration_s)
        return info

    def ready_refs(self) -> list[SampleRef]:
        """The samples that have arrived, in order."""
        return [ref for ref in self.refs() if self.state(ref) == "ready"]

    @property
    def samples(self) -> list[Any]:
        """What would be sent now: every arrived sample."""
        return [self.sample(ref) for ref in self.ready_refs()]

    @property
    def infos(self) -> list[SampleInfo]:
        """`SampleInfo` of every arrived sample."""
        return [self.info(ref) for ref in self.ready_refs()]

    @property
    def receiving(self) -> bool:
        """True while a picked file or a recording is still arriving from the browser."""
        return bool(self.picker.receiving or self.recorder.receiving)

    # -- changes ----------------------------------------------------------------------------

    def _on_picked(self, _change: Mapping[str, Any] | None = None) -> None:
        self.clear_notices()
        self.update()
        self._on_change()

    def clear_notices(self) -> None:
        """Clear messages that a later action made stale (the recorder's "No microphone")."""
        self.recorder.notice = ""

    def _on_view_message(self, _widget: Any, content: Any, _buffers: Sequence[Any]) -> None:
        if not isinstance(content, Mapping):
            return
        kind = content.get("type")
        if kind == "remove":
            self.remove(str(content.get("key") or ""))
        elif kind == "cancel-prepare":
            key = str(content.get("key") or "")
            self.preparations.cancel(next((r for r in self.refs() if r.key == key), None))
        elif kind == "audio":
            audio_id = str(content.get("id") or "")
            source, mime = self._audio(audio_id)
            send_audio(self.view.send, audio_id, source, mime)

    def _audio(self, audio_id: str) -> tuple[Path | bytes | memoryview | None, str]:
        after = self.preparations.audio_path(audio_id)
        if after is not None:
            return after, "audio/flac" if after.suffix == ".flac" else "audio/wav"
        ref = self.preparations.key_of_before(audio_id)
        if not isinstance(ref, SampleRef) or self.state(ref) != "ready":
            return None, ""
        return ref.source.audio(ref.key)

    def set_prepare(self, on: bool) -> None:
        """Switch preparation on (every arrived sample is prepared) or off (all are forgotten)."""
        self.prepare = on
        if not on:
            self.preparations.clear()
        self.update()

    def prepared(self, ref: SampleRef) -> tuple[Preparation | None, str | None]:
        """The finished preparation of `ref` (what Clone sends while preparing is on), or None
        with the reason."""
        prep = self.preparations.get(ref)
        name = self.info(ref).name
        if prep is None or prep.state == "preparing":
            return None, f"{name}: not prepared yet"
        if prep.prepared is not None:
            return prep, None
        why = "the preparation was cancelled" if prep.state == "cancelled" else prep.error
        return None, (
            f"{name} was not prepared ({why}): remove it, or switch Prepare samples off to send "
            "the original"
        )

    def remove(self, key: str) -> None:
        """Remove one sample by its key (stops it if still arriving)."""
        for ref in self.refs():
            if ref.key == key:
                ref.source.remove(key)
                if ref.source is self.entries:  # pickers and recorders announce their own
                    self._on_picked()

    def discard(self, refs: Sequence[SampleRef]) -> None:
        """Remove these samples (after a clone used them); other samples stay."""
        for ref in refs:
            ref.source.remove(ref.key)
        self.update()

    def set_entries(self, entries: Any) -> None:
        """Replace every sample with in-memory FileUpload-style entries (name/content dicts)."""
        self.entries.replace(entries)
        self.picker.clear()
        self.recorder.clear()
        self.clear_notices()
        self.update()

    def update(self) -> None:
        """Forget removed samples, analyse newly arrived ones, redraw."""
        for source in self.sources:
            if isinstance(source, ReceivedSource):
                source.prune()
        ready = self.ready_refs()
        self.insight.update([(ref, self.info(ref).name, self.sample(ref)) for ref in ready])
        self.preparations.keep_only(ready if self.prepare else ())
        if self.prepare:
            for ref in ready:
                self.preparations.start(ref, self.sample(ref))
        self.render()

    # -- the list ---------------------------------------------------------------------------

    def _report(self, ref: SampleRef) -> SampleReport | None:
        found = self.insight.result(ref)
        return found[0] if isinstance(found, tuple) else None

    def _row(self, ref: SampleRef, counts_toward_total: bool) -> dict[str, Any]:
        state = self.state(ref)
        info = self.info(ref)
        stored = self.stored(ref)
        row: dict[str, Any] = {
            "key": ref.key,
            "name": info.name,
            "state": state,
            "size_text": format_size(info.size),
            "duration_text": format_duration(info.duration),
            "removable": True,
        }
        if stored is not None and state == "receiving":
            row["progress"] = stored.received / stored.size if stored.size else 0.0
            row["arrival_text"] = f"arriving {round(100 * row['progress'])} %"
        elif stored is not None and state == "failed":
            row["arrival_text"] = f"did not arrive: {stored.error}"
            row["badge_html"] = badge_html("bad")
        prep = self.preparations.get(ref) if self.prepare else None
        if prep is not None and prep.sent is not None:  # the line describes what Clone sends
            row["size_text"] = format_size(prep.sent.size)
            row["duration_text"] = format_duration(prep.sent.duration)
            row["line_title"] = (
                f"Prepared: Clone sends {row['size_text']}, {row['duration_text']}. "
                f"The chosen file: {format_size(info.size)}, {format_duration(info.duration)}."
            )
        found = self.insight.result(ref)
        sent = self.sent_reports(ref)
        if isinstance(found, tuple) and sent:
            _original, svg = found
            if prep is not None and prep.prepared is not None:
                svg = prep.svgs[1]
            verdict = worst(report.verdict for report in sent)
            note = "prepared file (what Clone sends)" if self.prepare else ""
            if counts_toward_total and verdict == "warn" and all(map(_only_short, sent)):
                verdict, note = "good", "short, but it counts toward the set's total"
            row["badge_html"] = badge_html(verdict)
            row["waveform_svg"] = svg
            row["report_html"] = "".join(report_html(r, svg, note=note) for r in sent)
            row["summary"] = "Report" + (f": {note}" if note else "")
        elif isinstance(found, str):
            row["badge_html"] = badge_html("bad")
            row["report_html"] = f"<div>{html.escape(found)}</div>"
        elif state == "ready" and not isinstance(found, str):
            row["badge_html"] = badge_html("pending")
        if self.prepare and state == "ready":
            row.update(preparation_row(prep))
        return row

    def _prepared_total(self) -> str:
        """`` (N MiB prepared)`` once every arrived sample is prepared, else nothing."""
        preps = [self.preparations.get(ref) for ref in self.ready_refs()] if self.prepare else []
        sent = [prep.sent for prep in preps if prep is not None and prep.sent is not None]
        if not sent or len(sent) != len(preps):
            return ""
        return f" ({format_size(total_size(sent))} prepared)"

    def sent_reports(self, ref: SampleRef) -> tuple[SampleReport, ...]:
        """The reports of what Clone sends for `ref`: the prepared files while Prepare samples
        is on (empty until they are ready), else the original's (empty while analysed)."""
        if self.prepare:
            prep = self.preparations.get(ref)
            return prep.prepared.after if prep is not None and prep.prepared is not None else ()
        report = self._report(ref)
        return () if report is None else (report,)

    @property
    def overall(self) -> OverallVerdict | None:
        """The verdict over what Clone sends (None while any is analysed or prepared, or none)."""
        ready = self.ready_refs()
        sent = [self.sent_reports(ref) for ref in ready]
        if not ready or not all(sent):
            return None
        return overall_verdict(report for reports in sent for report in reports)

    def _waiting(self) -> int:
        """How many arrived samples have no report of what is sent yet."""
        return sum(
            1
            for ref in self.ready_refs()
            if not self.sent_reports(ref) and not isinstance(self.insight.result(ref), str)
        )

    def render(self) -> None:
        """Redraw the list's rows and footer, and the overall verdict."""
        overall = self.overall
        enough = overall is not None and overall.speech_s >= _ENOUGH_TOTAL_S
        refs = [ref for ref in self.refs() if self.state(ref) != "removed"]
        self.view.rows = [self._row(ref, enough) for ref in refs]
        infos = self.infos
        self.view.footer = (
            f"{count_text(len(infos), 'file')}, {format_size(total_size(infos))} in the kernel"
            + self._prepared_total()
            if infos
            else ""
        )
        waiting = self._waiting()
        verb = "Preparing" if self.prepare else "Analysing"
        self.verdict_view.value = overall_html(overall, pending=waiting, verb=verb)


def _only_short(report: SampleReport) -> bool:
    return bool(report.reasons) and all(r.startswith("short:") for r in report.reasons)
