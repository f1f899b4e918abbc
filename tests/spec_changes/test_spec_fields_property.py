"""Hypothesis adds random optional fields of every JSON type to the clone body; after a
regeneration each one is a keyword of `clone_voice` and reaches the wire."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.codegen import NAME_MAP, REGENERATE, SPEC, run_with_client
from support.scripted_server import ScriptedServer
from test_spec_catalogue import VOICE, body

pytestmark = pytest.mark.slow

EXISTING = {"workspaceId", "voiceProvider", "voiceName", "files"}
PROBE = """
import json, sys
import uponai_widgets as uw
from uponai_devtools.wav import noise_wav
from uponai_widgets._clone_request import CLONE
by_wire = {f.wire: f.keyword for f in CLONE.fields}
values = {by_wire[wire]: value for wire, value in json.loads(sys.argv[1]).items()}
voice = uw.clone_voice(uw.connect(), name="N", provider="p", workspace_id=1,
                       samples=[("a.wav", noise_wav(200), "audio/wav")], **values)
print(voice.voice_id)
"""

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8)
text = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789-_.", min_size=1, max_size=12)
KINDS: dict[str, tuple[dict[str, Any], st.SearchStrategy[Any]]] = {
    "string": ({"type": "string"}, text),
    "integer": ({"type": "integer"}, st.integers(-(2**40), 2**40)),
    "number": (
        {"type": "number"},
        st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)),
    ),
    "boolean": ({"type": "boolean"}, st.booleans()),
    "array": (
        {"type": "array", "items": {"type": "string"}},
        st.lists(text, min_size=1, max_size=3),
    ),
    "map": (
        {"type": "object", "additionalProperties": {"type": "string"}},
        st.dictionaries(words, text, min_size=1, max_size=3),
    ),
    "enum": ({"type": "string", "enum": ["alpha", "beta", "gamma"]}, st.sampled_from(["beta"])),
}


@st.composite
def new_fields(draw: st.DrawFn) -> dict[str, tuple[str, Any]]:
    """Wire name -> (kind, value) for one to four new optional fields."""
    names = draw(st.lists(words, min_size=1, max_size=4, unique=True))
    return {
        f"extra{name.capitalize()}": (
            kind := draw(st.sampled_from(sorted(KINDS))),
            draw(KINDS[kind][1]),
        )
        for name in names
    }


def _on_wire(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [json.dumps(value)]
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


@pytest.fixture(scope="module")
def api() -> Any:
    with ScriptedServer(max_seconds=900) as running:
        yield running


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(fields=new_fields())
def test_random_optional_fields_reach_the_wire(
    fields: dict[str, tuple[str, Any]],
    api: ScriptedServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("fields")
    spec = copy.deepcopy(json.loads(SPEC.read_text()))
    for wire, (kind, _value) in fields.items():
        body(spec)["properties"][wire] = dict(KINDS[kind][0])
    (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    (folder / "names.json").write_text(NAME_MAP.read_text(), encoding="utf-8")
    package = folder / "generated_client" / "uponai_client"
    command = [sys.executable, str(REGENERATE), "--spec", str(folder / "spec.json")]
    command += ["--name-map", str(folder / "names.json"), "--package-dir", str(package)]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    api.reset()
    api.script({"status": 201, "json": VOICE})
    values = {wire: value for wire, (_kind, value) in fields.items()}
    used = run_with_client(
        package.parent, api.url, "sk-property-SECRET-0123", "-c", PROBE, json.dumps(values)
    )
    assert used.returncode == 0, used.stderr
    assert used.stdout.strip() == "v_cat"
    (entry,) = api.log()
    sent = entry["body_text"] or ""
    for wire, value in values.items():
        assert f'name="{wire}"' in sent, (wire, sent)
        for shown in _on_wire(value):
            assert shown in sent, (wire, shown)
