"""5.1 by its layout: BS.1770 weights (LFE out, surrounds 1.41) as ffmpeg's meter applies them,
and the layout kept in the written file with `mono=False`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import uponai_widgets as uw
from uponai_devtools.audio_oracles import ebur128, ffmpeg, ffprobe_stream


@pytest.fixture(scope="module")
def surround(measured_dir: Path, reading_44k: tuple[np.ndarray, int]) -> Path:
    """20 s of 5.1 at 48 kHz (FL FR FC LFE BL BR): the voice in the centre, a quieter copy in
    the fronts, a loud rumble in the LFE and the voice (delayed) in the surrounds."""
    data, rate = reading_44k
    voice = data[: 20 * rate, 0]
    voice = 0.5 * voice / np.abs(voice).max()
    t = np.arange(len(voice)) / rate
    rumble = 0.6 * np.sin(2 * np.pi * 45 * t)
    late = np.concatenate([np.zeros(rate // 50), voice[: -(rate // 50)]])
    channels = np.stack([0.3 * voice, 0.3 * voice, voice, rumble, 0.7 * late, 0.7 * late], axis=1)
    raw = measured_dir / "surround-raw.wav"
    sf.write(str(raw), channels, rate, subtype="PCM_24")
    path = measured_dir / "surround.wav"
    ffmpeg(
        "-i", raw, "-af", "aformat=channel_layouts=5.1", "-ar", "48000", "-c:a", "pcm_s24le", path
    )
    assert ffprobe_stream(path)["channel_layout"] == "5.1"
    return path


def test_five_one_kept_with_its_layout_at_the_target_by_ffmpegs_meter(
    surround: Path, tmp_path: Path
) -> None:
    prepared = uw.prepare_sample(surround, out_dir=tmp_path, mono=False)
    stream = ffprobe_stream(prepared.path)
    assert stream["channels"] == "6"
    assert stream["channel_layout"].startswith("5.1")  # FLAC's 6-channel order: 5.1
    loudness, true_peak = ebur128(prepared.path)
    assert loudness == pytest.approx(-20.0, abs=0.3)
    assert true_peak <= -1.0
    assert prepared.after[0].channels == 6


def test_the_mono_mix_of_five_one_leaves_the_lfe_out(surround: Path, tmp_path: Path) -> None:
    prepared = uw.prepare_sample(surround, out_dir=tmp_path)
    assert ffprobe_stream(prepared.path)["channels"] == "1"
    written, rate = sf.read(str(prepared.path))
    spectrum = np.abs(np.fft.rfft(written))
    freqs = np.fft.rfftfreq(len(written), 1 / rate)
    rumble = spectrum[(freqs > 44) & (freqs < 46)].max()
    voice = spectrum[(freqs > 100) & (freqs < 4000)].max()
    assert rumble < 0.05 * voice  # mixed in (1/6), the 45 Hz rumble would be 20x the voice
    assert ebur128(prepared.path)[0] == pytest.approx(-20.0, abs=0.3)
