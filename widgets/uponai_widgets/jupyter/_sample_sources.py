"""Where the clone widget's samples come from: one typed source per kind.

`EntrySource` holds the FileUpload-style entries set from Python (``widget.set_samples``);
`ReceivedSource` the files a picker or a recorder received into its chunk store. Both answer the
same questions about a sample key (its state, what `clone_voice` gets, its `SampleInfo`, its
audio for the players, how to remove it), so the sample list asks ``ref.source`` instead of
dispatching on a kind string. A `SampleRef` names one sample: its source and its key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ._chunk_store import StoredFile
from ._picker import AudioPicker
from ._recorder import VoiceRecorder
from ._samples_html import SampleInfo, describe_file, describe_upload_entry

__all__ = ["EntrySource", "ReceivedSource", "SampleRef", "SampleSource"]

#: What the players get: a file, bytes in memory, or nothing; and the MIME type.
Audio = tuple[Path | bytes | memoryview | None, str]


class EntrySource:
    """In-memory FileUpload-style entries (name/type/content dicts) set from Python."""

    def __init__(self) -> None:
        """No entries yet."""
        self._entries: dict[str, Mapping[str, Any]] = {}
        self._infos: dict[str, SampleInfo] = {}
        self._numbers = 0

    def sample_keys(self) -> list[str]:
        """The entries' keys, in order."""
        return list(self._entries)

    def replace(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """Hold `entries` instead of the current ones (each gets a new key)."""
        self._entries, self._infos = {}, {}
        for entry in entries:
            self._numbers += 1
            key = f"entry-{self._numbers}"
            self._entries[key] = entry
            self._infos[key] = describe_upload_entry(entry)

    def stored(self, _key: str) -> StoredFile | None:
        """Entries live in memory: never a stored file."""
        return None

    def state(self, key: str) -> str:
        """``ready`` (an entry is whole from the start) or ``removed``."""
        return "ready" if key in self._entries else "removed"

    def sample(self, key: str) -> Any:
        """The entry itself: `clone_voice` reads FileUpload entries."""
        return self._entries[key]

    def info(self, key: str) -> SampleInfo:
        """Name, size, MIME type and duration, read when the entry was set."""
        return self._infos[key]

    def audio(self, key: str) -> Audio:
        """The entry's bytes and type for a player."""
        entry = self._entries[key]
        content = entry.get("content")
        mime = str(entry.get("type") or "audio/wav")
        return (content if isinstance(content, bytes | memoryview) else None), mime

    def remove(self, key: str) -> None:
        """Forget one entry."""
        self._entries.pop(key, None)
        self._infos.pop(key, None)


class ReceivedSource:
    """The files one picker or recorder received (chunked, into temporary files)."""

    def __init__(self, receiver: AudioPicker | VoiceRecorder) -> None:
        """Follow `receiver`'s chunk store."""
        self.receiver = receiver
        self._infos: dict[str, SampleInfo] = {}

    def sample_keys(self) -> list[str]:
        """The received (or arriving, or failed) files' ids, in order."""
        return [stored.id for stored in self.receiver.store.files]

    def stored(self, key: str) -> StoredFile | None:
        """The stored file behind `key` (None once removed)."""
        return self.receiver.store.get(key)

    def state(self, key: str) -> str:
        """``ready``, ``receiving``, ``failed`` or ``removed``."""
        stored = self.stored(key)
        return "removed" if stored is None else stored.state

    def sample(self, key: str) -> Any:
        """What `clone_voice` streams from disk for an arrived file."""
        stored = self.stored(key)
        if stored is None or not stored.complete:
            raise KeyError(f"{key} has not arrived")
        return stored.as_sample()

    def info(self, key: str) -> SampleInfo:
        """Name, size, MIME type and (once arrived, from the WAV header) duration."""
        if key in self._infos:
            return self._infos[key]
        stored = self.stored(key)
        if stored is None:
            raise KeyError(f"{key} was removed")
        if not stored.complete:
            return SampleInfo(stored.name, stored.size, stored.mime, None)
        info = describe_file(stored.name, stored.path, stored.size, stored.mime)
        self._infos[key] = info
        return info

    def audio(self, key: str) -> Audio:
        """The arrived file and its type for a player."""
        stored = self.stored(key)
        if stored is None:
            return None, ""
        return Path(stored.path), stored.mime or "audio/wav"

    def remove(self, key: str) -> None:
        """Remove the file (stops it if still arriving; its temporary file goes)."""
        self._infos.pop(key, None)
        if self.stored(key) is not None:
            self.receiver.remove(key)

    def prune(self) -> None:
        """Forget what was read about files no longer in the store."""
        keys = set(self.sample_keys())
        self._infos = {key: info for key, info in self._infos.items() if key in keys}


SampleSource = EntrySource | ReceivedSource


@dataclasses.dataclass(frozen=True)
class SampleRef:
    """One chosen sample: the source it comes from and its key there."""

    source: SampleSource
    key: str
