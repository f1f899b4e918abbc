"""Batch cloning: `clone_voices`, jobs, the result table and batch progress (data only).

It may import the core (`uponai_widgets._*`) and the standard library, never `audio/`,
`jupyter/` or `cli/`, and builds no HTML: the notebook layer registers its views through
`batch._hooks.notebook_hooks`.
"""
