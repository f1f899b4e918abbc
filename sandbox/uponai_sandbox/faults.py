"""Test-mode helpers: queued faults, a log of received requests, and dropping connections."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Any

from .errors import ApiError

DROP_MODES = ("mid-body", "after-store")
"""`mid-body`: abort after about half the body; `after-store`: store the voice, then abort."""


@dataclass
class Fault:
    """One queued fault; `remaining` is None for a latency that lasts until cleared."""

    status: int | None = None
    drop: str | None = None
    latency_ms: int = 0
    retry_after: str | None = None
    retry_after_ms: int | None = None
    remaining: int | None = 1
    voice_name: str | None = None
    """Only a request whose `voiceName` field is exactly this one uses the fault."""

    def describe(self) -> dict[str, Any]:
        """JSON form, as listed by `GET /_sandbox/faults` and recorded in the request log."""
        described: dict[str, Any] = {"remaining": self.remaining}
        if self.status is not None:
            described["status"] = self.status
        if self.drop is not None:
            described["drop"] = self.drop
        if self.latency_ms:
            described["latency_ms"] = self.latency_ms
        if self.retry_after is not None:
            described["retry_after"] = self.retry_after
        if self.retry_after_ms is not None:
            described["retry_after_ms"] = self.retry_after_ms
        if self.voice_name is not None:
            described["voice_name"] = self.voice_name
        return described

    def error(self) -> ApiError:
        """The error response an injected status fault answers with."""
        headers: dict[str, str] = {}
        if self.retry_after is not None:
            headers["Retry-After"] = self.retry_after
        if self.retry_after_ms is not None:
            headers["retry-after-ms"] = str(self.retry_after_ms)
        status = self.status or 500
        return ApiError(
            status, "injected_fault", f"fault injected by the sandbox ({status})", headers=headers
        )


def _int(spec: dict[str, Any], key: str, low: int, high: int) -> int | None:
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiError(
            400, "invalid_fault", f"{key!r} must be an integer in [{low}, {high}]", field=key
        )
    return value


def parse_fault(spec: object) -> Fault:
    """Validate one fault description such as `{"status": 429, "count": 2, "retry_after": 1}`."""
    if not isinstance(spec, dict):
        raise ApiError(400, "invalid_fault", "a fault is a JSON object")
    known = {"status", "count", "retry_after", "retry_after_ms", "drop", "latency_ms", "voice_name"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise ApiError(400, "invalid_fault", f"unknown fault keys: {unknown}", field=unknown[0])
    status = _int(spec, "status", 400, 599)
    latency = _int(spec, "latency_ms", 0, 60_000) or 0
    count = _int(spec, "count", 1, 1_000_000)
    retry_after_ms = _int(spec, "retry_after_ms", 0, 3_600_000)
    drop = spec.get("drop")
    if drop is not None and drop not in DROP_MODES:
        raise ApiError(
            400, "invalid_fault", f"'drop' must be one of {list(DROP_MODES)}", field="drop"
        )
    retry_after = spec.get("retry_after")
    if retry_after is not None:
        if isinstance(retry_after, bool) or not isinstance(retry_after, int | float | str):
            raise ApiError(
                400,
                "invalid_fault",
                "'retry_after' is seconds or an HTTP date",
                field="retry_after",
            )
        retry_after = str(retry_after) if not isinstance(retry_after, float) else f"{retry_after:g}"
    if status is not None and drop is not None:
        raise ApiError(400, "invalid_fault", "a fault has either 'status' or 'drop', not both")
    if status is None and drop is None and not latency:
        raise ApiError(400, "invalid_fault", "a fault needs 'status', 'drop' or 'latency_ms'")
    voice_name = spec.get("voice_name")
    if voice_name is not None:
        if not isinstance(voice_name, str) or not voice_name:
            raise ApiError(
                400, "invalid_fault", "'voice_name' must be a non-empty string", field="voice_name"
            )
        if latency or drop == "mid-body":
            raise ApiError(
                400,
                "invalid_fault",
                "'voice_name' targets only status and after-store faults (they act once the "
                "whole body, and so the name, has arrived)",
                field="voice_name",
            )
    only_latency = status is None and drop is None
    remaining = count if count is not None else (None if only_latency else 1)
    return Fault(status, drop, latency, retry_after, retry_after_ms, remaining, voice_name)


class FaultQueue:
    """Faults applied, in order, to the next authenticated API requests.

    A latency without `count` is a standing delay (until cleared) added to every request;
    everything else is queued and used up one request at a time. A fault with `voice_name`
    waits on its own list for a request with that name (`take_targeted`), so it hits one job of
    a concurrent batch whatever order its requests arrive in.
    """

    def __init__(self) -> None:
        self._faults: deque[Fault] = deque()
        self._targeted: list[Fault] = []
        self.standing_latency_ms = 0

    def add(self, faults: list[Fault]) -> None:
        """Queue faults after those already waiting."""
        for fault in faults:
            if fault.remaining is None:
                self.standing_latency_ms = fault.latency_ms
            elif fault.voice_name is not None:
                self._targeted.append(fault)
            else:
                self._faults.append(fault)

    def clear(self) -> int:
        """Forget every queued fault and the standing latency; return how many there were."""
        count = len(self._faults) + len(self._targeted) + (1 if self.standing_latency_ms else 0)
        self._faults.clear()
        self._targeted.clear()
        self.standing_latency_ms = 0
        return count

    def pending(self) -> list[dict[str, Any]]:
        """The queued faults, next first, then the faults waiting for a voice name."""
        return [fault.describe() for fault in [*self._faults, *self._targeted]]

    def take_targeted(self, voice_name: str | None) -> Fault | None:
        """The first fault waiting for `voice_name`, consuming one use of it."""
        for fault in self._targeted:
            if voice_name is not None and fault.voice_name == voice_name:
                assert fault.remaining is not None
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._targeted.remove(fault)
                return fault
        return None

    def take(self) -> tuple[int, Fault | None]:
        """The delay (ms) and the fault for the current request, consuming one use of it."""
        if not self._faults:
            return self.standing_latency_ms, None
        fault = self._faults[0]
        assert fault.remaining is not None
        fault.remaining -= 1
        if fault.remaining <= 0:
            self._faults.popleft()
        return self.standing_latency_ms + fault.latency_ms, fault


class RequestLog:
    """What the sandbox received on the API path, oldest first."""

    def __init__(self, limit: int = 10_000) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)
        self._next = 1

    def start(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Append an entry (filled in further as the request is processed) and return it."""
        entry["seq"] = self._next
        self._next += 1
        self._entries.append(entry)
        return entry

    def entries(self) -> list[dict[str, Any]]:
        """A copy of the log."""
        return list(self._entries)

    def clear(self) -> int:
        """Empty the log; return how many entries it had."""
        count = len(self._entries)
        self._entries.clear()
        return count


class ConnectionRegistry:
    """Open transports by client address, so a handler can drop its own connection."""

    def __init__(self) -> None:
        self._transports: dict[tuple[str, int], asyncio.BaseTransport] = {}

    def register(self, client: tuple[str, int] | None, transport: asyncio.BaseTransport) -> None:
        """Remember a new connection."""
        if client is not None:
            self._transports[client] = transport

    def forget(self, client: tuple[str, int] | None) -> None:
        """Forget a closed connection."""
        if client is not None:
            self._transports.pop(client, None)

    async def drop(self, client: tuple[str, int] | None) -> bool:
        """Abort the connection of `client` without a response; True if it was found."""
        transport = self._transports.pop(client, None) if client is not None else None
        if transport is None:
            return False
        transport.abort()  # type: ignore[attr-defined]  # asyncio transports have abort()
        await asyncio.sleep(0)  # let the server see the connection is gone
        return True
