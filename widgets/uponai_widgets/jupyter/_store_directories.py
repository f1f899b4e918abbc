"""The stores' private temporary directories: named with the owner's PID, so a new store can
remove those of owners that died without cleaning up (a killed kernel)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

__all__ = ["PREFIXES", "remove_stale_directories"]

#: Prefixes of the stores' directories (picker, recorder) in the temporary directory.
PREFIXES = ("uponai-samples-", "uponai-recordings-")

_OWNED = re.compile(r"^(?:uponai-samples-|uponai-recordings-)(\d+)-")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_directories(parent: Path | None = None) -> list[Path]:
    """Delete store directories in `parent` (default: the temp dir) whose owner PID is dead."""
    parent = Path(tempfile.gettempdir()) if parent is None else parent
    removed: list[Path] = []
    with contextlib.suppress(OSError):
        for entry in parent.iterdir():
            match = _OWNED.match(entry.name)
            if match is None or int(match.group(1)) == os.getpid():
                continue
            try:
                if not entry.is_dir() or entry.stat().st_uid != os.getuid():
                    continue
            except OSError:
                continue
            if not _pid_alive(int(match.group(1))):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed
