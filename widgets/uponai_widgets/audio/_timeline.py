"""Where the speech is: one flag per 30 ms frame, as the speech detector (`_vad`) decided.

Trimming and splitting (`_split`) and the per-part speech of a prepared sample read it; it holds
no audio (one byte per frame: 120 KB an hour).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FRAME_S", "VAD_RATE", "SpeechTimeline"]

VAD_RATE = 16000  # the detector's rate
FRAME = 480  # 30 ms at 16 kHz, a frame length webrtcvad accepts
FRAME_S = FRAME / VAD_RATE


@dataclass(frozen=True, slots=True)
class SpeechTimeline:
    """One flag per 30 ms frame (1 = speech) from the start of the audio; `frame_s` long each."""

    flags: bytes
    frame_s: float = FRAME_S

    @property
    def speech_s(self) -> float:
        """Seconds judged to be speech."""
        return self.flags.count(1) * self.frame_s

    def part(self, start_s: float, end_s: float) -> SpeechTimeline:
        """The timeline of [start_s, end_s) (frames cut at the nearest frame edges)."""
        first, last = round(start_s / self.frame_s), round(end_s / self.frame_s)
        return SpeechTimeline(self.flags[first:last], self.frame_s)

    def span(self) -> tuple[float, float] | None:
        """(start, end) in seconds of the first and last speech frames, None without speech."""
        first = self.flags.find(1)
        if first < 0:
            return None
        last = self.flags.rfind(1)
        return first * self.frame_s, (last + 1) * self.frame_s

    def pauses(self, min_s: float) -> list[tuple[float, float]]:
        """(start, end) of each run of non-speech of at least `min_s` between speech frames."""
        found: list[tuple[float, float]] = []
        span = self.span()
        if span is None:
            return found
        need = max(1, round(min_s / self.frame_s))
        index, end = self.flags.find(1), self.flags.rfind(1)
        while index < end:
            gap = self.flags.find(0, index, end)
            if gap < 0:
                break
            resume = self.flags.find(1, gap, end + 1)
            if resume - gap >= need:
                found.append((gap * self.frame_s, resume * self.frame_s))
            index = resume
        return found
