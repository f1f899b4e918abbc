"""Everything checked before a byte is sent, each problem naming the sample or field."""

from __future__ import annotations

import contextlib
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ._errors import Problem, ValidationError
from ._samples import SampleReader, expand_samples, open_sample, sniff_audio

__all__ = ["ACTOR_TYPES", "ADMIN_ACTOR_TYPES", "Limits", "inspect_request", "validate_clone"]

MiB = 1024 * 1024
ACTOR_TYPES = ("platform_admin", "provider_admin", "tenant_admin", "end_user")
ADMIN_ACTOR_TYPES = ("platform_admin", "provider_admin")


@dataclass(frozen=True, slots=True)
class Limits:
    """Client-side limits checked before sending (the API's defaults)."""

    max_files: int = 25
    max_file_bytes: int = 100 * MiB
    max_total_bytes: int = 500 * MiB


def _mib(size: int) -> str:
    return f"{size / MiB:.1f} MiB"


def _positive_int(value: object) -> int | None:
    """The value as a positive integer (ints, or strings of digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        number = int(value.strip())
        return number if number > 0 else None
    return None


def _check_fields(
    name: object,
    provider: object,
    workspace_id: object,
    actor_type: object,
    impersonation_reason: object,
    ids: Mapping[str, object],
) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(None, "name", "the voice name must not be empty or blank"))
    if not isinstance(provider, str) or not provider.strip():
        problems.append(Problem(None, "provider", "the voice provider must not be empty or blank"))
    if _positive_int(workspace_id) is None:
        problems.append(
            Problem(None, "workspace_id", f"must be a positive integer, got {workspace_id!r}")
        )
    for field, value in ids.items():
        if value is not None and _positive_int(value) is None:
            problems.append(Problem(None, field, f"must be a positive integer, got {value!r}"))
    actor = str(actor_type) if actor_type is not None else None
    if actor is not None and actor not in ACTOR_TYPES:
        problems.append(Problem(None, "actor_type", f"must be one of {', '.join(ACTOR_TYPES)}"))
    # Never echo the reason itself: it is treated as a secret.
    if impersonation_reason is not None:
        if not isinstance(impersonation_reason, str) or not impersonation_reason.strip():
            problems.append(Problem(None, "impersonation_reason", "must not be empty or blank"))
        elif not _header_safe(impersonation_reason):
            problems.append(
                Problem(
                    None,
                    "impersonation_reason",
                    "must be one line of printable Latin-1 text (it is sent as an HTTP header)",
                )
            )
    elif actor in ADMIN_ACTOR_TYPES:
        problems.append(
            Problem(
                None,
                "impersonation_reason",
                f"required when actor_type is {actor}: a clone is a privileged "
                "tenant-scoped request",
            )
        )
    return problems


def _header_safe(text: str) -> bool:
    return all(" " <= char <= "~" or "\xa0" <= char <= "\xff" for char in text)


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
    if len(items) > limits.max_files:
        problems.append(
            Problem(None, "samples", f"{len(items)} samples, at most {limits.max_files} allowed")
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


def _check_one(reader: SampleReader, limits: Limits) -> list[Problem]:
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
    if reader.filename is None:
        reader.filename = f"{reader.label.replace(' ', '-')}.{extension}"
    if reader.mime is None:
        # The content decides (a ".wav" name would give "audio/x-wav" or nothing at all).
        reader.mime = content_type
    return []


def _duplicates(readers: list[SampleReader]) -> list[Problem]:
    """Samples with identical content; only samples of equal size are ever hashed."""
    by_size: dict[int, list[SampleReader]] = defaultdict(list)
    for reader in readers:
        if reader.size:
            by_size[reader.size].append(reader)
    problems: list[Problem] = []
    for group in by_size.values():
        if len(group) < 2:
            continue
        by_quick: dict[str, list[SampleReader]] = defaultdict(list)
        for reader in group:
            with contextlib.suppress(OSError):  # unreadable samples are reported elsewhere
                by_quick[reader.digest(quick=True)].append(reader)
        for candidates in by_quick.values():
            if len(candidates) < 2:
                continue
            seen: dict[str, SampleReader] = {}
            for reader in candidates:
                try:
                    digest = reader.digest(quick=False)
                except OSError:
                    continue
                if digest in seen:
                    first = seen[digest].label
                    problems.append(
                        Problem(reader.label, "samples", f"same content as sample {first!r}")
                    )
                else:
                    seen[digest] = reader
    return problems


def inspect_request(
    *,
    name: object,
    provider: object,
    workspace_id: object,
    samples: object,
    actor_type: object = None,
    impersonation_reason: object = None,
    provider_id: object = None,
    tenant_id: object = None,
    limits: Limits | None = None,
) -> list[SampleReader]:
    """Validate everything and return the readers to send; raises `ValidationError`."""
    limits = limits or Limits()
    problems = _check_fields(
        name,
        provider,
        workspace_id,
        actor_type,
        impersonation_reason,
        {"provider_id": provider_id, "tenant_id": tenant_id},
    )
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
    return readers


def validate_clone(
    *,
    name: object,
    provider: object,
    workspace_id: object,
    samples: object,
    actor_type: object = None,
    impersonation_reason: object = None,
    limits: Limits | None = None,
    provider_id: object = None,
    tenant_id: object = None,
) -> None:
    """Check a clone request without sending anything.

    Raises `ValidationError` listing every problem (`.problems`, each a `Problem` naming the
    sample or field). Cheap: it reads the first bytes of each sample, and hashes content only to
    compare samples of equal size.
    """
    readers = inspect_request(
        name=name,
        provider=provider,
        workspace_id=workspace_id,
        samples=samples,
        actor_type=actor_type,
        impersonation_reason=impersonation_reason,
        provider_id=provider_id,
        tenant_id=tenant_id,
        limits=limits,
    )
    for reader in readers:
        reader.close()
