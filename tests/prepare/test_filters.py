"""The numpy filters (`_iir`) against scipy.signal's sample-by-sample ones."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from uponai_widgets.audio._filters import CUTOFF_HZ, HighPass
from uponai_widgets.audio._iir import SectionCascade, butterworth_highpass
from uponai_widgets.audio._loudness import k_weighting

RATES = [8000, 16000, 22050, 44100, 48000, 96000]


@pytest.mark.parametrize("rate", RATES)
def test_the_high_pass_is_scipys_butterworth(rate: int) -> None:
    ours = np.array(butterworth_highpass(CUTOFF_HZ, rate))
    theirs = signal.butter(2, CUTOFF_HZ, "highpass", fs=rate, output="sos")
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("kind", ["high-pass", "k-weighting"])
def test_blocks_of_any_size_filter_like_sosfilt(rate: int, kind: str) -> None:
    sections = butterworth_highpass(CUTOFF_HZ, rate) if kind == "high-pass" else k_weighting(rate)
    rng = np.random.default_rng(rate)
    x = (rng.normal(size=(3 * rate + 17, 2)) * 0.2 + [0.25, -0.1]).astype(np.float32)
    cascade = SectionCascade(sections, 2)
    pieces, start = [], 0
    for size in [1, 31, 32, 33, 5000, *rng.integers(1, 20000, 200).tolist()]:
        pieces.append(cascade.process(x[start : start + size]))
        start += size
        if start >= len(x):
            break
    ours = np.concatenate(pieces)
    theirs = signal.sosfilt(np.array(sections), x[: len(ours)].astype(np.float64), axis=0)
    assert ours.dtype == np.float32
    assert np.abs(ours - theirs).max() < 1e-5


def test_the_high_pass_starts_settled_on_the_first_sample() -> None:
    rate = 16000
    x = np.full((rate, 1), 0.25, np.float32)
    x[rate // 2 :, 0] += np.sin(np.arange(rate // 2) * 0.3).astype(np.float32) * 0.1
    ours = HighPass(rate, 1).process(x)[:, 0]
    sos = signal.butter(2, CUTOFF_HZ, "highpass", fs=rate, output="sos")
    theirs, _ = signal.sosfilt(sos, x[:, 0].astype(np.float64), zi=signal.sosfilt_zi(sos) * 0.25)
    assert np.abs(ours[: rate // 2]).max() < 1e-5  # no transient from the offset
    assert np.abs(ours - theirs).max() < 1e-5
