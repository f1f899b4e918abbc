"""`python -m uponai_widgets.cli`: the same as the `uponai-voices` command."""

import sys

from . import main

sys.exit(main())
