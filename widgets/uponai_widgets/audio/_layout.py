"""Channel layouts: which channel is which, for BS.1770's weights and for the downmix.

A layout is named as FFmpeg names it ("5.1", "5.1(side)", "7.1"...) or given as channel names
("FL+FR+FC+LFE+BL+BR"). Without one, a channel count gets FFmpeg's default layout for it (a
WAV without a channel mask, a FLAC, most files). BS.1770-4 weighs left, right and centre 1.0,
the surround channels 1.41 (+1.5 dB) and leaves the LFE out; the mono downmix leaves the LFE
out too (it carries rumble and effects, not the voice).
"""

from __future__ import annotations

__all__ = ["DEFAULT_LAYOUTS", "channel_names", "downmix_weights", "loudness_weights"]

DEFAULT_LAYOUTS: dict[int, str] = {
    1: "FC",
    2: "FL+FR",
    3: "FL+FR+FC",
    4: "FL+FR+BL+BR",
    5: "FL+FR+FC+BL+BR",
    6: "FL+FR+FC+LFE+BL+BR",
    7: "FL+FR+FC+LFE+BC+SL+SR",
    8: "FL+FR+FC+LFE+BL+BR+SL+SR",
}
"""FFmpeg's default layout for each channel count (mono, stereo, 2.1 without LFE, quad, 5.0,
5.1, 6.1, 7.1)."""

_NAMED: dict[str, str] = {
    "mono": "FC",
    "stereo": "FL+FR",
    "2.1": "FL+FR+LFE",
    "3.0": "FL+FR+FC",
    "quad": "FL+FR+BL+BR",
    "quad(side)": "FL+FR+SL+SR",
    "4.0": "FL+FR+FC+BC",
    "5.0": "FL+FR+FC+BL+BR",
    "5.0(side)": "FL+FR+FC+SL+SR",
    "5.1": "FL+FR+FC+LFE+BL+BR",
    "5.1(side)": "FL+FR+FC+LFE+SL+SR",
    "6.1": "FL+FR+FC+LFE+BC+SL+SR",
    "7.1": "FL+FR+FC+LFE+BL+BR+SL+SR",
}
_SURROUND = {"BL", "BR", "SL", "SR", "BC", "SDL", "SDR"}
_LFE = {"LFE", "LFE2", "LFE1"}
SURROUND_WEIGHT = 1.41


def channel_names(channels: int, layout: str | None = None) -> list[str]:
    """The name of each channel: from `layout` when it has `channels` names, else the default."""
    if layout:
        names = _NAMED.get(layout, layout).upper().split("+")
        if len(names) == channels:
            return names
    default = DEFAULT_LAYOUTS.get(channels)
    return default.split("+") if default else [f"C{index}" for index in range(channels)]


def loudness_weights(channels: int, layout: str | None = None) -> list[float]:
    """BS.1770-4's weight of each channel: 0 for the LFE, 1.41 for surrounds, else 1.0."""
    return [
        0.0 if name in _LFE else SURROUND_WEIGHT if name in _SURROUND else 1.0
        for name in channel_names(channels, layout)
    ]


def downmix_weights(channels: int, layout: str | None = None) -> list[float]:
    """The mono mix: the mean of every channel but the LFE (of all of them without another)."""
    keep = [0.0 if name in _LFE else 1.0 for name in channel_names(channels, layout)]
    if not any(keep):
        keep = [1.0] * channels
    return [value / sum(keep) for value in keep]
