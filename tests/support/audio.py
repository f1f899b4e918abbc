"""Real WAV files for tests: short sine tones in memory, large files streamed to disk."""

from __future__ import annotations

import io
import math
import struct
import wave
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


def make_wav(seconds: float = 1.0, rate: int = 16000, freq: float = 440.0) -> bytes:
    """A mono 16-bit PCM WAV holding a sine tone."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(_sine_frames(int(seconds * rate), rate, freq))
    return buffer.getvalue()


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
    header = b"RIFF" + struct.pack("<I", 36 + data_size) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    header += b"data" + struct.pack("<I", data_size)
    block = _sine_frames(rate, rate, freq)
    with path.open("wb") as out:
        out.write(header)
        remaining = data_size
        while remaining:
            piece = block[: min(len(block), remaining)]
            out.write(piece)
            remaining -= len(piece)
    return path
