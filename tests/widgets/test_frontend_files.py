"""The front-end code is real `.js` / `.css` files, joined into each widget's module, in the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from uponai_widgets.jupyter import _frontend
from uponai_widgets.jupyter._picker import PICKER_CSS, PICKER_ESM, AudioPicker
from uponai_widgets.jupyter._recorder import RECORDER_ESM, VoiceRecorder

REPO = Path(__file__).resolve().parents[2]
JUPYTER = REPO / "widgets" / "uponai_widgets" / "jupyter"
FRONT_END = sorted(p.name for p in JUPYTER.iterdir() if p.suffix in (".js", ".css"))


def test_each_module_joins_the_shared_parts_once_and_its_own_view() -> None:
    for esm, view in ((PICKER_ESM, "picker.js"), (RECORDER_ESM, "recorder.js")):
        for part in (*_frontend.SHARED_PARTS, view):
            assert esm.count((JUPYTER / part).read_text()) == 1
        assert esm.rstrip().endswith("export default { render };")
        assert "import " not in esm  # anywidget sends one text: no relative imports
    assert (JUPYTER / "picker.css").read_text() in PICKER_CSS
    assert AudioPicker._esm == PICKER_ESM
    assert VoiceRecorder._esm == RECORDER_ESM


def test_no_front_end_code_left_in_python_strings() -> None:
    for module in JUPYTER.glob("*.py"):
        text = module.read_text()
        assert "function render(" not in text, module.name
        assert "model.send(" not in text, module.name


@pytest.mark.slow
def test_wheel_ships_every_front_end_file(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"uponai_widgets/jupyter/{name}" for name in FRONT_END} <= names
    assert {"chunk_sender.js", "picker.js", "recorder.js", "picker.css"} <= set(FRONT_END)
