"""Sample inspection, preparation and waveform pictures (numpy, soundfile, PyAV, soxr, webrtcvad:
the `audio` extra).

It may import the core (`uponai_widgets._*`) and the standard library. The modules a caller
imports first (`_inspect`, `_waveform`, `_verdict`, `_figures`, `_run`, `_options`) import no
audio library: `_inspect` checks for numpy on first use (an ImportError naming the extra) and
only then imports the modules that do the arithmetic, which import numpy at module level.
Nothing here imports `batch/`, `jupyter/` or `cli/`.
"""
