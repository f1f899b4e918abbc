"""`prepare_sample` on a 10-minute 44.1 kHz stereo 16-bit WAV of speech: wall time and memory.

Targets: ten minutes prepared in under 2 s; an hour (`--minutes 60`) in under 12 s within
100 MiB.

.venv/bin/python benchmarks/bench_prepare.py [--minutes 10] [--runs 3] [--split 60]

The speech is espeak-ng's reading of a few sentences (needs the espeak-ng binary), made quieter
(-12 dB), resampled to 44.1 kHz, given a second channel at 0.8 of the first and 3 s of silence at
each end, and written one second at a time to a temporary folder (105.8 MB for ten minutes); it
is in the page cache when measured. Each run is a fresh interpreter that imports the libraries
and prepares a tiny file first (imports and first-call set-up are not counted), then measures
one `prepare_sample(path, out_dir=...)` with the default options (trim, -20 LUFS, -1 dBFS
ceiling, mono, 44.1 kHz kept), and with `--split` also `max_segment_s`:

- wall time with `time.perf_counter()` (target: under 2 s);
- extra memory: the kernel's peak RSS (VmHWM, reset through /proc/self/clear_refs) minus the
  RSS before (target: under 64 MiB; 100 MiB for an hour), and in separate runs tracemalloc's peak.

For scale, the same is measured for reading the whole file with soundfile, which is what a
whole-signal loudness measurement (pyloudnorm) needs first.

The speech detectors are compared in `bench_detector.py`.
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
import numpy, soundfile, soxr, webrtcvad
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
    start, cpu = time.perf_counter(), time.process_time()
    prepared = run()
    result["seconds"] = time.perf_counter() - start
    result["cpu_seconds"] = time.process_time() - cpu
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--split", type=float, default=0.0, help="max_segment_s (0: no split)")
    args = parser.parse_args()
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
        seconds, rss, cpu = [], [], []
        last: dict[str, object] = {}
        for run in range(args.runs):
            last = child(path, tiny, root / f"out{run}", "prepare", args.split)
            seconds.append(float(last["seconds"]))  # type: ignore[arg-type] # JSON number
            cpu.append(float(last["cpu_seconds"]))  # type: ignore[arg-type] # JSON number
            rss.append(int(last["rss_delta"]))  # type: ignore[call-overload] # JSON number
        traced = child(path, tiny, root / "trace", "trace", args.split)["traced_peak"]
        whole = child(path, tiny, root / "whole", "whole", args.split)
        print(
            f"prepare_sample: median {statistics.median(seconds):.2f} s, worst {max(seconds):.2f} s"
            f" over {args.runs} runs; RSS growth median {statistics.median(rss) / MiB:.1f} MiB,"
            f" worst {max(rss) / MiB:.1f} MiB; tracemalloc peak {int(traced) / MiB:.1f} MiB"  # type: ignore[call-overload] # JSON number
        )
        print(f"  CPU time median {statistics.median(cpu):.2f} s, worst {max(cpu):.2f} s")
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
