"""The speech detector rejects music and tonal sound and keeps speech: chords, tremolo tones,
plucked notes and a music bed; speech alone, quiet, in noise, over music; recorded human
voices (KLettres) against ffmpeg's silencedetect and against an annotation."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from support.generated_audio import espeak_speech, human_speech

import uponai_widgets as uw
from uponai_devtools.audio_oracles import silences
from uponai_devtools.audio_signals import music_bed, plucked_chords, tremolo_chord, white_noise

RATE = 16000


def speech_seconds(signal: np.ndarray, rate: int = RATE) -> float:
    buffer = io.BytesIO()
    sf.write(buffer, signal, rate, format="WAV", subtype="PCM_16")
    report = uw.inspect_sample(buffer.getvalue())
    assert report.speech_s is not None
    return report.speech_s


@pytest.fixture(scope="module")
def voice(measured_dir: Path) -> np.ndarray:
    """19 s of the reading at 16 kHz, peaks at 0.5."""
    data, _ = espeak_speech(measured_dir, RATE)
    part = data[: 19 * RATE]
    return 0.5 * part / np.abs(part).max()


@pytest.mark.parametrize(
    "name",
    ["tremolo chord", "plucked chords", "plucked chords (other notes)", "music bed", "44.1 kHz"],
)
def test_music_and_tonal_sound_hold_under_a_second_of_speech_in_20_s(name: str) -> None:
    signals = {
        "tremolo chord": lambda: (tremolo_chord(), RATE),
        "plucked chords": lambda: (plucked_chords(), RATE),
        "plucked chords (other notes)": lambda: (plucked_chords(seed=9), RATE),
        "music bed": lambda: (music_bed(RATE, 20.0), RATE),
        "44.1 kHz": lambda: (tremolo_chord(44100), 44100),
    }
    signal, rate = signals[name]()
    assert speech_seconds(signal, rate) < 1.0


def test_speech_over_music_counts_as_the_speech_alone_and_the_music_ends_are_trimmed(
    voice: np.ndarray, tmp_path: Path
) -> None:
    alone = np.zeros((30 * RATE, 1))
    alone[5 * RATE : 5 * RATE + len(voice)] = voice
    mixed = alone + 0.3 * music_bed(RATE, 30.0)
    reference = speech_seconds(alone)
    assert speech_seconds(mixed) == pytest.approx(reference, rel=0.15)
    path = tmp_path / "over-music.wav"
    sf.write(str(path), mixed, RATE, subtype="PCM_16")
    prepared = uw.prepare_sample(path, out_dir=tmp_path / "out")
    assert prepared.after[0].duration_s is not None
    # 5 s of music before the voice and 6 s after it are cut (0.25 s margins, a window's slack)
    assert prepared.after[0].duration_s < 19.0 + 2.0
    start = [line for line in prepared.changes if "at the start" in line]
    end = [line for line in prepared.changes if "at the end" in line]
    assert start, prepared.changes
    assert end, prepared.changes


def test_clean_quiet_and_noisy_speech_are_found(voice: np.ndarray) -> None:
    clean = speech_seconds(voice)
    assert clean > 15.0  # of 19 s read, pauses included
    assert speech_seconds(voice * 0.01) >= 0.8 * clean  # -40 dB: its softest sounds are lost
    noisy = voice + white_noise(RATE, 19.0, level_db=-32.0)[: len(voice)]
    assert speech_seconds(noisy) >= 0.9 * clean
    assert speech_seconds(white_noise()) < 1.0


@pytest.mark.slow
def test_recorded_human_speech_is_measured_like_ffmpegs_silence_detector(tmp_path: Path) -> None:
    path, spoken = human_speech(tmp_path, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    report = uw.inspect_sample(path)
    assert report.speech_s is not None
    assert report.speech_s == pytest.approx(spoken, rel=0.2)
    prepared = uw.prepare_sample(path, out_dir=tmp_path / "out")
    # Trimming never cuts speech: the first and last sounds ffmpeg hears are in the output.
    spans = silences(path, -40, 0.1)
    first_sound, last_sound = spans[0][1], spans[-1][0]
    kept = prepared.after[0].duration_s
    assert kept is not None
    assert kept >= last_sound - first_sound


ANNOTATION = Path(__file__).with_name("klettres_speech_spans.json")


@pytest.mark.slow
def test_recorded_human_speech_is_measured_near_its_annotated_span(tmp_path: Path) -> None:
    """Against speech spans annotated for each recorded letter (the method is in the file):
    within 2 % (webrtcvad's hangover and the tails at the noise floor are taken off)."""
    spans = json.loads(ANNOTATION.read_text(encoding="utf-8"))["spans_s"]
    path, _ = human_speech(tmp_path, "".join(spans))
    annotated = sum(end - start for start, end in spans.values())
    report = uw.inspect_sample(path)
    assert report.speech_s is not None
    assert report.speech_s == pytest.approx(annotated, rel=0.02)
