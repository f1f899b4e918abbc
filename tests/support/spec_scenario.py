"""Use a regenerated client as a user would: from Python, a batch, the CLI and the widget.

Run in a subprocess whose `PYTHONPATH` puts the regenerated `generated_client` first (and `tests`
for this module), with `UPONAI_BASE_URL` and `UPONAI_API_KEY` set:

    python -m support.spec_scenario '{"fields": {...}, "cli": [...], "read": [...]}'

`fields` are the clone request's keywords; `cli` the same as command line options; `read` the
result attributes to report. It prints one JSON object: for each surface, the outcome (the
result's class name, a batch status, the CLI's exit status or an error's class name) and a detail.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uponai_widgets as uw
from support.browser_like import send_like_browser
from uponai_devtools.wav import noise_wav

Report = dict[str, Any]


def _samples(folder: Path) -> list[Path]:
    paths = []
    for seed in (1, 2):
        path = folder / f"take{seed}.wav"
        path.write_bytes(noise_wav(240, seed=seed))
        paths.append(path)
    return paths


def _result(result: object, read: list[str]) -> Report:
    return {
        "outcome": type(result).__name__,
        "detail": str(getattr(result, "voice_id", "")),
        "read": {name: str(getattr(result, name, None)) for name in read},
    }


def _guarded(surface: Callable[[], Report]) -> Report:
    try:
        return surface()
    except uw.UponAIError as error:
        return {"outcome": type(error).__name__, "detail": str(error)}


def _widget_input(widget: Any, keyword: str, value: Any) -> None:
    field = widget.form.inputs[keyword]
    if isinstance(value, bool):
        field.value = value
    elif isinstance(value, dict):
        field.value = "; ".join(f"{key}={item}" for key, item in value.items())
    else:
        field.value = str(value)


def _widget(fields: dict[str, Any], samples: list[Path], read: list[str]) -> Report:
    widget = uw.VoiceCloneWidget(uw.connect())
    for keyword, value in fields.items():
        try:
            _widget_input(widget, keyword, value)
        except Exception as exc:  # a dropdown offers only the spec's values
            return {"outcome": "none", "detail": f"{keyword}: cannot be chosen ({exc})"}
    for path in samples:
        send_like_browser(widget.picker, path.name, path.read_bytes())
    voice = asyncio.run(widget.clone())
    if voice is not None:
        return _result(voice, read)
    return {"outcome": "none", "detail": f"{widget.status.value} {widget.error_message}"}


def run(spec: dict[str, Any]) -> Report:
    """Every surface, once each, in this order: python, batch, cli, widget."""
    fields: dict[str, Any] = spec["fields"]
    read: list[str] = spec.get("read", [])
    report: Report = {}
    with tempfile.TemporaryDirectory() as scratch:
        samples = _samples(Path(scratch))
        connection = uw.connect()
        report["python"] = _guarded(
            lambda: _result(uw.clone_voice(connection, samples=samples, **fields), read)
        )
        job = {**fields, "samples": samples}
        row = uw.clone_voices(connection, [job], on_progress=False).rows[0]
        report["batch"] = {"outcome": row.status, "detail": row.voice_id or row.error}
        command = [sys.executable, "-m", "uponai_widgets.cli", "clone", *map(str, samples)]
        done = subprocess.run(
            [*command, *spec["cli"]], capture_output=True, text=True, timeout=120, check=False
        )
        report["cli"] = {"outcome": done.returncode, "detail": done.stdout + done.stderr}
        report["widget"] = _guarded(lambda: _widget(fields, samples, read))
    return report


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    print(json.dumps(run(json.loads(sys.argv[1]))))
