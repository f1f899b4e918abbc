"""Voices on disk: sample files under `voices/<voiceId>/`, metadata in SQLite.

A voice is committed atomically: its samples are streamed into `tmp/<random>/`, that directory
is renamed to `voices/<voiceId>/`, and the metadata goes in with one transaction. If anything
fails the directory is removed again; on start-up, leftovers of a crash (temporary directories,
sample directories without a committed row) are deleted, so no half-written voice is ever seen.
Directories are created 0700 and files 0600, whatever the umask.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .receive import ReceivedFile

DIR_MODE = 0o700
FILE_MODE = 0o600
"""The data directory holds voices and impersonation reasons: only its owner may read it."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS voices (
    voice_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    provider TEXT NOT NULL,
    workspace_id INTEGER NOT NULL,
    requested_workspace_id INTEGER NOT NULL,
    workspace_source TEXT NOT NULL,
    actor_type TEXT,
    provider_id INTEGER,
    impersonation_reason TEXT,
    preview_token TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS samples (
    voice_id TEXT NOT NULL REFERENCES voices(voice_id),
    idx INTEGER NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    format TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    relpath TEXT NOT NULL,
    PRIMARY KEY (voice_id, idx)
);
"""


@dataclass(frozen=True)
class NewVoice:
    """What a clone request asks to store, after validation."""

    name: str
    provider: str
    workspace_id: int
    requested_workspace_id: int
    workspace_source: str
    actor_type: str | None
    provider_id: int | None
    impersonation_reason: str | None


@dataclass(frozen=True)
class Preview:
    """The file served for a preview token and its audio content type."""

    path: Path
    content_type: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Store:
    """The sandbox's persistent state in one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.voices_dir = data_dir / "voices"
        self.tmp_dir = data_dir / "tmp"
        for directory in (self.data_dir, self.voices_dir, self.tmp_dir):
            directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            directory.chmod(DIR_MODE)  # also when it existed (or mkdir's mode met a umask)
        db_path = data_dir / "sandbox.sqlite3"
        os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
        # SQLite gives its -wal / -shm files the database file's permissions
        for path in (db_path, *data_dir.glob("sandbox.sqlite3-*")):
            path.chmod(FILE_MODE)
        self._db = sqlite3.connect(db_path, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._recover()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def _recover(self) -> None:
        """Delete what a crash may have left: temporary uploads and uncommitted voices."""
        for leftover in self.tmp_dir.iterdir():
            shutil.rmtree(leftover, ignore_errors=True)
        known = {row[0] for row in self._db.execute("SELECT voice_id FROM voices")}
        for directory in self.voices_dir.iterdir():
            if directory.name not in known:
                shutil.rmtree(directory, ignore_errors=True)
                continue
            directory.chmod(DIR_MODE)  # data written by an older sandbox was world-readable
            for sample in directory.iterdir():
                sample.chmod(FILE_MODE)

    def new_temp_dir(self) -> Path:
        """A fresh directory for one request's uploads."""
        path = self.tmp_dir / secrets.token_hex(16)
        path.mkdir(mode=DIR_MODE)
        path.chmod(DIR_MODE)
        return path

    def discard(self, temp_dir: Path) -> None:
        """Remove a request's temporary directory."""
        shutil.rmtree(temp_dir, ignore_errors=True)

    def commit_voice(
        self, voice: NewVoice, temp_dir: Path, files: Sequence[ReceivedFile]
    ) -> dict[str, Any]:
        """Move the samples into place and record the voice in one transaction; return the row."""
        voice_id = "voice_" + secrets.token_hex(12)
        final_dir = self.voices_dir / voice_id
        now = _now()
        os.rename(temp_dir, final_dir)
        try:
            _fsync_dir(self.voices_dir)
            with self._transaction():
                self._db.execute(
                    "INSERT INTO voices VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        voice_id,
                        voice.name,
                        voice.provider,
                        voice.workspace_id,
                        voice.requested_workspace_id,
                        voice.workspace_source,
                        voice.actor_type,
                        voice.provider_id,
                        voice.impersonation_reason,
                        secrets.token_urlsafe(32),
                        now,
                        now,
                    ),
                )
                self._db.executemany(
                    "INSERT INTO samples VALUES (?,?,?,?,?,?,?,?)",
                    [
                        (
                            voice_id,
                            item.index,
                            item.filename,
                            item.audio.content_type if item.audio else "application/octet-stream",
                            item.audio.name if item.audio else "unknown",
                            item.size,
                            item.sha256,
                            f"voices/{voice_id}/{item.path.name}",
                        )
                        for item in files
                    ],
                )
        except BaseException:
            shutil.rmtree(final_dir, ignore_errors=True)
            raise
        record = self.get_voice(voice_id)
        assert record is not None
        return record

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def get_voice(self, voice_id: str) -> dict[str, Any] | None:
        """The stored record of a voice (metadata and samples), or None."""
        row = self._db.execute("SELECT * FROM voices WHERE voice_id = ?", (voice_id,)).fetchone()
        if row is None:
            return None
        record = dict(row)
        record["samples"] = [
            dict(sample) | {"path": str(self.data_dir / sample["relpath"])}
            for sample in self._db.execute(
                "SELECT * FROM samples WHERE voice_id = ? ORDER BY idx", (voice_id,)
            )
        ]
        return record

    def list_voice_ids(self, name: str | None = None) -> list[str]:
        """Every committed voice id (only those named `name`, when given), oldest first."""
        return [record["voice_id"] for record in self._voice_rows(name)]

    def list_voices(self, name: str | None = None) -> list[dict[str, Any]]:
        """Every committed record with its samples (as `get_voice`), oldest first."""
        records = self._voice_rows(name)
        by_id = {record["voice_id"]: record for record in records}
        for record in records:
            record["samples"] = []
        for sample in self._db.execute("SELECT * FROM samples ORDER BY voice_id, idx"):
            owner = by_id.get(sample["voice_id"])
            if owner is not None:
                owner["samples"].append(
                    dict(sample) | {"path": str(self.data_dir / sample["relpath"])}
                )
        return records

    def _voice_rows(self, name: str | None) -> list[dict[str, Any]]:
        query = "SELECT * FROM voices"
        params: tuple[str, ...] = ()
        if name is not None:
            query, params = query + " WHERE name = ?", (name,)
        rows = self._db.execute(query + " ORDER BY created_at, voice_id", params)
        return [dict(row) for row in rows]

    def preview(self, preview_token: str) -> Preview | None:
        """The first sample of the voice with this preview token."""
        row = self._db.execute(
            "SELECT s.relpath, s.content_type FROM voices v JOIN samples s "
            "ON s.voice_id = v.voice_id AND s.idx = 0 WHERE v.preview_token = ?",
            (preview_token,),
        ).fetchone()
        if row is None:
            return None
        return Preview(path=self.data_dir / row[0], content_type=row[1])


class _Transaction:
    """`BEGIN IMMEDIATE` ... `COMMIT`, or `ROLLBACK` on any exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
