"""The look-ahead limiter keeps every sample under the ceiling and leaves the rest alone."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import resample_poly

from uponai_widgets.audio._limiter import PeakLimiter

CEILING = 10 ** (-1 / 20)


def run(signal: np.ndarray, block: int, rate: int = 16000) -> tuple[np.ndarray, PeakLimiter]:
    limiter = PeakLimiter(rate, signal.shape[1], CEILING)
    out = [limiter.process(signal[i : i + block]) for i in range(0, len(signal), block)]
    out.append(limiter.process(signal[:0], last=True))
    return np.concatenate(out), limiter


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    block=st.integers(16, 5000),
    channels=st.integers(1, 2),
    loudness=st.floats(0.05, 0.6),
)
def test_output_is_under_the_ceiling_for_any_block_size(
    seed: int, block: int, channels: int, loudness: float
) -> None:
    rng = np.random.default_rng(seed)
    signal = rng.normal(0, loudness, (8001, channels)).astype(np.float32)
    signal[rng.integers(0, len(signal), 20)] *= 6  # sharp peaks
    out, limiter = run(signal, block)
    assert out.shape == signal.shape
    assert float(np.abs(out).max()) <= CEILING * (1 + 1e-6)
    whole, _ = run(signal, len(signal))
    np.testing.assert_allclose(out, whole, atol=1e-6)  # blocks do not change the result
    # Limited when a sample is over the ceiling; also when only a peak between the samples is
    # (white noise with sharp peaks has them): never when even the true peak is well under it.
    if float(np.abs(signal).max()) > CEILING:
        assert limiter.max_reduction_db > 0
    true_peak = max(
        float(np.abs(resample_poly(signal[:, c].astype(np.float64), 16, 1)).max())
        for c in range(channels)
    )
    if true_peak < CEILING * 10 ** (-0.5 / 20):
        assert limiter.max_reduction_db == 0


def test_audio_under_the_ceiling_is_unchanged() -> None:
    # White noise swings up to ~3 dB between its samples: 0.4 keeps its true peaks under.
    signal = np.random.default_rng(2).uniform(-0.4, 0.4, (20000, 2)).astype(np.float32)
    out, limiter = run(signal, 3001)
    assert np.array_equal(out, signal)
    assert limiter.max_reduction_db == 0.0


def test_the_gain_recovers_after_a_peak() -> None:
    signal = np.full((16000, 1), 0.5, np.float32)
    signal[1000] = 2.0
    out, limiter = run(signal, 4096)
    assert abs(float(out[1000, 0])) <= CEILING
    assert limiter.max_reduction_db > 6
    assert np.allclose(out[8000:], 0.5)  # 50 ms recovery: long back to unity 0.4 s later
    assert float(out[1100, 0]) < 0.5  # but not at once


def test_true_peaks_between_the_samples_are_limited_too() -> None:
    """A full-scale sine at a quarter of the rate, sampled 45 degrees off its peaks: every
    sample is at -3 dBFS (under the -1 dBFS ceiling), the waveform reaches 0 dBTP."""
    t = np.arange(16000)
    signal = np.sin(np.pi / 2 * t + np.pi / 4).astype(np.float32)[:, None]
    assert float(np.abs(signal).max()) < CEILING
    out, limiter = run(signal, 1000)
    oversampled = resample_poly(out[:, 0].astype(np.float64), 16, 1)[4000:-4000]
    assert 20 * np.log10(np.abs(oversampled).max()) <= -1.0
    assert limiter.max_reduction_db > 1.0
