"""Shared pieces of the `tests/operations` suite: secrets, answers, recorded retry waits."""

from __future__ import annotations

from typing import Any

TOKEN = "sk-ops-2f9e8d7c6b5a4-SECRET"
REASON = "ticket 4711: the customer asked us to fix their agent"

VOICE: dict[str, Any] = {
    "voiceId": "v_1",
    "name": "Ada",
    "provider": "elevenlabs",
    "createdAt": "2026-12-03T10:00:00Z",
}
AGENT: dict[str, Any] = {
    "agentId": 5,
    "name": "Front desk",
    "voiceId": "v_1",
    "createdAt": "2026-12-03T10:00:00Z",
}


def error_body(message: str, code: str = "some_code", request_id: str = "req_body") -> Any:
    """An error document in the fixture spec's `Error` shape."""
    return {"error": {"message": message, "code": code, "requestId": request_id}}


class Waits:
    """Retry waits, recorded instead of slept."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def sleep(self, seconds: float) -> None:
        """Record a sync wait."""
        self.seconds.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        """Record an async wait."""
        self.seconds.append(seconds)
