"""`inspect_sample` on a 10-minute 44.1 kHz stereo 16-bit WAV: wall time and peak memory.

.venv/bin/python benchmarks/bench_inspect.py [--minutes 10] [--runs 5] [--also flac,mp3,m4a,webm]
    [--speech]

Targets: ten minutes in under 1 s; an hour (`--minutes 60 --speech`) in under 4 s.

The WAV (a 0.4-amplitude tone, 105.8 MB for 10 minutes) is written one second at a time to a
temporary folder, never held in memory, and is in the page cache when measured. Each run is a
fresh interpreter that imports the libraries and inspects a tiny WAV first (imports and first-call
set-up are not counted; the tiny file has the measured file's format), then measures one
`inspect_sample(path)`:

- wall time with `time.perf_counter()` (target: under 1 s), and CPU time (user + sys, all
  threads, `time.process_time()`), which a busy machine inflates less;
- RSS growth: the kernel's peak RSS (VmHWM, reset through /proc/self/clear_refs) minus RSS before;
- in separate runs, tracemalloc's peak of traced allocations (numpy arrays included).

Both memory figures are compared with the decoded size (frames x channels x 4 bytes of float32).
For scale, the same is measured for `soundfile.read(path, dtype="float32")`, which decodes the
whole file at once. `--also` repeats the measurement on the same tone encoded as FLAC, MP3 (both
libsndfile), M4A/AAC or WebM/Opus (PyAV); MP3, M4A and WebM are decoded by FFmpeg. `--speech`
measures `bench_prepare`'s espeak-ng reading (44.1 kHz stereo, 16-bit) instead of the tone.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_prepare import write_speech  # the script's folder is on sys.path

RATE, CHANNELS = 44100, 2
MiB = 1024 * 1024

CHILD = """
import json, sys, time, tracemalloc
import numpy, soundfile
from uponai_widgets.audio._inspect import inspect_sample
from uponai_widgets.audio._waveform import waveform_svg

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)

path, tiny, mode = sys.argv[1], sys.argv[2], sys.argv[3]
inspect_sample(tiny)
if mode == "whole":
    soundfile.read(tiny, dtype="float32")
def run():
    if mode == "whole":
        data, _ = soundfile.read(path, dtype="float32")
        return data.shape[0] / 44100
    return inspect_sample(path).duration_s
result = {}
if mode == "trace":
    tracemalloc.start()
    duration = run()
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
    start, cpu = time.perf_counter(), time.process_time()
    duration = run()
    result["seconds"] = time.perf_counter() - start
    result["cpu_seconds"] = time.process_time() - cpu
    result["rss_delta"] = status("VmHWM") - before
    if mode == "inspect":
        report = inspect_sample(path)
        start = time.perf_counter()
        waveform_svg(report, width=600, height=64)
        result["svg_seconds"] = time.perf_counter() - start
        result["verdict"] = report.verdict
        result["envelope_columns"] = len(report.envelope)
result["duration_s"] = duration
print(json.dumps(result))
"""


def write_wav(path: Path, seconds: int) -> None:
    """A 16-bit stereo tone written one second at a time."""
    import numpy as np
    import soundfile as sf

    t = np.arange(RATE) / RATE
    one_second = (0.4 * 32767 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)
    block = np.repeat(one_second[:, None], CHANNELS, axis=1)
    with sf.SoundFile(str(path), "w", RATE, CHANNELS, subtype="PCM_16") as out:
        for _ in range(seconds):
            out.write(block)


def child(path: Path, tiny: Path, mode: str) -> dict[str, float]:
    """Run one measurement in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(tiny), mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return dict(json.loads(out.stdout))


def write_compressed(path: Path, fmt: str, seconds: int) -> int:
    """The same tone as FLAC or MP3 (libsndfile) or M4A/WebM (PyAV), one second at a time.

    Returns the sample rate (Opus in WebM runs at 48 kHz).
    """
    import numpy as np

    rate = 48000 if fmt == "webm" else RATE
    t = np.arange(rate) / rate
    block = np.repeat((0.4 * np.sin(2 * np.pi * 220 * t))[:, None], CHANNELS, axis=1)
    if fmt in ("flac", "mp3"):
        import soundfile as sf

        subtype = "PCM_16" if fmt == "flac" else "MPEG_LAYER_III"
        with sf.SoundFile(
            str(path), "w", rate, CHANNELS, format=fmt.upper(), subtype=subtype
        ) as out:
            for _ in range(seconds):
                out.write(block)
        return rate
    import av

    container, codec = {"m4a": ("mp4", "aac"), "webm": ("webm", "libopus")}[fmt]
    planar = np.ascontiguousarray(block.T.astype(np.float32))
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout="stereo")
        for second in range(seconds):
            frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts = rate, second * rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return rate


def report(label: str, path: Path, tiny: Path, decoded: int, runs: int, target: float) -> None:
    """Measure `inspect_sample(path)` in fresh interpreters and print the figures."""
    timed = [child(path, tiny, "inspect") for _ in range(runs)]
    traced = [child(path, tiny, "trace") for _ in range(2)]
    walls = [run["seconds"] for run in timed]
    cpus = [run["cpu_seconds"] for run in timed]
    rss = max(run["rss_delta"] for run in timed)
    peak = max(run["traced_peak"] for run in traced)
    first = timed[0]
    print(
        f"{label}: inspect_sample median {statistics.median(walls):.3f} s, worst "
        f"{max(walls):.3f} s over {runs} runs (target < {target:g} s: "
        f"{'met' if max(walls) < target else 'MISSED'}); duration {first['duration_s']:.1f} s, "
        f"verdict {first['verdict']}, {first['envelope_columns']:.0f} envelope columns"
    )
    print(
        f"  CPU time (user + sys) median {statistics.median(cpus):.3f} s, worst {max(cpus):.3f} s;"
        f" load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"  tracemalloc peak {peak / MiB:.2f} MiB ({peak / decoded:.2%} of decoded); "
        f"RSS growth (VmHWM - RSS, worst) {rss / MiB:.2f} MiB ({rss / decoded:.2%} of decoded)"
        + ("" if first["hwm_reset"] else " [VmHWM could not be reset: figure is an upper bound]")
    )
    print(f"  waveform_svg(report, 600x64): {first['svg_seconds'] * 1000:.1f} ms")


def main() -> None:
    """Generate the files, measure, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--speech", action="store_true", help="espeak-ng speech (bench_prepare's) for the tone"
    )
    parser.add_argument(
        "--also",
        default="",
        help="comma-separated extra formats: flac,mp3,m4a,webm (slow to encode)",
    )
    args = parser.parse_args()
    print("command: .venv/bin/python benchmarks/bench_inspect.py " + shlex.join(sys.argv[1:]))
    seconds = round(args.minutes * 60)
    target = 4.0 if args.minutes >= 60 else 1.0  # seconds: an hour, or up to ten minutes
    with tempfile.TemporaryDirectory(prefix="bench-inspect-") as folder:
        path, tiny = Path(folder) / "long.wav", Path(folder) / "tiny.wav"
        start = time.perf_counter()
        if args.speech:
            write_speech(path, seconds / 60)
            write_speech(tiny, 1 / 60)
        else:
            write_wav(path, seconds)
            write_wav(tiny, 1)
        decoded = seconds * RATE * CHANNELS * 4
        print(
            f"file: {seconds} s, {RATE} Hz, {CHANNELS} ch, 16-bit WAV, "
            f"{path.stat().st_size / MiB:.1f} MiB (written in {time.perf_counter() - start:.1f} s); "
            f"decoded float32 size {decoded / MiB:.1f} MiB"
        )
        report("WAV", path, tiny, decoded, args.runs, target)
        whole = child(path, tiny, "whole")
        print(
            f"  for scale, soundfile.read(path, dtype='float32') whole: {whole['seconds']:.3f} s, "
            f"RSS growth {whole['rss_delta'] / MiB:.1f} MiB"
        )
        for fmt in filter(None, args.also.split(",")):
            other = Path(folder) / f"long.{fmt}"
            start = time.perf_counter()
            rate = write_compressed(other, fmt, seconds)
            small = Path(folder) / f"tiny.{fmt}"
            write_compressed(small, fmt, 1)  # the warm-up loads this format's decoder
            print(
                f"file: the same as {fmt.upper()}, {rate} Hz, {other.stat().st_size / MiB:.1f} MiB "
                f"(encoded in {time.perf_counter() - start:.1f} s)"
            )
            report(fmt.upper(), other, small, seconds * rate * CHANNELS * 4, args.runs, target)


if __name__ == "__main__":
    main()
