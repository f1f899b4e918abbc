"""Everything a running sandbox shares between requests."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import Settings
from .faults import ConnectionRegistry, FaultQueue, RequestLog
from .receive import Limits
from .store import Store


@dataclass
class SandboxState:
    """Settings, storage and the test-mode fault queue, request log and connection registry."""

    settings: Settings
    store: Store
    faults: FaultQueue = field(default_factory=FaultQueue)
    request_log: RequestLog = field(default_factory=RequestLog)
    connections: ConnectionRegistry = field(default_factory=ConnectionRegistry)

    @property
    def limits(self) -> Limits:
        """Upload limits from the settings."""
        return Limits(
            max_files=self.settings.max_files,
            max_file_size=self.settings.max_file_size,
            max_request_size=self.settings.max_request_size,
            max_field_size=self.settings.max_field_size,
        )
