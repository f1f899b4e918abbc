"""The "Any operation" block of docs/any-operation.md, run line by line as a user would after regenerating
from a spec in UponAI's style: a subprocess with the generated fixture client in place of
`uponai_client`, against the scripted API."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from support.codegen import run_with_client
from support.operations import TOKEN, VOICE, error_body
from support.scripted_server import ScriptedServer

from uponai_devtools.wav import noise_wav

pytestmark = pytest.mark.slow

PAGE = Path(__file__).resolve().parents[2] / "docs" / "any-operation.md"
MARK = "<!-- run-by: tests/operations/test_readme_any_operation.py -->"


def documented_block() -> str:
    text = PAGE.read_text(encoding="utf-8")
    after = text[text.index(MARK) + len(MARK) :]
    found = re.search(r"```python\n(.*?)```", after, re.S)
    assert found is not None, "docs/any-operation.md lost its example"
    return found.group(1)


def _page(*items: dict[str, Any], limit: int = 20) -> dict[str, Any]:
    body = {"items": list(items), "page": 1, "limit": limit, "total": len(items)}
    return {"match": "GET /api/workspaces/42/voices", "status": 200, "json": body}


def test_the_documented_example_runs_and_says_what_it_promises(
    platform_client_dir: Path, api: ScriptedServer, tmp_path: Path
) -> None:
    ada_now = {**VOICE, "voiceId": "v_new", "createdAt": "2099-01-01T00:00:00Z"}
    summary = {"providerVoiceId": "p_1", "name": "Bo", "provider": "elevenlabs"}
    api.script(
        _page(VOICE, limit=50),
        {"match": "GET /api/voices/v_missing", "status": 404, "json": error_body("no voice")},
        _page(VOICE),
        {"match": "GET /api/voices/v_1", "status": 200, "json": VOICE},
        {"match": "GET /api/voices/discover", "status": 200, "json": {"data": [summary], "nextCursor": None}},
        _page(VOICE),
        {"match": "POST /api/voices/clone", "action": "drop_after_reading"},
        _page(VOICE, ada_now),
    )  # fmt: skip
    (tmp_path / "voices" / "Ada").mkdir(parents=True)
    (tmp_path / "voices" / "Ada" / "take.wav").write_bytes(noise_wav(8000))
    script = tmp_path / "example.py"
    script.write_text(documented_block(), encoding="utf-8")
    done = run_with_client(platform_client_dir, api.url, TOKEN, script, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert api.pending() == 0
    lines = done.stdout.splitlines()
    assert lines[0] == "1 ['Ada']"
    assert lines[1] == "no such voice: no voice req_body"
    assert lines[2] == "v_1 Ada"
    assert lines[3] == "Ada 1 voices to discover"
    assert lines[4] == "['v_1']"
    assert lines[5] == "{'created': 1, 'unknown': 0, 'failed': 0, 'skipped': 0, 'cancelled': 0}"
