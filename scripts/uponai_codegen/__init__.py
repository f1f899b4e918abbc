"""The regeneration pipeline behind `scripts/regenerate.py`.

Each step is a small module: `spec` (load and validate), `normalize` (named spec fixes),
`generator` (run the pinned openapi-python-client), `transforms` (tested post-generation
fixes) and `tree` (compare, verify and atomically replace the package).
"""


class PipelineError(Exception):
    """A problem that stops regeneration; its message names the file and what to change."""
