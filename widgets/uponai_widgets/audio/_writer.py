"""Conditioning and writing the prepared audio: downmix, resample, gain, 16-bit FLAC.

`Conditioner` turns decoded blocks into the output's channels and rate (a soxr stream whose
state is carried from block to block, so two passes over the same input give the same
samples: the first one measures what the second one writes). `PartWriter` writes one part with
its gain, the peak ceiling enforced on the int16 values, to a hidden temporary name that
`commit` renames into place, so a failed or cancelled preparation leaves no half file. The
peaks the gain would push over the ceiling go through `PeakLimiter`, and the written audio's
loudness and its `analysis` (the after report) are measured on the int16 values as written, so
the reported figures are what will be sent, without reading the file again; its speech is the
first pass's timeline for the part (the same audio, the detector levels its input anyway).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ._analysis import Analysis
from ._beside import Beside
from ._decode import import_soundfile, import_soxr
from ._filters import HighPass
from ._layout import downmix_weights
from ._limiter import PeakLimiter
from ._loudness import LoudnessMeter
from ._timeline import SpeechTimeline

__all__ = ["OUTPUT_FORMAT", "Conditioner", "PartWriter", "pcm_bytes_per_second"]

OUTPUT_FORMAT = ("flac", "FLAC", "PCM_16")  # extension, libsndfile format, subtype
"""Lossless 16-bit FLAC: the API takes it, and it is about half the size of the same WAV."""
PCM_BYTES = 2

Block = npt.NDArray[np.float32]


def pcm_bytes_per_second(sample_rate: int, channels: int) -> int:
    """The uncompressed size of a second of output: FLAC never stores much more than this."""
    return sample_rate * channels * PCM_BYTES


class Conditioner:
    """Decoded blocks (frames, channels) -> float32 blocks at the output channels and rate,
    high-passed (`_filters`: no DC offset, no rumble). The mono mix leaves the LFE out; with
    `mono=False` the channels and their layout are kept."""

    def __init__(
        self,
        sample_rate: int,
        channels: int,
        *,
        mono: bool,
        out_rate: int,
        layout: str | None = None,
    ) -> None:
        self.channels = 1 if mono else channels
        self.sample_rate = out_rate
        self.layout = None if mono else layout
        self._mix = (
            np.array(downmix_weights(channels, layout), np.float32)[:, None] if mono else None
        )
        self._highpass = HighPass(sample_rate, self.channels)
        self._resampler = (
            import_soxr().ResampleStream(
                sample_rate, out_rate, self.channels, dtype="float32", quality="HQ"
            )
            if out_rate != sample_rate
            else None
        )

    def process(self, block: Block) -> Block:
        """The next output block (possibly empty while the resampler fills)."""
        if self._mix is not None and block.shape[1] > 1:
            block = block @ self._mix  # BLAS: mean(axis=1) is several times slower
        block = self._highpass.process(block)
        if self._resampler is None:
            return block
        out: Block = self._resampler.resample_chunk(np.ascontiguousarray(block), last=False)
        return out.reshape(-1, self.channels)

    def finish(self) -> Block:
        """What the resampler still holds (an empty block without resampling)."""
        if self._resampler is None:
            return np.zeros((0, self.channels), np.float32)
        empty = np.zeros((0, self.channels), np.float32)
        out: Block = self._resampler.resample_chunk(empty, last=True)
        return out.reshape(-1, self.channels)


class PartWriter:
    """One output file: float blocks times `gain`, limited to `ceiling`, as 16-bit FLAC."""

    def __init__(
        self,
        path: Path,
        sample_rate: int,
        channels: int,
        gain: float,
        ceiling: float,
        speech: SpeechTimeline,
        layout: str | None = None,
    ) -> None:
        self.path = path
        self._partial = path.with_name(f".{path.name}.partial")
        self._gain = np.float32(gain)
        self._limit = min(32767, int(ceiling * 32768.0))
        self._limiter = PeakLimiter(sample_rate, channels, self._limit / 32768.0)
        self.meter = LoudnessMeter(sample_rate, channels, layout)
        self.analysis = Analysis(sample_rate, channels, speech, layout)
        self._file = import_soundfile().SoundFile(
            str(self._partial),
            "w",
            samplerate=sample_rate,
            channels=channels,
            subtype=OUTPUT_FORMAT[2],
            format=OUTPUT_FORMAT[1],
        )
        self.meter_channels = channels
        self.frames = 0
        # Each block is encoded and analysed for the after report on a thread of its own
        # (libsndfile, numpy and soxr run without the interpreter's lock) while this one
        # limits and meters the next: one block in flight at a time.
        self._beside = Beside("uponai-flac")

    def write(self, block: Block, *, last: bool = False) -> None:
        """Append float samples (frames, channels); `last` flushes the limiter."""
        limited = self._limiter.process(block * self._gain, last=last)
        if not len(limited):
            return
        scaled = limited * np.float32(32768.0)
        np.rint(scaled, out=scaled)
        np.clip(scaled, -self._limit, self._limit, out=scaled)
        pcm = scaled.astype(np.int16)
        written = pcm * np.float32(1 / 32768)  # what a reader of the file will decode
        self._beside.submit(self._encode, pcm, written)
        self.meter.feed(written)
        self.frames += len(limited)

    def _encode(self, pcm: npt.NDArray[np.int16], written: Block) -> None:
        try:
            self._file.write(pcm)
        except Exception as exc:  # libsndfile says only "System error." for a full disk
            why = _why_not_written(self.path, exc)
            raise OSError(f"could not write {self.path.name}: {why}") from exc
        self.analysis.feed(written)

    @property
    def limited_db(self) -> float:
        """The deepest gain reduction the limiter applied (0.0: no peak needed it)."""
        return self._limiter.max_reduction_db

    def commit(self) -> Path:
        """Flush, close the file and move it to its final name."""
        self.write(np.zeros((0, self.meter_channels), np.float32), last=True)
        try:
            self._beside.wait()
        finally:
            self._beside.close()
        self._file.close()
        os.replace(self._partial, self.path)
        return self.path

    def discard(self) -> None:
        """Close and delete the unfinished file."""
        with contextlib.suppress(Exception):
            self._beside.wait()
        self._beside.close()
        with contextlib.suppress(Exception):
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._partial.unlink()


def _why_not_written(path: Path, error: Exception) -> str:
    """What stopped a write into `path`'s folder, in words (libsndfile does not say)."""
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        free = None
    if free is not None and free < 1024 * 1024:
        return f"the disk holding {path.parent} is full"
    return f"the system refused the write (a full disk or a file size limit?): {error}"
