"""Sample inspection and waveform pictures (numpy, soundfile and PyAV: the `audio` extra).

It may import the core (`uponai_widgets._*`) and the standard library; numpy, soundfile and av
are imported on first use. Nothing here imports `batch/`, `jupyter/` or `cli/`.
"""
