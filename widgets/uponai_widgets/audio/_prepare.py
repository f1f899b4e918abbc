"""Clone-ready samples from raw recordings: trim, loudness, downmix, resample, split.

`prepare_sample` reads any sample `clone_voice` accepts twice, streaming, and never changes it:

1. one pass measures what `inspect_sample` reports (the `before` report and the speech
   timeline) and, on the audio as it will be written (downmixed, resampled), the BS.1770-4
   loudness per 100 ms step, the peaks and a 10 ms energy track;
2. the trim and the cuts are chosen from those (see `_split`), and each part's gain: the one
   that brings its integrated loudness to `target_lufs`, lowered when that would push its peak
   more than 6 dB over `peak_dbfs`;
3. a second pass writes each part as a 16-bit FLAC file, the peaks over `peak_dbfs` turned
   down by a look-ahead limiter (`_limiter`); its loudness and its `after` report are measured
   on the values as written (`_writer`), so the files are not read again.

Every file fits the API's per-file limit (`Limits` of the core): a part whose uncompressed
16-bit size could exceed it is split at pauses, whatever `max_segment_s` says, so the limit
holds however well FLAC compresses. The set of files of one call must fit one request (number
of files, total size); when it does not, `PreparationError` says which files to keep and which
to drop.

The passes themselves are in `_passes`, the gains in `_gain`, the words for the changes in
`_changes`.

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
from typing import IO, TYPE_CHECKING

from .._errors import Problem
from .._samples import SampleReader, open_sample, unwrap_sample
from .._validation import Limits
from ._changes import describe
from ._gain import plan_gain
from ._inspect import SampleReport, caller_stream_position, measure
from ._options import Options, PreparationError, check_options
from ._passes import Measure, output_names, write_parts
from ._run import CancelToken, PreparationCancelled, Progress, Run
from ._split import plan_segments
from ._verdict import MIN_WORD_S, with_source_clipping
from ._writer import pcm_bytes_per_second

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Block = npt.NDArray[np.float32]

__all__ = [
    "PreparationCancelled",
    "PreparationError",
    "PreparedSample",
    "prepare_sample",
    "prepare_samples",
]

MIN_OUTPUT_S = 1.0
FLAC_OVERHEAD = 0.98  # FLAC stores at most the PCM bytes plus frame headers (well under 2 %)
FLAC_HEADER_BYTES = 64 * 1024  # STREAMINFO, padding and seek table, with room to spare
MiB = 1024 * 1024


def file_limit_s(limits: Limits, sample_rate: int, channels: int) -> float:
    """The longest part whose 16-bit output fits the per-file limit whatever FLAC achieves."""
    usable = (limits.max_file_bytes - FLAC_HEADER_BYTES) * FLAC_OVERHEAD
    return usable / pcm_bytes_per_second(sample_rate, channels)


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

    def remove(self) -> None:
        """Delete the prepared files now (and their folder, when it is the private one)."""
        for path in self.paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        folder = self.path.parent
        if _session_dir is not None and folder.parent == _session_dir:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty


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


def _input_path(sample: object) -> Path | None:
    """The file a sample is read from, resolved (None for buffers and streams)."""
    unwrapped = unwrap_sample(sample)
    data = None if isinstance(unwrapped, str) else unwrapped.data
    if isinstance(data, (str, os.PathLike)):
        with contextlib.suppress(OSError, ValueError):
            return Path(os.fspath(data)).resolve()
    return None


def _stem(reader: SampleReader) -> str:
    name = Path(reader.filename or reader.label).stem or "sample"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "sample"


def _problem(label: str, message: str) -> PreparationError:
    return PreparationError([Problem(label, "samples", message)])


def _open(sample: object, index: int) -> tuple[SampleReader, IO[bytes] | None, int | None]:
    """The reader, the caller's stream (to restore its position) and that position."""
    stream, position, unseekable = caller_stream_position(sample, index)
    if unseekable is not None:
        raise _problem(unseekable, "cannot prepare a stream that cannot seek (it is read twice)")
    reader = open_sample(sample, index)
    if isinstance(reader, Problem):
        raise PreparationError([reader])
    return reader, stream, position


def _prepare(
    sample: object,
    index: int,
    opts: Options,
    progress: Progress | None,
    cancel: CancelToken | None,
    used: set[str] | None = None,
    inputs: frozenset[Path] = frozenset(),
    limits: Limits | None = None,
) -> PreparedSample:
    limits = limits or Limits()
    reader, stream, position = _open(sample, index)
    run = Run(progress, cancel)
    try:
        holder: list[Measure] = []

        def tap(rate: int, channels: int, layout: str | None) -> Callable[[Block], None]:
            holder.append(Measure(rate, channels, layout, opts))

            def feed(block: Block) -> None:
                run.step(reader, 0.0, 0.5)
                holder[0].feed(block)

            return feed

        before, timeline = measure(reader, tap)
        if timeline is None or before.duration_s is None or not holder:
            raise _problem(before.name, before.reasons[0] if before.reasons else "cannot decode")
        extra = holder[0]
        extra.finish()
        if timeline.speech_s < MIN_WORD_S:  # a click or a tone's onset is not a word
            raise _problem(
                before.name,
                f"no speech found: no word in {before.duration_s:.1f} s, nothing to prepare",
            )
        conditioner = extra.conditioner
        per_file_s = file_limit_s(limits, conditioner.sample_rate, conditioner.channels)
        longest = min(opts.max_segment_s or per_file_s, per_file_s)
        spans, forced = plan_segments(
            timeline,
            before.duration_s,
            extra.quiet,
            trim=opts.trim_silence,
            max_segment_s=longest,
        )
        for_limit = longest < (opts.max_segment_s or math.inf) and len(spans) > 1
        kept = sum(end - start for start, end in spans)
        if kept < MIN_OUTPUT_S:
            raise _problem(
                before.name,
                f"would be cut to under a second ({kept:.2f} s of {before.duration_s:.1f} s "
                "around its speech): record a longer take",
            )
        parts = [plan_gain(extra.meter, start, end, opts) for start, end in spans]
        folder = opts.out_dir if opts.out_dir is not None else _private_dir()
        folder.mkdir(parents=True, exist_ok=True)
        # Never a name another sample of this call wrote, nor an input's (it would be replaced).
        here = folder.resolve()
        taken = (used or set()) | {path.name for path in inputs if path.parent == here}
        names = output_names(_stem(reader), len(parts), taken)
        written = write_parts(
            reader, before.format or "", timeline, parts, opts, folder, names, run
        )
        paths = [out.path for out in written]
        after = tuple(with_source_clipping(out.report, before) for out in written)
        run.report(1.0)
        return PreparedSample(
            path=paths[0],
            paths=tuple(paths),
            before=before,
            after=after,
            changes=tuple(
                describe(before, parts, written, opts, forced, limits if for_limit else None)
            ),
        )
    except BaseException:
        for started in holder:
            started.close()
        for writer in run.writers:
            writer.discard()
            with contextlib.suppress(FileNotFoundError):
                writer.path.unlink()
        raise
    finally:
        reader.close()
        if stream is not None and position is not None:
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
    16-bit FLAC in `out_dir` (created if needed; None: a private temporary folder removed at
    exit), named ``<stem>.prepared.flac`` or ``<stem>.prepared-01.flac``...; a file of that name
    is replaced unless it is an input. `on_progress(fraction)` is called as the work advances (0.0 to 1.0) and `cancel`
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
    inputs = frozenset(path for path in [_input_path(sample)] if path is not None)
    prepared = _prepare(sample, 0, opts, on_progress, cancel, inputs=inputs)
    _check_request([prepared], Limits())
    return prepared


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
    inputs = frozenset(path for path in map(_input_path, items) if path is not None)
    for index, item in enumerate(items):

        def scaled(fraction: float, index: int = index) -> None:
            if on_progress is not None:
                on_progress((index + fraction) / len(items))

        try:
            prepared = _prepare(item, index, opts, scaled, cancel, used, inputs)
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
    _check_request(done, Limits())
    return done


def _mib(size: int) -> str:
    return f"{size / MiB:.1f} MiB"


def _names(paths: list[Path]) -> str:
    shown = ", ".join(path.name for path in paths[:4])
    return shown + (f" and {len(paths) - 4} more" if len(paths) > 4 else "")


def _check_request(prepared: list[PreparedSample], limits: Limits) -> None:
    """Raise (removing every file) when the files cannot go in one clone request, saying
    which files to keep and which to drop."""
    paths = [path for item in prepared for path in item.paths]
    sizes = [path.stat().st_size for path in paths]
    most, total = limits.most_files(), sum(sizes)
    if len(paths) <= most and total <= limits.max_total_bytes:
        return
    kept, running = 0, 0
    while kept < min(len(paths), most) and running + sizes[kept] <= limits.max_total_bytes:
        running += sizes[kept]
        kept += 1
    message = (
        f"the prepared files do not fit one clone request: {len(paths)} files, {_mib(total)} "
        f"(at most {most} files and {_mib(limits.max_total_bytes)}); keep "
        f"{_names(paths[:kept])} ({_mib(running)}) and drop {_names(paths[kept:])}, or "
        "prepare fewer or shorter samples (mono and a lower sample_rate make files smaller)"
    )
    _remove(prepared)
    raise _problem(prepared[0].before.name, message)


def _remove(prepared: list[PreparedSample]) -> None:
    for item in prepared:
        item.remove()
