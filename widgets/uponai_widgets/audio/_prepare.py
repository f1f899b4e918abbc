"""Clone-ready samples from raw recordings: trim, loudness, downmix, resample, split.

`prepare_sample` reads any sample `clone_voice` accepts twice, streaming, and never changes it:

1. one pass measures what `inspect_sample` reports (the `before` report and the speech
   timeline) and, on the audio as it will be written (downmixed, resampled), the BS.1770-4
   loudness per 100 ms step, the peaks and a 10 ms energy track;
2. the trim and the cuts are chosen from those (see `_split`), and each part's gain: the one
   that brings its integrated loudness to `target_lufs`, lowered when that would push its peak
   more than `MAX_LIMIT_DB` over `peak_dbfs`;
3. a second pass writes each part as a 16-bit PCM WAV file, the peaks over `peak_dbfs` turned
   down by a look-ahead limiter (`_limiter`), its loudness measured as written; each file is
   then inspected (`after`).

Memory stays bounded: blocks of 128k frames, one byte per 30 ms of speech timeline and a few
bytes per 10 ms. `out_dir=None` writes into a private temporary folder that is removed when the
process exits.
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from .._errors import Problem
from .._samples import SampleReader, open_sample
from ._decode import decode, import_numpy
from ._inspect import SampleReport, _caller_stream, measure
from ._loudness import STEP_S, LoudnessMeter
from ._options import Options, PreparationError, check_options
from ._split import QuietTrack, plan_segments
from ._vad import SpeechTimeline
from ._wav_out import Conditioner, WavWriter

__all__ = [
    "PreparationCancelled",
    "PreparationError",
    "PreparedSample",
    "prepare_sample",
    "prepare_samples",
]

MIN_OUTPUT_S = 1.0
MIN_SPEECH_S = 0.2  # less is no word (a short word such as "hi" holds about 0.4 s)
MAX_LIMIT_DB = 6.0  # the limiter may turn the highest peaks down by this much, no more


class CancelToken(Protocol):
    """Anything with `is_set()`, such as a `threading.Event`."""

    def is_set(self) -> bool: ...


Progress = Callable[[float], None]


class PreparationCancelled(Exception):
    """`cancel` was set while preparing; no file of this sample was left behind."""


@dataclass(frozen=True, slots=True)
class PreparedSample:
    """The prepared files of one sample, with reports before and after and what changed.

    Pass it to `clone_voice` or in a batch job's ``samples`` like any sample: it stands for
    its files (`paths`), which the core finds through `sample_files()`.
    """

    path: Path
    paths: tuple[Path, ...]
    before: SampleReport
    after: tuple[SampleReport, ...]
    changes: tuple[str, ...]

    def sample_files(self) -> tuple[Path, ...]:
        """The files this sample stands for when it is sent (every part, in order)."""
        return self.paths


_session_lock = threading.Lock()
_session_dir: Path | None = None


def _private_dir() -> Path:
    """A fresh folder inside this process's private temporary folder (removed at exit)."""
    global _session_dir
    with _session_lock:
        if _session_dir is None or not _session_dir.is_dir():
            _session_dir = Path(tempfile.mkdtemp(prefix="uponai-prepared-"))
            atexit.register(shutil.rmtree, _session_dir, ignore_errors=True)
        return Path(tempfile.mkdtemp(dir=_session_dir))


def _stem(reader: SampleReader) -> str:
    name = Path(reader.filename or reader.label).stem or "sample"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "sample"


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


@dataclass(frozen=True, slots=True)
class _Part:
    start_s: float
    end_s: float
    gain_db: float
    loudness: float  # LUFS before the gain
    limited: bool  # the peak ceiling stopped the gain short of the target


class _Measure:
    """The first pass's extra figures, on the audio as it will be written."""

    def __init__(self, np: Any, rate: int, channels: int, opts: Options) -> None:
        out_rate = opts.sample_rate or rate
        self.conditioner = Conditioner(np, rate, channels, mono=opts.mono, out_rate=out_rate)
        self.meter = LoudnessMeter(np, out_rate, self.conditioner.channels)
        self.quiet = QuietTrack(np, out_rate)

    def feed(self, block: Any) -> None:
        self._add(self.conditioner.process(block))

    def _add(self, out: Any) -> None:
        if len(out):
            self.meter.feed(out)
            self.quiet.feed(out)

    def finish(self) -> None:
        self._add(self.conditioner.finish())


def _gain(meter: LoudnessMeter, start_s: float, end_s: float, opts: Options) -> _Part:
    first, last = int(start_s / STEP_S), math.ceil(end_s / STEP_S)
    loudness = meter.integrated(first, last)
    peak = meter.peak(first, last if last < meter.steps else None)
    if opts.target_lufs is None:
        return _Part(start_s, end_s, 0.0, loudness, False)
    wanted = opts.target_lufs - loudness
    room = opts.peak_dbfs - 20 * math.log10(peak) + MAX_LIMIT_DB if peak > 0 else wanted
    return _Part(start_s, end_s, min(wanted, room), loudness, room < wanted)


@dataclass(frozen=True, slots=True)
class _Written:
    path: Path
    loudness: float  # LUFS as written
    limited_db: float  # the limiter's deepest reduction
    report: SampleReport  # `inspect_sample` of the file, measured while writing it


def _describe(
    before: SampleReport, parts: list[_Part], written: list[_Written], opts: Options, forced: int
) -> list[str]:
    changes: list[str] = []
    duration = before.duration_s or 0.0
    head, tail = parts[0].start_s, duration - parts[-1].end_s
    if head >= 0.05:
        changes.append(f"trimmed {_seconds(head)} of silence at the start")
    if tail >= 0.05:
        changes.append(f"trimmed {_seconds(tail)} of silence at the end")
    if opts.target_lufs is not None:
        for index, (part, out) in enumerate(zip(parts, written, strict=True)):
            where = f"part {index + 1}: " if len(parts) > 1 else ""
            change = out.loudness - part.loudness
            verb = "raised" if change >= 0 else "lowered"
            line = f"{where}{verb} loudness by {abs(change):.1f} dB to {out.loudness:.1f} LUFS"
            if part.limited:
                line += (
                    f", short of {opts.target_lufs:.1f} LUFS: more would need over "
                    f"{MAX_LIMIT_DB:.0f} dB of peak limiting"
                )
            if out.limited_db >= 0.05:
                line += (
                    f"; peaks limited by up to {out.limited_db:.1f} dB to stay under "
                    f"{opts.peak_dbfs:.1f} dBFS"
                )
            changes.append(line)
    elif any(out.limited_db >= 0.05 for out in written):
        worst = max(out.limited_db for out in written)
        changes.append(
            f"peaks limited by up to {worst:.1f} dB to stay under {opts.peak_dbfs:.1f} dBFS"
        )
    if opts.mono and (before.channels or 1) > 1:
        changes.append(f"mixed {before.channels} channels down to mono")
    if opts.sample_rate and opts.sample_rate != before.sample_rate:
        changes.append(f"resampled from {before.sample_rate} Hz to {opts.sample_rate} Hz")
    if len(parts) > 1:
        lengths = [part.end_s - part.start_s for part in parts]
        line = f"split at pauses into {len(parts)} parts of {min(lengths):.1f}-{max(lengths):.1f} s"
        if forced:
            line += f" ({forced} cut(s) at the quietest 10 ms: no pause within the limit)"
        changes.append(line)
    changes.append("written as 16-bit PCM WAV")
    return changes


def _problem(label: str, message: str) -> PreparationError:
    return PreparationError([Problem(label, "samples", message)])


def _open(sample: object, index: int) -> tuple[SampleReader, Any, int | None]:
    """The reader, the caller's stream (to restore its position) and that position."""
    stream = _caller_stream(sample)
    position: int | None = None
    if stream is not None and not getattr(stream, "closed", False):
        try:
            position = int(stream.tell()) if stream.seekable() else None
        except (AttributeError, OSError, ValueError):
            position = None
        if position is None:
            label = getattr(stream, "name", None)
            name = os.path.basename(label) if isinstance(label, str) else f"sample {index + 1}"
            raise _problem(name, "cannot prepare a stream that cannot seek (it is read twice)")
    reader = open_sample(sample, index)
    if isinstance(reader, Problem):
        raise PreparationError([reader])
    return reader, stream, position


class _Run:
    """One preparation: progress, cancellation and the files written so far."""

    def __init__(self, progress: Progress | None, cancel: CancelToken | None) -> None:
        self._progress = progress
        self._cancel = cancel
        self.writers: list[WavWriter] = []

    def step(self, reader: SampleReader, start: float, share: float) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise PreparationCancelled("preparation cancelled")
        if self._progress is not None and reader.size:
            self._progress(min(1.0, start + share * reader.tell() / reader.size))

    def report(self, fraction: float) -> None:
        if self._progress is not None:
            self._progress(fraction)


def _names(stem: str, count: int, used: set[str]) -> list[str]:
    """Output file names for `count` parts, none of them in `used` (other samples' names)."""
    for attempt in range(1, 1000):
        base = stem if attempt == 1 else f"{stem}-{attempt}"
        names = (
            [f"{base}.prepared.wav"]
            if count == 1
            else [f"{base}.prepared-{index + 1:02d}.wav" for index in range(count)]
        )
        if not used.intersection(names):
            return names
    raise RuntimeError("no free output name")  # pragma: no cover - 999 samples of one name


def _write(
    reader: SampleReader,
    fmt: str,
    timeline: SpeechTimeline,
    parts: list[_Part],
    opts: Options,
    folder: Path,
    names: list[str],
    run: _Run,
) -> list[_Written]:
    np = import_numpy()
    reader.seek(0)
    rate, channels, blocks = decode(cast(Any, reader), fmt)  # a SampleReader is a binary file
    out_rate = opts.sample_rate or rate
    conditioner = Conditioner(np, rate, channels, mono=opts.mono, out_rate=out_rate)
    bounds = [(round(p.start_s * out_rate), round(p.end_s * out_rate)) for p in parts]
    ceiling = 10 ** (opts.peak_dbfs / 20)
    position, current = 0, 0
    writer: WavWriter | None = None

    def route(out: Any) -> None:
        nonlocal position, current, writer
        offset = 0
        while offset < len(out) and current < len(parts):
            begin, end = bounds[current]
            at = position + offset
            if at < begin:
                offset = min(len(out), offset + begin - at)
                continue
            if writer is None:
                gain = 10 ** (parts[current].gain_db / 20)
                path = folder / names[current]
                part = parts[current]
                speech = timeline.part(part.start_s, part.end_s)
                writer = WavWriter(np, path, out_rate, conditioner.channels, gain, ceiling, speech)
                run.writers.append(writer)
            take = min(len(out) - offset, end - at)
            writer.write(out[offset : offset + take])
            offset += take
            if position + offset >= end:
                writer.commit()
                writer, current = None, current + 1
        position += len(out)

    with contextlib.closing(blocks):
        for block in blocks:
            run.step(reader, 0.5, 0.35)
            route(conditioner.process(block))
        route(conditioner.finish())
    if writer is not None:  # the decoder gave slightly fewer frames than measured
        writer.commit()
    return [
        _Written(
            w.path, w.meter.integrated(), w.limited_db, w.analysis.report(w.path.name, "wav")[0]
        )
        for w in run.writers
    ]


def _prepare(
    sample: object,
    index: int,
    opts: Options,
    progress: Progress | None,
    cancel: Any,
    used: set[str] | None = None,
) -> PreparedSample:
    reader, stream, position = _open(sample, index)
    run = _Run(progress, cancel)
    try:
        holder: list[_Measure] = []

        def tap(rate: int, channels: int) -> Callable[[Any], None]:
            holder.append(_Measure(import_numpy(), rate, channels, opts))

            def feed(block: Any) -> None:
                run.step(reader, 0.0, 0.5)
                holder[0].feed(block)

            return feed

        before, timeline = measure(reader, tap)
        if timeline is None or before.duration_s is None or not holder:
            raise _problem(before.name, before.reasons[0] if before.reasons else "cannot decode")
        extra = holder[0]
        extra.finish()
        if timeline.speech_s < MIN_SPEECH_S:  # a click or a tone's onset is not a word
            raise _problem(
                before.name,
                f"no speech found ({timeline.speech_s:.2f} s of speech in "
                f"{before.duration_s:.1f} s): nothing to prepare",
            )
        spans, forced = plan_segments(
            timeline,
            before.duration_s,
            extra.quiet,
            trim=opts.trim_silence,
            max_segment_s=opts.max_segment_s,
        )
        kept = sum(end - start for start, end in spans)
        if kept < MIN_OUTPUT_S:
            raise _problem(
                before.name,
                f"would be cut to under a second ({kept:.2f} s of {before.duration_s:.1f} s "
                "around its speech): record a longer take",
            )
        parts = [_gain(extra.meter, start, end, opts) for start, end in spans]
        folder = opts.out_dir if opts.out_dir is not None else _private_dir()
        folder.mkdir(parents=True, exist_ok=True)
        names = _names(_stem(reader), len(parts), used or set())
        written = _write(reader, before.format or "", timeline, parts, opts, folder, names, run)
        paths = [out.path for out in written]
        after = tuple(out.report for out in written)
        run.report(1.0)
        return PreparedSample(
            path=paths[0],
            paths=tuple(paths),
            before=before,
            after=after,
            changes=tuple(_describe(before, parts, written, opts, forced)),
        )
    except BaseException:
        for writer in run.writers:
            writer.discard()
            with contextlib.suppress(FileNotFoundError):
                writer.path.unlink()
        raise
    finally:
        reader.close()
        if position is not None:
            stream.seek(position)


def prepare_sample(
    sample: object,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    trim_silence: bool = True,
    target_lufs: float | None = -20.0,
    peak_dbfs: float = -1.0,
    mono: bool = True,
    sample_rate: int | None = None,
    max_segment_s: float | None = None,
    on_progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> PreparedSample:
    """Write a clone-ready copy of `sample` (any kind `clone_voice` accepts); it is never changed.

    Trims leading and trailing non-speech (keeping 0.25 s), brings the integrated loudness
    (ITU-R BS.1770-4) to `target_lufs` (None: keep the level) with peaks under `peak_dbfs`,
    downmixes to mono (`mono=False` keeps the channels), resamples to `sample_rate` if given
    (soxr), and with `max_segment_s` splits at pauses into parts no longer than that. Files are
    16-bit PCM WAV in `out_dir` (created if needed; None: a private temporary folder removed at
    exit). `on_progress(fraction)` is called as the work advances (0.0 to 1.0) and `cancel`
    (e.g. a `threading.Event`) stops it with `PreparationCancelled`, leaving no file behind.

    Raises:
        PreparationError (a `ValidationError`): unsupported options, undecodable audio, no
            speech found, or a result under a second.
    """
    opts = check_options(
        out_dir=out_dir,
        trim_silence=trim_silence,
        target_lufs=target_lufs,
        peak_dbfs=peak_dbfs,
        mono=mono,
        sample_rate=sample_rate,
        max_segment_s=max_segment_s,
    )
    return _prepare(sample, 0, opts, on_progress, cancel)


def prepare_samples(
    samples: Iterable[object],
    *,
    out_dir: str | os.PathLike[str] | None = None,
    trim_silence: bool = True,
    target_lufs: float | None = -20.0,
    peak_dbfs: float = -1.0,
    mono: bool = True,
    sample_rate: int | None = None,
    max_segment_s: float | None = None,
    on_progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> list[PreparedSample]:
    """`prepare_sample` for each item; every sample's problem is listed in one error.

    When any sample cannot be prepared, the files of the others are removed too and a
    `PreparationError` lists every problem. `on_progress(fraction)` covers all samples.
    """
    opts = check_options(
        out_dir=out_dir,
        trim_silence=trim_silence,
        target_lufs=target_lufs,
        peak_dbfs=peak_dbfs,
        mono=mono,
        sample_rate=sample_rate,
        max_segment_s=max_segment_s,
    )
    if isinstance(samples, (str, bytes, os.PathLike, memoryview)):
        samples = [samples]
    items = list(samples)
    done: list[PreparedSample] = []
    problems: list[Problem] = []
    used: set[str] = set()
    for index, item in enumerate(items):

        def scaled(fraction: float, index: int = index) -> None:
            if on_progress is not None:
                on_progress((index + fraction) / len(items))

        try:
            prepared = _prepare(item, index, opts, scaled, cancel, used)
        except PreparationError as exc:
            problems.extend(exc.problems)
            continue
        except BaseException:
            _remove(done)
            raise
        used.update(path.name for path in prepared.paths)
        done.append(prepared)
    if problems:
        _remove(done)
        raise PreparationError(problems)
    return done


def _remove(prepared: list[PreparedSample]) -> None:
    for item in prepared:
        for path in item.paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
