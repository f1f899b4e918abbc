"""The two streaming passes of `prepare_sample` over the input, and the files the second writes.

`Measure` is fed the first pass's blocks (as they will be written: downmixed, resampled) for
the loudness per 100 ms step, the peaks and the 10 ms energy track; `write_parts` is the second
pass, routing the conditioned audio into one `PartWriter` per part, named by `output_names`.
The gains come from `_gain`, the words for what changed from `_changes`, progress and
cancellation from `_run`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import numpy as np
import numpy.typing as npt

from .._samples import SampleReader
from ._beside import Beside
from ._decode import decode
from ._gain import Part
from ._inspect import SampleReport
from ._loudness import LoudnessMeter
from ._options import Options
from ._run import Run
from ._split import QuietTrack
from ._timeline import SpeechTimeline
from ._writer import OUTPUT_FORMAT, Conditioner, PartWriter

__all__ = ["Measure", "Written", "output_names", "write_parts"]

Block = npt.NDArray[np.float32]


class Measure:
    """The first pass's extra figures, on the audio as it will be written.

    They are measured on a thread of their own, a block behind the inspection that feeds them
    (numpy and soxr run without the interpreter's lock): `feed` hands over a copy of the block
    (the decoder reuses its buffer), `finish` waits for the last one, `close` stops the thread.
    """

    def __init__(self, rate: int, channels: int, layout: str | None, opts: Options) -> None:
        out_rate = opts.sample_rate or rate
        self.conditioner = Conditioner(
            rate, channels, mono=opts.mono, out_rate=out_rate, layout=layout
        )
        self.meter = LoudnessMeter(out_rate, self.conditioner.channels, self.conditioner.layout)
        self.quiet = QuietTrack(out_rate)
        self._beside = Beside("uponai-measure")

    def feed(self, block: Block) -> None:
        """Add the next decoded block (frames, channels); what measuring the previous one
        raised is raised here."""
        self._beside.submit(self._condition, block.copy())

    def _condition(self, block: Block) -> None:
        self._add(self.conditioner.process(block))

    def _add(self, out: Block) -> None:
        if len(out):
            self.meter.feed(out)
            self.quiet.feed(out)

    def finish(self) -> None:
        """Measure what the conditioner still holds (call once, at the end)."""
        self._beside.wait()
        self._add(self.conditioner.finish())
        self.close()

    def close(self) -> None:
        """Stop the measuring thread (after `finish`, or when the pass failed)."""
        self._beside.close()


@dataclass(frozen=True, slots=True)
class Written:
    """One file the second pass wrote, with what was measured while writing it."""

    path: Path
    loudness: float  # LUFS as written
    limited_db: float  # the limiter's deepest reduction
    report: SampleReport  # `inspect_sample` of the file, measured while writing it


def output_names(stem: str, count: int, used: set[str]) -> list[str]:
    """Output file names for `count` parts, none of them in `used` (other samples' names)."""
    for attempt in range(1, 1000):
        base = stem if attempt == 1 else f"{stem}-{attempt}"
        names = (
            [f"{base}.prepared.{OUTPUT_FORMAT[0]}"]
            if count == 1
            else [f"{base}.prepared-{index + 1:02d}.{OUTPUT_FORMAT[0]}" for index in range(count)]
        )
        if not used.intersection(names):
            return names
    raise RuntimeError("no free output name")  # pragma: no cover - 999 samples of one name


def write_parts(
    reader: SampleReader,
    fmt: str,
    timeline: SpeechTimeline,
    parts: list[Part],
    opts: Options,
    folder: Path,
    names: list[str],
    run: Run,
) -> list[Written]:
    """The second pass: decode the input again and write each part (gain, limiter, FLAC)."""
    reader.seek(0)
    # a SampleReader is a binary file
    rate, channels, layout, blocks = decode(cast(IO[bytes], reader), fmt)
    out_rate = opts.sample_rate or rate
    conditioner = Conditioner(rate, channels, mono=opts.mono, out_rate=out_rate, layout=layout)
    bounds = [(round(p.start_s * out_rate), round(p.end_s * out_rate)) for p in parts]
    ceiling = 10 ** (opts.peak_dbfs / 20)
    position, current = 0, 0
    writer: PartWriter | None = None

    def route(out: Block) -> None:
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
                writer = PartWriter(
                    path,
                    out_rate,
                    conditioner.channels,
                    gain,
                    ceiling,
                    speech,
                    conditioner.layout,
                )
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
        Written(
            w.path,
            w.meter.integrated(),
            w.limited_db,
            w.analysis.report(w.path.name, OUTPUT_FORMAT[0])[0],
        )
        for w in run.writers
    ]
