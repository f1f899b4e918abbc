"""A local stand-in for the UponAI Platform API (see `python -m uponai_sandbox --help`)."""
