"""Recognise audio formats by their first bytes (never by file name), and refuse files too small
to hold a single audio sample.

Written apart from the client's own sniffing on purpose: a stand-in server that shared the
client's code would be wrong in the same way and hide the client's mistakes.
"""

from __future__ import annotations

from dataclasses import dataclass

SNIFF_BYTES = 16
"""How many leading bytes `sniff_audio` needs to decide."""


MIN_WAV_BYTES = 45
"""The canonical 44-byte RIFF/fmt/data header plus one byte of 8-bit mono sample data."""
MIN_OTHER_BYTES = 32
"""The smallest MPEG audio frame (MPEG-1 layer I, 32 kbit/s, 48 kHz); every other accepted
container needs more than this for its headers before any audio."""


@dataclass(frozen=True)
class AudioFormat:
    """A recognised container: short name, the content type used to serve it, smallest size."""

    name: str
    content_type: str
    min_bytes: int = MIN_OTHER_BYTES


WAV = AudioFormat("wav", "audio/wav", MIN_WAV_BYTES)
MP3 = AudioFormat("mp3", "audio/mpeg")
FLAC = AudioFormat("flac", "audio/flac")
OGG = AudioFormat("ogg", "audio/ogg")
M4A = AudioFormat("m4a", "audio/mp4")
WEBM = AudioFormat("webm", "audio/webm")


def _is_mpeg_frame(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits, a valid version, layer and bitrate."""
    if len(head) < 3 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0x03
    layer = (head[1] >> 1) & 0x03
    bitrate = head[2] >> 4
    sample_rate = (head[2] >> 2) & 0x03
    return version != 0x01 and layer != 0x00 and bitrate != 0x0F and sample_rate != 0x03


def sniff_audio(head: bytes) -> AudioFormat | None:
    """Return the audio format whose magic bytes start `head`, or None if it is not audio."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[:3] == b"ID3" or _is_mpeg_frame(head):
        return MP3
    if head[:4] == b"fLaC":
        return FLAC
    if head[:4] == b"OggS":
        return OGG
    if head[4:8] == b"ftyp":
        return M4A
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return WEBM
    return None
