"""Audio containers recognised by their magic bytes (the client's own sniffing; the sandbox
keeps a separate one on purpose)."""

from __future__ import annotations

__all__ = ["sniff_audio", "sniff_unaccepted_audio"]


def _is_mpeg_frame(head: bytes) -> bool:
    """An MPEG audio frame header: sync bits, a valid version, layer, bitrate and rate."""
    if len(head) < 3 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0x03, (head[1] >> 1) & 0x03
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 0x03
    return version != 0x01 and layer != 0x00 and bitrate != 0x0F and rate != 0x03


def sniff_audio(head: bytes) -> tuple[str, str] | None:
    """(extension, MIME type) of the audio container whose magic bytes start `head`, or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav", "audio/wav"
    if head[:3] == b"ID3" or _is_mpeg_frame(head):
        return "mp3", "audio/mpeg"
    if head[:4] == b"fLaC":
        return "flac", "audio/flac"
    if head[:4] == b"OggS":
        return "ogg", "audio/ogg"
    if head[4:8] == b"ftyp":
        return "m4a", "audio/mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm", "audio/webm"
    return None


_W64_RIFF = b"riff\x2e\x91\xcf\x11\xa5\xd6\x28\xdb\x04\xc1\x00\x00"


def sniff_unaccepted_audio(head: bytes) -> str | None:
    """The name of an audio container the API does not take but the audio extra decodes
    (AIFF, AIFF-C, RF64, Wave64, CAF, Sun AU), whose magic bytes start `head`, or None."""
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "AIFF-C" if head[8:12] == b"AIFC" else "AIFF"
    if head[:4] in (b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return "RF64"
    if head[:16] == _W64_RIFF:
        return "Wave64"
    if head[:4] == b"caff":
        return "CAF"
    if head[:4] == b".snd":
        return "Sun AU"
    return None
