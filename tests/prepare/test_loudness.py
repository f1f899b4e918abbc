"""The streaming BS.1770-4 meter agrees with pyloudnorm on whole files, block size aside."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyloudnorm as pyln
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from uponai_widgets.audio._loudness import LoudnessMeter, k_weighting


def streamed(signal: np.ndarray, rate: int, block: int = 65536) -> float:
    x = np.asarray(signal, np.float32).reshape(len(signal), -1)
    meter = LoudnessMeter(rate, x.shape[1])
    for start in range(0, len(x), block):
        meter.feed(x[start : start + block])
    return meter.integrated()


def signals() -> dict[str, tuple[np.ndarray, int]]:
    rng = np.random.default_rng(21)
    cases: dict[str, tuple[np.ndarray, int]] = {}
    for rate in (8000, 16000, 22050, 44100, 48000):
        t = np.arange(round(6.0 * rate)) / rate
        cases[f"1 kHz tone at {rate} Hz"] = (0.3 * np.sin(2 * np.pi * 1000 * t), rate)
        stereo = np.stack([rng.normal(0, 0.1, len(t)), rng.normal(0, 0.03, len(t))], axis=1)
        cases[f"stereo noise at {rate} Hz"] = (stereo, rate)
    t = np.arange(20 * 44100) / 44100
    bursts = np.sin(2 * np.pi * 300 * t) * (np.sin(2 * np.pi * 0.25 * t) > 0.3)
    cases["bursts and silence (both gates matter)"] = (0.5 * bursts, 44100)
    cases["five channels"] = (rng.normal(0, 0.05, (5 * 48000, 5)), 48000)
    return cases


@pytest.mark.parametrize("case", sorted(signals()))
def test_streamed_loudness_matches_pyloudnorm(case: str) -> None:
    signal, rate = signals()[case]
    ours = streamed(signal, rate)
    # pyloudnorm's "DeMan" filter is the same K-weighting design (any rate); its last block may
    # be partial, which moves short signals by a few thousandths of a LU.
    same_filter = pyln.Meter(rate, filter_class="DeMan").integrated_loudness(signal)
    assert ours == pytest.approx(same_filter, abs=0.01)
    # Its default filter approximates the shelf differently, most at low sample rates.
    default = pyln.Meter(rate).integrated_loudness(signal)
    assert ours == pytest.approx(default, abs=0.25 if rate < 44100 else 0.06)


def test_espeak_speech_with_silence_matches_pyloudnorm(
    speech_dir: Path, sentence_wav: Path
) -> None:
    voice, rate = sf.read(str(sentence_wav))
    padded = np.concatenate([np.zeros(3 * rate), voice * 0.1, np.zeros(2 * rate)])
    ours = streamed(padded, rate)
    assert ours == pytest.approx(pyln.Meter(rate).integrated_loudness(padded), abs=0.1)
    assert ours == pytest.approx(
        pyln.Meter(rate, filter_class="DeMan").integrated_loudness(padded), abs=0.01
    )


def test_the_filter_is_the_one_bs1770_tabulates_at_48k() -> None:
    shelf, highpass = k_weighting(48000)
    assert shelf == pytest.approx(
        [
            1.53512485958697,
            -2.69169618940638,
            1.19839281085285,
            1.0,
            -1.69065929318241,
            0.73248077421585,
        ],
        abs=1e-12,
    )
    assert highpass == pytest.approx(
        [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621], abs=1e-12
    )


def test_a_full_scale_997_hz_sine_reads_minus_3_01_lufs() -> None:
    t = np.arange(10 * 48000) / 48000
    assert streamed(np.sin(2 * np.pi * 997 * t), 48000) == pytest.approx(-3.01, abs=0.01)


def test_silence_is_gated_away() -> None:
    assert streamed(np.zeros(48000 * 3), 48000) == -120.0
    quiet = np.random.default_rng(1).normal(0, 10 ** (-85 / 20), 48000 * 3)
    assert streamed(quiet, 48000) == -120.0  # under the -70 LUFS absolute gate


@settings(max_examples=15, deadline=None)
@given(block=st.integers(min_value=100, max_value=30000), seed=st.integers(0, 1000))
def test_the_block_size_does_not_change_the_figure(block: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    signal = rng.normal(0, 0.1, (3 * 16000, 2)) * np.linspace(0.01, 1, 3 * 16000)[:, None]
    whole = streamed(signal, 16000, block=len(signal))
    assert streamed(signal, 16000, block=block) == pytest.approx(whole, abs=1e-6)
    assert math.isfinite(whole)
