"""Harness shared by the tests and the benchmarks (never shipped in the wheel).

Real servers and browsers, started the way the project's rules demand (127.0.0.1, bounded
start-up, stopped by PID): the sandbox (`sandbox`), JupyterLab (`lab`, `jupyter_env`), Chromium
through Playwright (`browser`), and WAV files written without numpy (`wav`). It is on the dev
environment's path through the editable install (`dev-mode-dirs` in pyproject.toml).
"""
