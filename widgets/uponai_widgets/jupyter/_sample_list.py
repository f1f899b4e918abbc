"""The clone widget's samples: files from the picker and the recorder, and in-memory entries.

`SampleList` gathers what will be sent (in order: entries set from Python, picked files,
recordings), describes each (`SampleInfo`), hands them to `SampleInsight` for reports and
waveforms, and renders the list.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets  # type: ignore[import-untyped]  # ipywidgets ships no type information

from ._chunk_store import StoredFile
from ._insight import SampleInsight
from ._picker import AudioPicker
from ._recorder import VoiceRecorder
from ._samples_html import SampleInfo, describe_file, describe_upload_entry, samples_html

__all__ = ["SampleList"]


class SampleList:
    """The chosen samples of one widget and their views."""

    def __init__(
        self, picker: AudioPicker, recorder: VoiceRecorder, on_change: Callable[[], None]
    ) -> None:
        """Follow `picker` and `recorder`; `on_change` runs whenever the samples change."""
        self.picker = picker
        self.recorder = recorder
        self._on_change = on_change
        self._entries: list[Mapping[str, Any]] = []
        self._entry_infos: list[SampleInfo] = []
        self.samples: list[Any] = []
        self.infos: list[SampleInfo] = []
        self.insight = SampleInsight(on_report=self.render)
        self.view = ipywidgets.HTML(samples_html([]))
        self.view.add_class("uponai-samples")
        for source in (picker, recorder):
            source.observe(self._on_picked, names="samples")

    @property
    def receiving(self) -> bool:
        """True while a picked file or a recording is still arriving from the browser."""
        return bool(self.picker.receiving or self.recorder.receiving)

    def _on_picked(self, _change: Mapping[str, Any] | None = None) -> None:
        self.update()
        self._on_change()

    def update(self) -> None:
        """Re-read the picker and the recorder; analyse new samples; redraw."""
        stored: list[tuple[str, StoredFile]] = [
            *(("picked", f) for f in self.picker.samples),
            *(("recorded", f) for f in self.recorder.samples),
        ]
        self.samples = [*self._entries, *(f.as_sample() for _, f in stored)]
        self.infos = [
            *self._entry_infos,
            *(describe_file(f.name, f.path, f.size, f.mime) for _, f in stored),
        ]
        entries = zip(self._entries, self._entry_infos, strict=True)
        self.insight.update(
            [
                *((("entry", i, id(e)), info.name, e) for i, (e, info) in enumerate(entries)),
                *(((kind, f.id), f.name, f.as_sample()) for kind, f in stored),
            ]
        )
        self.render()

    def render(self, caption: str = "") -> None:
        """Draw the list; durations the header does not give (WebM, MP3...) come from analysis."""
        infos = [
            dataclasses.replace(info, duration=report.duration_s)
            if info.duration is None and report is not None and report.duration_s is not None
            else info
            for info, report in zip(self.infos, self.insight.reports, strict=True)
        ]
        self.view.value = samples_html(infos, caption=caption)

    def set_entries(self, entries: Any) -> None:
        """Replace every sample with in-memory FileUpload-style entries (name/content dicts)."""
        self._entries = list(entries)
        self._entry_infos = [describe_upload_entry(entry) for entry in self._entries]
        self.picker.clear()
        self.recorder.clear()
        self.update()
