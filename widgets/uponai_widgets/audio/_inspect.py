"""Check voice samples before cloning: duration, level, clipping and silence, streamed.

`inspect_sample` accepts every kind of sample `clone_voice` accepts (a path, a binary file object,
bytes, a memoryview, a `(filename, data, mime)` tuple, an ipywidgets FileUpload value entry) in
every format it accepts: WAV, FLAC and OGG are decoded with libsndfile, and so are AIFF,
AIFF-C, RF64, Wave64, CAF and Sun AU, which the API does not take (the report says so and that
preparing converts them); MP3, M4A and WebM (what browsers record) with PyAV's FFmpeg (libsndfile
1.2.2 misdecodes MP3 read in blocks). The audio is decoded block by block and every figure is
computed incrementally, so a long file is analysed in bounded memory. A caller's file object is left at
the position it had; a stream that cannot seek is not read at all (reading it would leave nothing
to upload). Undecodable audio gives verdict ``"bad"`` with the reason, never an exception.

`speech_s` is the number of seconds a voice-activity detector (webrtcvad behind a steadiness
gate, see `_vad`) judged to be speech, measured in the same pass; a tone, noise or a hum is not
speech. "Enough audio" means enough speech.

The verdicts follow the guidance in `_verdict`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import IO, TYPE_CHECKING, cast

from .._errors import Problem
from .._samples import SampleReader, open_sample, sniff_audio, unwrap_sample
from .._sniff import sniff_unaccepted_audio
from ._decode import DecodeError, decode, import_numpy
from ._timeline import SpeechTimeline
from ._verdict import OverallVerdict, SampleReport, failed_report, overall_verdict, worst

if TYPE_CHECKING:  # numpy is imported on first use (`import_numpy`), not with this module
    import numpy as np
    import numpy.typing as npt

__all__ = ["OverallVerdict", "SampleReport", "inspect_sample", "inspect_samples", "overall_verdict"]

_FORMATS = "WAV, MP3, FLAC, OGG, M4A or WebM"
# Containers the decoders read that the API does not take: the report's `format` for each.
_UNACCEPTED = {
    "AIFF": "aiff",
    "AIFF-C": "aifc",
    "RF64": "rf64",
    "Wave64": "w64",
    "CAF": "caf",
    "Sun AU": "au",
}


def _caller_stream(item: object) -> IO[bytes] | None:
    """The caller's file object inside `item`, if any (the cloning layer's sample shapes)."""
    unwrapped = unwrap_sample(item)
    data = None if isinstance(unwrapped, str) else unwrapped.data
    return cast("IO[bytes]", data) if hasattr(data, "read") else None


def caller_stream_position(
    sample: object, index: int
) -> tuple[IO[bytes] | None, int | None, str | None]:
    """The caller's open stream (None for paths and bytes), its position to restore, and the
    sample's name when that stream cannot seek (reading it would use it up), else None."""
    stream = _caller_stream(sample)
    if stream is None or getattr(stream, "closed", False):
        return stream, None, None
    try:
        position = int(stream.tell()) if stream.seekable() else None
    except (AttributeError, OSError, ValueError):
        position = None
    if position is not None:
        return stream, position, None
    label = getattr(stream, "name", None)
    return (
        stream,
        None,
        os.path.basename(label) if isinstance(label, str) else f"sample {index + 1}",
    )


def _inspect(
    sample: object, index: int, between_blocks: Callable[[], None] | None = None
) -> SampleReport:
    stream, position, unseekable = caller_stream_position(sample, index)
    if unseekable is not None:
        reason = "not inspected: the stream cannot seek, so reading it would use it up"
        return failed_report(unseekable, None, reason, "warn")
    reader = open_sample(sample, index)
    if isinstance(reader, Problem):
        return failed_report(reader.sample or f"sample {index + 1}", None, reader.message)
    tap: Tap | None = None
    if between_blocks is not None:
        after_block = between_blocks
        tap = lambda _rate, _channels, _layout: lambda _block: after_block()  # noqa: E731
    try:
        return measure(reader, tap)[0]
    finally:
        reader.close()
        if stream is not None and position is not None:
            stream.seek(position)


Tap = Callable[[int, int, str | None], Callable[["npt.NDArray[np.float32]"], None]]
"""`tap(sample_rate, channels, layout)` gives the function fed each decoded block."""


def measure(
    reader: SampleReader, tap: Tap | None = None
) -> tuple[SampleReport, SpeechTimeline | None]:
    """The report for an opened sample and its speech timeline (None when undecodable).

    `tap(sample_rate, channels, layout)`, when given, returns a function that is fed every decoded
    block too (the preparation's first pass measures loudness this way, in the same pass);
    what it raises propagates (a cancellation is not a decoding error).
    """
    name = reader.label
    head = reader.head()
    sniffed = sniff_audio(head)
    other = sniff_unaccepted_audio(head) if sniffed is None else None
    if reader.size == 0:
        return failed_report(name, None, "empty: 0 bytes"), None
    if sniffed is None and other is None:
        return failed_report(
            name, None, f"not audio: the first bytes match none of {_FORMATS}"
        ), None
    fmt = sniffed[0] if sniffed is not None else _UNACCEPTED[str(other)]
    import_numpy()  # the ImportError naming the extra, before anything is decoded
    in_tap = False
    try:
        rate, channels, layout, blocks = decode(cast(IO[bytes], reader), fmt)
        from ._analysis import Analysis  # numpy is there now

        with contextlib.closing(blocks):
            analysis = Analysis(rate, channels, layout=layout)
            extra = tap(rate, channels, layout) if tap is not None else None
            for block in blocks:
                analysis.feed(block)
                if extra is not None:
                    in_tap = True
                    extra(block)
                    in_tap = False
            report, timeline = analysis.report(name, fmt)
            if other is not None and report.duration_s is not None:
                report = _not_taken(report, other)
            return report, timeline
    except ImportError:
        raise
    except DecodeError as exc:
        return failed_report(name, fmt, f"cannot decode as {fmt.upper()}: {exc}"), None
    except Exception as exc:
        if in_tap:
            raise
        detail = str(exc).strip() or type(exc).__name__
        return failed_report(name, fmt, f"cannot decode as {fmt.upper()}: {detail}"), None


def _not_taken(report: SampleReport, container: str) -> SampleReport:
    """`report` with a warning that the API does not take `container` (prepare converts it)."""
    reason = (
        f"{container}: the API does not take this format; prepare it (prepare_sample or "
        "--prepare), which converts it to FLAC"
    )
    verdict = worst([report.verdict, "warn"])
    return replace(report, verdict=verdict, reasons=(*report.reasons, reason))


def inspect_sample(
    sample: object, *, between_blocks: Callable[[], None] | None = None
) -> SampleReport:
    """Decode one sample in blocks and judge it (see the module's guidance); never raises for
    bad audio, only ImportError when the ``audio`` extra (numpy, soundfile, av) is missing.

    `between_blocks()`, when given, is called after each decoded block: it may wait (the
    notebook widget pauses analyses while a clone uploads) or raise to stop (what it raises
    propagates)."""
    return _inspect(sample, 0, between_blocks)


def inspect_samples(samples: Iterable[object]) -> list[SampleReport]:
    """`inspect_sample` for each item of `samples` (unnamed items are called "sample N")."""
    if isinstance(samples, (str, bytes, os.PathLike, memoryview)):
        samples = [samples]
    return [_inspect(sample, index) for index, sample in enumerate(samples)]
