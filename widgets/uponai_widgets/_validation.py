"""Everything checked before a byte is sent, each problem naming the sample or field."""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ._clone_request import CLONE
from ._errors import Problem, ValidationError
from ._field_rules import ACTOR_TYPES, ADMIN_ACTOR_TYPES, SECRET_FIELDS, check_fields
from ._samples import SampleReader, Span, expand_samples, open_sample, sniff_audio
from ._secret import wrap_secrets
from ._sniff import sniff_unaccepted_audio

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._generated import CloneVoiceFields

__all__ = [
    "ACTOR_TYPES",
    "ADMIN_ACTOR_TYPES",
    "MIN_AUDIO_BYTES",
    "Limits",
    "check_request",
    "validate_clone",
]

MiB = 1024 * 1024

MIN_AUDIO_BYTES: dict[str, int] = {
    "wav": 45,
    "mp3": 32,
    "flac": 32,
    "ogg": 32,
    "m4a": 32,
    "webm": 32,
}
"""The smallest file that can hold one audio sample: a WAV's 44-byte header plus one byte;
for the other containers the smallest MPEG audio frame (the API's own rule)."""

_MIME = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}")


@dataclass(frozen=True, slots=True)
class Limits:
    """Client-side limits checked before sending: the API's documented defaults, for what the
    spec does not limit itself (a `maxItems` on the samples or a `maxLength` on the name in the
    spec wins over these).

    Text lengths count characters after surrounding whitespace is stripped.
    """

    max_files: int = 25
    max_file_bytes: int = 100 * MiB
    max_total_bytes: int = 500 * MiB
    max_name_chars: int = 200
    max_provider_chars: int = 64
    max_reason_chars: int = 1000

    def max_chars(self) -> dict[str, int]:
        """The documented text limits, by field keyword."""
        return {
            "name": self.max_name_chars,
            "provider": self.max_provider_chars,
            "impersonation_reason": self.max_reason_chars,
        }

    def most_files(self) -> int:
        """How many samples one request may hold: the spec's `maxItems`, else `max_files`."""
        most = CLONE.samples.limit("maxItems")
        return int(most) if most is not None else self.max_files


def _mib(size: int) -> str:
    return f"{size / MiB:.1f} MiB"


def _check_samples(samples: object, limits: Limits) -> tuple[list[SampleReader], list[Problem]]:
    if samples is None or isinstance(samples, (str, bytes, bytearray, memoryview, os.PathLike)):
        hint = "pass a list of samples, e.g. samples=['voice.wav']"
        if samples is None:
            return [], [Problem(None, "samples", f"no samples: {hint}")]
        return [], [Problem(None, "samples", f"samples must be a list, not one sample: {hint}")]
    if isinstance(samples, Mapping):
        hint = "one FileUpload entry? pass samples=[entry] or samples=upload.value"
        return [], [Problem(None, "samples", f"samples must be a list, not a mapping ({hint})")]
    if not isinstance(samples, Iterable) or hasattr(samples, "read"):
        return [], [Problem(None, "samples", "samples must be a list (or tuple) of samples")]
    items = expand_samples(samples)
    if not items:
        return [], [Problem(None, "samples", "no samples: pass at least one audio file")]
    problems: list[Problem] = []
    most, least = limits.most_files(), CLONE.samples.limit("minItems")
    if len(items) > most:
        problems.append(Problem(None, "samples", f"{len(items)} samples, at most {most} allowed"))
    if least is not None and len(items) < least:
        problems.append(
            Problem(None, "samples", f"{len(items)} samples, at least {int(least)} needed")
        )
    readers: list[SampleReader] = []
    for index, item in enumerate(items):
        opened = open_sample(item, index)
        if isinstance(opened, Problem):
            problems.append(opened)
            continue
        readers.append(opened)
        problems.extend(_check_one(opened, limits))
    total = sum(reader.size or 0 for reader in readers)
    _limit_streams(readers, limits, total)
    if total > limits.max_total_bytes:
        problems.append(
            Problem(
                None,
                "samples",
                f"{_mib(total)} in total, over the {_mib(limits.max_total_bytes)} limit",
            )
        )
    problems.extend(_duplicates(readers))
    return readers, problems


def _limit_streams(readers: list[SampleReader], limits: Limits, sized_total: int) -> None:
    """Give each stream of unknown size the most it may send: the per-file limit, and what
    the total limit leaves after the sized samples (shared: each stream gets the remainder)."""
    left = max(0, limits.max_total_bytes - sized_total)
    for reader in readers:
        if reader.size is None:
            if limits.max_file_bytes <= left:
                reader.stream_limit = limits.max_file_bytes
                reader.limit_text = f"the {_mib(limits.max_file_bytes)} per-file limit"
            else:
                reader.stream_limit = left
                reader.limit_text = f"the {_mib(limits.max_total_bytes)} total limit"


def _naming_problem(reader: SampleReader) -> str | None:
    """Why the file name or MIME type cannot go into the part headers, or None."""
    if reader.mime is not None and not _MIME.fullmatch(reader.mime):
        return "the MIME type must be a plain type/subtype such as audio/wav"
    if reader.filename is not None:
        if any(unicodedata.category(char) == "Cc" for char in reader.filename):
            return "the file name must not contain control characters"
        try:
            reader.filename.encode("utf-8")
        except UnicodeEncodeError:
            return "the file name is not valid Unicode text"
    return None


def _check_one(reader: SampleReader, limits: Limits) -> list[Problem]:
    naming = _naming_problem(reader)
    if naming is not None:
        return [Problem(reader.label, "samples", naming)]
    if reader.size == 0:
        return [Problem(reader.label, "samples", "the file is empty (0 bytes)")]
    if reader.size is not None and reader.size > limits.max_file_bytes:
        message = f"{_mib(reader.size)}, over the {_mib(limits.max_file_bytes)} per-file limit"
        return [Problem(reader.label, "samples", message)]
    try:
        head = reader.head()
    except OSError as exc:
        return [Problem(reader.label, "samples", f"cannot read it: {exc.strerror or exc}")]
    if not head:
        return [Problem(reader.label, "samples", "the file is empty (0 bytes)")]
    found = sniff_audio(head)
    other = sniff_unaccepted_audio(head) if found is None else None
    if other is not None:
        message = (
            f"{other} audio, which the API does not take (it takes WAV, MP3, FLAC, OGG, M4A or "
            "WebM): prepare it first (prepare_sample, or --prepare on the command line), which "
            "converts it to FLAC"
        )
        return [Problem(reader.label, "samples", message)]
    if found is None:
        # Describe the content without echoing it: a wrong file could be a key file.
        looks = "text" if all(32 <= b < 127 or b in b"\t\r\n" for b in head) else "other data"
        return [
            Problem(
                reader.label,
                "samples",
                f"not audio: expected WAV, MP3, FLAC, OGG, M4A or WebM content, found {looks}",
            )
        ]
    extension, content_type = found
    known_size = reader.size
    if known_size is None and getattr(reader, "ended_early", False):
        known_size = len(reader.peek(0, 1 << 20))
    minimum = MIN_AUDIO_BYTES[extension]
    if known_size is not None and known_size < minimum:
        return [
            Problem(
                reader.label,
                "samples",
                f"too small to hold any audio: {known_size} bytes, a {extension.upper()} file "
                f"needs at least {minimum}",
            )
        ]
    if reader.filename is None:
        reader.filename = f"{reader.label.replace(' ', '-')}.{extension}"
    if reader.mime is None:
        # The content decides (a ".wav" name would give "audio/x-wav" or nothing at all).
        reader.mime = content_type
    return []


def _duplicates(readers: list[SampleReader]) -> list[Problem]:
    """Samples with identical content, told apart as cheaply as possible: only samples of equal
    size are hashed, first their first 64 KiB, then their last, and all of them only when both
    match (a sample still arriving is then waited for)."""
    by_size: dict[int, list[SampleReader]] = defaultdict(list)
    for reader in readers:
        if reader.size:
            by_size[reader.size].append(reader)
    groups = [group for group in by_size.values() if len(group) > 1]
    for span in ("head", "tail"):
        groups = [same for group in groups for same in _same_digest(group, span)]
    problems: list[Problem] = []
    for group in groups:
        seen: dict[str, SampleReader] = {}
        for reader in group:
            try:
                digest = reader.digest("all")
            except OSError:  # unreadable samples are reported elsewhere
                continue
            if digest in seen:
                first = seen[digest].label
                same = (
                    "chosen twice: the same content is already in the set"
                    if first == reader.label
                    else f"same content as sample {first!r}"
                )
                problems.append(Problem(reader.label, "samples", same))
            else:
                seen[digest] = reader
    return problems


def _same_digest(group: list[SampleReader], span: Span) -> list[list[SampleReader]]:
    """`group` split by the digest of `span`: the groups of two or more."""
    by_digest: dict[str, list[SampleReader]] = defaultdict(list)
    for reader in group:
        with contextlib.suppress(OSError):  # unreadable samples are reported elsewhere
            by_digest[reader.digest(span)].append(reader)
    return [same for same in by_digest.values() if len(same) > 1]


def check_request(
    fields: dict[str, Any], samples: object, limits: Limits | None = None
) -> tuple[dict[str, Any], list[SampleReader]]:
    """Validate everything; the checked field values by keyword and the readers to send.

    Raises `ValidationError` listing every problem (nothing is left open then).
    """
    limits = limits or Limits()
    values, problems = check_fields(fields, limits.max_chars())
    readers: list[SampleReader] = []
    try:
        readers, sample_problems = _check_samples(samples, limits)
        problems.extend(sample_problems)
    finally:
        if problems:
            for reader in readers:
                reader.close()
    if problems:
        raise ValidationError(problems)
    return values, readers


def validate_clone(
    *,
    samples: object,
    limits: Limits | None = None,
    **fields: Unpack[CloneVoiceFields],
) -> None:
    """Check a clone request without sending anything (the same keywords as `clone_voice`).

    Raises `ValidationError` listing every problem (`.problems`, each a `Problem` naming the
    sample or field). Cheap: it reads the first bytes of each sample, and hashes content only to
    compare samples of equal size.
    """
    wrap_secrets(cast(dict[str, Any], fields), SECRET_FIELDS)
    _values, readers = check_request(cast(dict[str, Any], fields), samples, limits)
    for reader in readers:
        reader.close()


validate_clone.__signature__ = CLONE.signature(validate_clone, after=0)  # type: ignore[attr-defined]
