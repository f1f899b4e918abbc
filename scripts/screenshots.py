"""`make screenshots`: write the README's pictures into docs/screenshots/ from the current code.

Starts a sandbox, JupyterLab and headless Chromium (all on 127.0.0.1, all stopped when done),
drives the clone widget and checks from its DOM that each picture shows one coherent state
before writing it (`uponai_devtools.screenshots`). Exits non-zero, saying what was wrong and
writing nothing, when a check fails.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from uponai_devtools.screenshots import SCREENSHOTS_DIR, IncoherentScreen, make_screenshots


def main(argv: list[str] | None = None) -> int:
    """Write the screenshots; 0 when all were written, 1 when a coherence check failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SCREENSHOTS_DIR, help="folder to write into")
    args = parser.parse_args(argv)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="uponai-screenshots-") as work:
        try:
            shots = make_screenshots(args.out, Path(work))
        except IncoherentScreen as exc:
            print(f"make screenshots: {exc}", file=sys.stderr)
            return 1
    for shot in shots:
        print(f"{shot.path} ({shot.path.stat().st_size // 1024} KiB): checked coherent")
    print(f"{len(shots)} screenshots in {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
