"""A PreparedSample is a sample: clone_voice and batch jobs send exactly its files.

The core recognises it through `sample_files()` (`_samples.expand_samples`) and never imports
the audio layer.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path
from types import SimpleNamespace

import pytest

import uponai_widgets as uw
from uponai_devtools.sandbox import RunningSandbox
from uponai_widgets._samples import expand_samples

PACKAGE = Path(uw.__file__).parent


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def split_reading(reading_wav: Path, tmp_path: Path) -> uw.PreparedSample:
    prepared = uw.prepare_sample(reading_wav, out_dir=tmp_path / "prepared", max_segment_s=60)
    assert len(prepared.paths) >= 3
    return prepared


def test_clone_voice_sends_exactly_the_prepared_files(
    sandbox: RunningSandbox, split_reading: uw.PreparedSample, sentence_wav: Path
) -> None:
    connection = uw.connect(sandbox.url, sandbox.token)
    voice = uw.clone_voice(
        connection,
        name="Prepared",
        provider="elevenlabs",
        workspace_id=1,
        samples=[split_reading, sentence_wav],
    )
    stored = sandbox.voice_record(voice.voice_id)["samples"]
    expected = [*split_reading.paths, sentence_wav]
    assert [s["sha256"] for s in stored] == [sha(path) for path in expected]
    assert [s["filename"] for s in stored] == [path.name for path in expected]
    assert sha(split_reading.paths[0]) != sha(sentence_wav)


def test_a_batch_job_sends_the_prepared_files(
    sandbox: RunningSandbox, quiet_padded_wav: Path, tmp_path: Path
) -> None:
    prepared = uw.prepare_sample(quiet_padded_wav, out_dir=tmp_path)
    connection = uw.connect(sandbox.url, sandbox.token)
    jobs = [{"name": "Batch prepared", "provider": "p", "workspace_id": 1, "samples": [prepared]}]
    result = uw.clone_voices(connection, jobs, on_progress=False)
    (voice_id,) = result.voice_ids.values()
    stored = sandbox.voice_record(voice_id)["samples"]
    assert [s["sha256"] for s in stored] == [sha(prepared.path)]
    assert sha(prepared.path) != sha(quiet_padded_wav)


def test_expand_samples_replaces_an_object_by_its_files() -> None:
    stand_in = SimpleNamespace(sample_files=lambda: ("a.wav", "b.wav"))
    assert expand_samples(["x.wav", stand_in, b"RIFF"]) == ["x.wav", "a.wav", "b.wav", b"RIFF"]
    not_callable = SimpleNamespace(sample_files=("a.wav",))
    assert expand_samples([not_callable]) == [not_callable]


def test_validation_counts_and_checks_the_files_a_sample_stands_for(tmp_path: Path) -> None:
    missing = SimpleNamespace(sample_files=lambda: (tmp_path / "gone.wav",))
    with pytest.raises(uw.ValidationError, match="no such file"):
        uw.validate_clone(name="A", provider="p", workspace_id=1, samples=[missing])
    many = SimpleNamespace(sample_files=lambda: [tmp_path / f"{i}.wav" for i in range(30)])
    with pytest.raises(uw.ValidationError, match="30 samples, at most 25 allowed"):
        uw.validate_clone(name="A", provider="p", workspace_id=1, samples=[many])


def test_the_core_never_imports_the_audio_layer() -> None:
    for module in sorted(p for p in PACKAGE.glob("_*.py") if p.name != "__init__.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = ("." * node.level) + (node.module or "")
                assert "audio" not in target, f"{module.name} imports {target}"
            elif isinstance(node, ast.Import):
                assert all("audio" not in alias.name for alias in node.names), module.name
