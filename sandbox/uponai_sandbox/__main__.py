"""`python -m uponai_sandbox --host 127.0.0.1 --port 8765 --token TOKEN --data-dir DIR`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from .config import parse_settings
from .server import serve


def main(argv: Sequence[str] | None = None) -> int:
    """Parse flags and environment, then serve until interrupted."""
    settings = parse_settings(argv)
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s: %(message)s")
    serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
