"""Figures are computed block by block: any block sizes agree, memory does not grow with length."""

from __future__ import annotations

import gc
import math
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from support.signals import silence, speech_like, tone

from uponai_devtools.wav import make_wav
from uponai_widgets.audio._inspect import inspect_sample
from uponai_widgets.audio._silence import (
    ALWAYS_SILENT_DBFS,
    FLOOR_MARGIN_DB,
    FLOOR_PERCENTILE,
    MIN_DEPTH_DB,
    SPEECH_PERCENTILE,
    SPEECH_RANGE_DB,
    SilenceTrack,
)
from uponai_widgets.audio._stats import ENVELOPE_MAX, Accumulator

RATE = 16000
WINDOW = 800  # 50 ms at 16 kHz


def reference(signal: np.ndarray) -> dict[str, float]:
    """The figures from the whole signal at once, the plain way."""
    frames = len(signal)
    values = signal.size
    padded = np.zeros((math.ceil(frames / WINDOW) * WINDOW, signal.shape[1]))
    padded[:frames] = signal
    windows = padded.reshape(-1, WINDOW * signal.shape[1])
    lengths = np.full(len(windows), WINDOW)
    lengths[-1] = frames - WINDOW * (len(windows) - 1)
    # Silence is judged on the first channel here (the track is fed one channel).
    first = np.zeros(len(padded))
    first[:frames] = signal[:, 0]
    mean_square = (first.reshape(-1, WINDOW) ** 2).sum(axis=1) / lengths
    levels = 10 * np.log10(mean_square + 1e-20)
    speech = np.percentile(levels, SPEECH_PERCENTILE)
    floor = np.percentile(levels, FLOOR_PERCENTILE)
    threshold = min(max(floor + FLOOR_MARGIN_DB, speech - SPEECH_RANGE_DB), speech - MIN_DEPTH_DB)
    silent = levels < max(threshold, ALWAYS_SILENT_DBFS)
    loud = np.flatnonzero(~silent)
    return {
        "peak": float(np.abs(signal).max()),
        "rms": float(np.sqrt((signal**2).sum() / values)),
        "clipped": float(np.count_nonzero(np.abs(signal) >= 0.999) / values),
        "silence": float(lengths[silent].sum() / frames),
        "leading": float(lengths[: loud[0]].sum() / RATE),
        "trailing": float(lengths[loud[-1] + 1 :].sum() / RATE),
    }


def test_any_block_sizes_give_the_reference_figures() -> None:
    rng = np.random.default_rng(3)
    signal = np.concatenate(
        [
            silence(0.73),
            speech_like(2.0),
            silence(0.4),
            np.clip(tone(0.6, amplitude=1.3), -1, 1),
            rng.normal(0, 0.001, (4321, 1)),
            tone(1.1, amplitude=0.3),
            silence(0.91),
        ]
    ).astype(np.float32)
    signal = np.repeat(signal, 2, axis=1)
    signal[:, 1] *= 0.5
    expected = reference(signal.astype(np.float64))
    for sizes in ([len(signal)], [1, 7, 799, 801, 2205], [WINDOW], [65536], [333]):
        acc = Accumulator(RATE, 2)
        track = SilenceTrack(RATE)
        start, turn = 0, 0
        while start < len(signal):
            size = sizes[turn % len(sizes)]
            acc.feed(signal[start : start + size])
            track.feed(np.ascontiguousarray(signal[start : start + size, 0]))
            start, turn = start + size, turn + 1
        fig = acc.finish(track.finish())
        assert fig.frames == len(signal)
        assert fig.peak_dbfs == pytest.approx(20 * math.log10(expected["peak"]), abs=0.01)
        assert fig.rms_dbfs == pytest.approx(20 * math.log10(expected["rms"]), abs=0.01)
        assert fig.clipped_ratio == pytest.approx(expected["clipped"])
        assert fig.silence_ratio == pytest.approx(expected["silence"], abs=1e-6)
        assert fig.leading_silence_s == pytest.approx(expected["leading"], abs=1e-6)
        assert fig.trailing_silence_s == pytest.approx(expected["trailing"], abs=1e-6)
        lows, highs = zip(*fig.envelope, strict=True)
        assert min(lows) == pytest.approx(float(signal.min()), abs=1e-4)
        assert max(highs) == pytest.approx(float(signal.max()), abs=1e-4)


def test_the_envelope_stays_small_and_keeps_positions() -> None:
    seconds = 200.0  # 20,000 ticks of 10 ms: the columns merge several times
    acc = Accumulator(1000, 1)
    block = np.zeros((1000, 1), np.float32)
    for second in range(int(seconds)):
        block[:] = 0.9 if second == 150 else 0.1  # one loud second at 75 %
        acc.feed(block)
    envelope = acc.finish(SilenceTrack(1000).finish()).envelope
    assert ENVELOPE_MAX // 2 <= len(envelope) <= ENVELOPE_MAX
    loud = [i for i, (_, hi) in enumerate(envelope) if hi > 0.5]
    assert loud
    assert abs(loud[0] / len(envelope) - 0.75) < 0.01
    assert abs((loud[-1] + 1) / len(envelope) - 151 / 200) < 0.01


def test_short_sample_envelope_has_10_ms_columns(short_wav: Path) -> None:
    assert len(inspect_sample(short_wav).envelope) == 300


def _write_long_wav(path: Path, seconds: int, rate: int, channels: int) -> None:
    import soundfile as sf

    one_second = (tone(1.0, rate, amplitude=0.4, channels=channels) * 32767).astype(np.int16)
    with sf.SoundFile(str(path), "w", rate, channels, subtype="PCM_16") as out:
        for _ in range(seconds):
            out.write(one_second)


def test_a_long_file_is_analysed_in_bounded_memory(tmp_path: Path, short_wav: Path) -> None:
    seconds, rate, channels = 60, 44100, 2
    path = tmp_path / "long.wav"
    _write_long_wav(path, seconds, rate, channels)
    decoded = seconds * rate * channels * 4  # float32: 21 MB
    inspect_sample(short_wav)  # imports and first-call set-up outside the measurement
    gc.collect()
    tracemalloc.start()
    try:
        report = inspect_sample(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.duration_s == pytest.approx(seconds)
    assert report.peak_dbfs == pytest.approx(20 * math.log10(0.4), abs=0.01)
    assert peak < decoded / 4, f"peak {peak} B for {decoded} B decoded"


def test_pyav_decoding_streams_too(tmp_path: Path, short_wav: Path) -> None:
    pytest.importorskip("av")
    from support.signals import write_av

    seconds, rate = 10, 48000
    path = write_av(
        tmp_path / "long.webm", tone(seconds, rate, 0.4, channels=2), rate, "webm", "libopus"
    )
    decoded = seconds * rate * 2 * 4
    inspect_sample(path)  # codec set-up outside the measurement
    gc.collect()
    tracemalloc.start()
    try:
        report = inspect_sample(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.duration_s == pytest.approx(seconds, abs=0.03)
    assert peak < decoded / 4, f"peak {peak} B for {decoded} B decoded"


def test_between_blocks_is_called_after_each_block_and_may_stop_the_analysis() -> None:
    wav = make_wav(seconds=60.0)
    calls: list[int] = []
    report = inspect_sample(("long.wav", wav, "audio/wav"), between_blocks=lambda: calls.append(1))
    assert report.duration_s is not None
    assert len(calls) > 1  # a minute is decoded in several blocks, each followed by a call

    class Stop(Exception):
        pass

    def stop() -> None:
        raise Stop

    with pytest.raises(Stop):
        inspect_sample(("long.wav", wav, "audio/wav"), between_blocks=stop)
