"""Real WAV files for tests: short sine tones in memory, large files streamed to disk."""

from __future__ import annotations

import math
import random
import struct
from array import array
from pathlib import Path

WAV_HEADER_SIZE = 44


def _sine_frames(frames: int, rate: int, freq: float, start: int = 0) -> bytes:
    samples = array(
        "h",
        (int(12000 * math.sin(2 * math.pi * freq * (start + i) / rate)) for i in range(frames)),
    )
    if samples.itemsize != 2:
        raise RuntimeError("array 'h' is not 16-bit here")
    if struct.pack("=h", 1) != struct.pack("<h", 1):
        samples.byteswap()
    return samples.tobytes()


def wav_header(data_size: int, rate: int = 16000, channels: int = 1, width: int = 2) -> bytes:
    """The 44-byte header of a PCM WAV whose sample data is `data_size` bytes."""
    header = b"RIFF" + struct.pack("<I", 36 + data_size) + b"WAVE"
    block = channels * width
    header += b"fmt " + struct.pack(
        "<IHHIIHH", 16, 1, channels, rate, rate * block, block, 8 * width
    )
    return header + b"data" + struct.pack("<I", data_size)


def make_wav(seconds: float = 1.0, rate: int = 16000, freq: float = 440.0) -> bytes:
    """A mono 16-bit PCM WAV holding a sine tone."""
    frames = _sine_frames(int(seconds * rate), rate, freq)
    return wav_header(len(frames), rate) + frames


def noise_wav(size: int = 4096, seed: int = 0, rate: int = 16000) -> bytes:
    """Exactly `size` bytes: a WAV header, then seeded random bytes as 16-bit samples."""
    if size < WAV_HEADER_SIZE + 2:
        raise ValueError(f"size must be at least {WAV_HEADER_SIZE + 2}")
    return wav_header(size - WAV_HEADER_SIZE, rate) + random.Random(seed).randbytes(
        size - WAV_HEADER_SIZE
    )


def write_wav(path: Path, seconds: float = 1.0, rate: int = 16000, freq: float = 440.0) -> Path:
    """Write `make_wav(...)` to `path` and return the path."""
    path.write_bytes(make_wav(seconds, rate, freq))
    return path


def make_large_wav(path: Path, size_bytes: int, rate: int = 16000, freq: float = 220.0) -> Path:
    """A valid WAV of exactly `size_bytes` (header included), written in chunks, never in memory.

    The data is a repeated one-second tone block, so the file is audio all the way through.
    An odd `size_bytes` ends in half a sample, which players ignore.
    """
    data_size = size_bytes - WAV_HEADER_SIZE
    if data_size < 2:
        raise ValueError(f"size_bytes must be at least {WAV_HEADER_SIZE + 2}")
    header = wav_header(data_size, rate)
    block = _sine_frames(rate, rate, freq)
    with path.open("wb") as out:
        out.write(header)
        remaining = data_size
        while remaining:
            piece = block[: min(len(block), remaining)]
            out.write(piece)
            remaining -= len(piece)
    return path
