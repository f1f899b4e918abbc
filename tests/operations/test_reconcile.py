"""Unknown outcomes settled with a regenerated spec that can list voices: the CLI's
`--reconcile` run as a user would, with the client generated from the fixture spec in place of
`uponai_client` (a subprocess with that folder first on `PYTHONPATH`)."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.codegen import run_with_client
from support.operations import TOKEN
from support.scripted_server import ScriptedServer

from uponai_devtools.wav import noise_wav

pytestmark = pytest.mark.slow


def _voice(voice_id: str, name: str, created: str) -> dict[str, Any]:
    return {"voiceId": voice_id, "name": name, "createdAt": created}


def _page(*voices: dict[str, Any]) -> dict[str, Any]:
    body = {"items": list(voices), "page": 1, "limit": 20, "total": len(voices)}
    return {"match": "GET /api/workspaces/42/voices", "status": 200, "json": body}


def _speakers(root: Path) -> Path:
    for name in ("Ada", "Bea", "Cy"):
        (root / "voices" / name).mkdir(parents=True)
        (root / "voices" / name / "take.wav").write_bytes(noise_wav(8000, seed=len(name)))
    return root / "voices"


def _cli(
    generated: Path, api: ScriptedServer, *args: str | Path
) -> subprocess.CompletedProcess[str]:
    return run_with_client(generated, api.url, TOKEN, "-m", "uponai_widgets.cli", *args)


def test_reconcile_settles_each_unknown_row_by_what_the_workspace_holds(
    platform_client_dir: Path, api: ScriptedServer, tmp_path: Path
) -> None:
    clone = "POST /api/voices/clone"
    api.script(
        {"match": clone, "action": "drop_after_reading"},
        {"match": clone, "status": 502, "body": "Bad Gateway"},
        {"match": clone, "action": "drop_after_reading"},
        _page(_voice("v_ada", "Ada", "2099-01-01T00:00:00Z")),
        _page(_voice("v_old", "Bea", "2020-01-01T00:00:00Z")),
        _page(
            _voice("v_c1", "Cy", "2099-01-01T00:00:00Z"),
            _voice("v_c2", "Cy", "2099-01-02T00:00:00Z"),
        ),
    )
    out = tmp_path / "results.csv"
    done = _cli(
        platform_client_dir,
        api,
        "batch", _speakers(tmp_path), "--out", out, "--provider", "elevenlabs",
        "--workspace-id", "42", "--concurrency", "1", "--reconcile",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert api.pending() == 0, done.stdout + done.stderr
    assert [entry["method"] for entry in api.log()] == ["POST"] * 3 + ["GET"] * 3
    rows = {row["name"]: row for row in csv.DictReader(out.open(encoding="utf-8"))}
    assert (rows["Ada"]["status"], rows["Ada"]["voice_id"]) == ("created", "v_ada")
    assert rows["Bea"]["status"] == "failed"
    assert "none was created" in rows["Bea"]["error"]
    assert rows["Cy"]["status"] == "unknown"
    assert "v_c1, v_c2" in rows["Cy"]["error"]
    assert "created   Ada  v_ada" in done.stdout
    assert TOKEN not in done.stdout + done.stderr


def test_reconcile_without_a_listing_says_so_before_sending(
    api: ScriptedServer, tmp_path: Path
) -> None:
    installed = Path(__file__).resolve().parents[2] / "generated_client"
    done = _cli(
        installed,
        api,
        "batch", _speakers(tmp_path), "--out", tmp_path / "r.csv", "--provider", "p",
        "--workspace-id", "42", "--reconcile",
    )  # fmt: skip
    assert done.returncode == 2
    assert "no operation that lists a workspace's voices" in done.stderr
    assert api.log() == []
