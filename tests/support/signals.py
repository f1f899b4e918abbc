"""Generated audio for the inspection tests: numpy signals written with soundfile or PyAV."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def tone(
    seconds: float,
    rate: int = 16000,
    amplitude: float = 0.5,
    freq: float = 220.0,
    channels: int = 1,
) -> np.ndarray:
    """A sine tone shaped (frames, channels), float64 in [-1, 1] unless amplitude > 1."""
    t = np.arange(round(seconds * rate)) / rate
    mono = amplitude * np.sin(2 * np.pi * freq * t)
    return np.repeat(mono[:, None], channels, axis=1)


def speech_like(seconds: float, rate: int = 16000, amplitude: float = 0.5) -> np.ndarray:
    """A 150 Hz tone with harmonics, amplitude-modulated at 4 Hz like syllables (no pauses)."""
    t = np.arange(round(seconds * rate)) / rate
    voice = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in (1, 2, 3))
    voice = voice / np.max(np.abs(voice))
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 4 * t)
    return (amplitude * voice * syllables)[:, None]


def silence(seconds: float, rate: int = 16000, channels: int = 1) -> np.ndarray:
    """Digital silence shaped (frames, channels)."""
    return np.zeros((round(seconds * rate), channels))


def write(path: Path, signal: np.ndarray, rate: int = 16000, **kwargs: object) -> Path:
    """Write with soundfile (format from the suffix; 16-bit PCM for WAV and FLAC by default)."""
    import soundfile as sf

    if path.suffix in (".wav", ".flac") and "subtype" not in kwargs:
        kwargs["subtype"] = "PCM_16"
    sf.write(str(path), signal, rate, **kwargs)
    return path


def write_av(
    path: Path, signal: np.ndarray, rate: int, container: str, codec: str, *, live: bool = False
) -> Path:
    """Encode with PyAV (FFmpeg): e.g. ("mp4", "aac") for M4A, ("webm", "libopus") for WebM.

    `live` writes WebM the way a browser's MediaRecorder does: no duration, no cues.
    """
    import av

    channels = signal.shape[1]
    layout = "mono" if channels == 1 else "stereo"
    options = {"live": "1"} if live else {}
    with av.open(str(path), "w", format=container, options=options) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        step = 960
        data = signal.astype(np.float32)
        for start in range(0, len(data), step):
            chunk = np.ascontiguousarray(data[start : start + step].T)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path
