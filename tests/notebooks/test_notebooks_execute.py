"""Both notebooks executed headless with nbclient against the sandbox, then checked for leaks.

nbclient stores widget state in the executed notebook by default (`store_widget_state=True`),
which is exactly the headless path where a token, FileUpload buffers or an impersonation reason
could be written out; the saved file is checked for all three.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_wav

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
REASON = "ticket-4711 customer asked for help"

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def kernel_env(monkeypatch: pytest.MonkeyPatch, sandbox: RunningSandbox, tmp_path: Path) -> None:
    """The kernel inherits this process's environment: point it at the sandbox."""
    monkeypatch.setenv("UPONAI_BASE_URL", sandbox.url)
    monkeypatch.setenv("UPONAI_API_KEY", sandbox.token)
    monkeypatch.setenv("UPONAI_WORKSPACE_ID", "5")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))


def execute(nb: Any, cwd: Path) -> Any:
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()
    return nb


def outputs_text(nb: Any) -> str:
    chunks = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            chunks.append(json.dumps(output))
    return "\n".join(chunks)


def assert_no_secrets(saved: str, token: str, audio: list[bytes]) -> None:
    assert token not in saved
    assert REASON not in saved
    for data in audio:
        assert base64.b64encode(data[44:1044]).decode()[:200] not in saved
    assert "UklGR" not in saved  # base64 of "RIFF": no WAV anywhere in the file


@pytest.mark.parametrize("name", ["clone_voice.ipynb", "clone_voice_api.ipynb"])
def test_committed_notebooks_have_outputs_stripped(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


@pytest.mark.usefixtures("kernel_env")
def test_api_notebook_clones_and_handles_errors(sandbox: RunningSandbox, tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOKS / "clone_voice_api.ipynb", as_version=4)
    execute(nb, tmp_path)
    text = outputs_text(nb)
    assert "cloned " in text
    # The VoiceCard widget's state holds the card (class and voice id).
    card_state = json.dumps(nb.metadata["widgets"])
    assert "uponai-card" in card_state
    assert "AuthenticationError (HTTP 401)" in text
    assert "Nothing was sent" in text
    assert "Traceback" not in text
    clones = [r for r in sandbox.requests() if r.get("status") == 201]
    statuses = sorted(r.get("status") for r in sandbox.requests())
    assert len(clones) == 1, statuses
    assert sorted(f["filename"] for f in clones[0]["files"]) == ["take-1.wav", "take-2.wav"]
    saved = tmp_path / "executed.ipynb"
    nbformat.write(nb, saved)
    assert_no_secrets(saved.read_text(), sandbox.token, [])


DRIVE_WIDGET = """
# FileUpload-style entries assigned from Python (the picker's kernel-only `value`) are moved to
# temporary files at once: the saved state must hold none of the audio.
widget.picker.value = tuple(ENTRIES)
assert widget.picker.value == ()
widget.form.inputs["name"].value = "Headless widget voice"
widget.form.inputs["actor_type"].value = "platform_admin"
widget.form.inputs["impersonation_reason"].value = REASON
widget.clone_button.click()
"""

CHECK_WIDGET = """
# This cell runs while the clone (slowed by the sandbox) is still in flight.
print("kernel answered while clone busy:", widget.busy, widget.clone_button.disabled)
await widget.task
assert widget.voice is not None, widget.error.value
assert widget.form.inputs["impersonation_reason"].value == ""
print("voice", widget.voice.voice_id)
widget.voice
"""


@pytest.mark.slow
@pytest.mark.usefixtures("kernel_env")
def test_widget_notebook_headless_stores_no_secret_or_audio(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    one, two = make_wav(seconds=1.0, freq=250), make_wav(seconds=1.0, freq=410)
    nb = nbformat.read(NOTEBOOKS / "clone_voice.ipynb", as_version=4)
    entries = [
        {"name": n, "type": "audio/wav", "size": len(d), "last_modified": 0}
        for n, d in (("one.wav", one), ("two.wav", two))
    ]
    setup = (
        f"REASON = {REASON!r}\n"
        f"ENTRIES = {entries!r}\n"
        f"for entry, data in zip(ENTRIES, [{one!r}, {two!r}]):\n"
        "    entry['content'] = memoryview(bytearray(data))\n"
        "    entry['last_modified'] = __import__('datetime').datetime.now(__import__('datetime').UTC)\n"
    )
    nb.cells.append(nbformat.v4.new_code_cell(setup + DRIVE_WIDGET))
    nb.cells.append(nbformat.v4.new_code_cell(CHECK_WIDGET))
    sandbox.inject_fault(latency_ms=2000, count=1)
    execute(nb, tmp_path)
    text = outputs_text(nb)
    assert "kernel answered while clone busy: True True" in text
    assert "voice " in text
    assert "uponai-card" in text
    (clone,) = [r for r in sandbox.requests() if r.get("status") == 201]
    assert clone["headers"].get("x-actor-type") == "platform_admin"
    # The executed notebook keeps widget state (so the check below is not vacuous)...
    assert "widgets" in nb.metadata
    state = json.dumps(nb.metadata["widgets"])
    assert "AnyModel" in state  # the chunked audio picker
    assert "Headless widget voice" in state
    # ...but neither the token, the reason nor any audio; the setup cell itself is dropped
    # because it holds the test's audio bytes literally.
    nb.cells.pop(-2)
    saved = tmp_path / "executed.ipynb"
    nbformat.write(nb, saved)
    assert_no_secrets(saved.read_text(), sandbox.token, [one, two])
