"""Validation before any byte is sent: each problem names its sample or field."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from support.fake_api import (
    REASON,
    TOKEN,
    ScriptedTransport,
    clone_args,
    scripted_connection,
)

import uponai_widgets as uw
from uponai_devtools.wav import noise_wav

WAV = noise_wav(4000, seed=7)


def problems_for(tmp_path: Path, **overrides: Any) -> list[uw.Problem]:
    """Run clone_voice (sync and async) and validate_clone; all must refuse, sending nothing."""
    transport = ScriptedTransport()
    connection = scripted_connection(transport)
    with pytest.raises(uw.ValidationError) as sync_info:
        uw.clone_voice(connection, **clone_args(**overrides))
    with pytest.raises(uw.ValidationError) as async_info:
        asyncio.run(uw.clone_voice_async(connection, **clone_args(**overrides)))
    with pytest.raises(uw.ValidationError) as direct_info:
        uw.validate_clone(**clone_args(**overrides))
    assert transport.seen == []  # nothing was sent
    assert sync_info.value.problems == async_info.value.problems
    assert direct_info.value.problems == sync_info.value.problems
    return sync_info.value.problems


def only(problems: list[uw.Problem]) -> uw.Problem:
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize("samples", [[], (), None])
def test_no_samples(tmp_path: Path, samples: Any) -> None:
    problem = only(problems_for(tmp_path, samples=samples))
    assert (problem.sample, problem.field) == (None, "samples")
    assert "no samples" in problem.message


def test_one_sample_instead_of_a_list(tmp_path: Path) -> None:
    problem = only(problems_for(tmp_path, samples=str(tmp_path / "a.wav")))
    assert "list" in problem.message


def test_one_upload_entry_instead_of_a_list(tmp_path: Path) -> None:
    entry = {"name": "a.wav", "type": "audio/wav", "content": memoryview(WAV)}
    problem = only(problems_for(tmp_path, samples=entry))
    assert "samples=[entry]" in problem.message


def test_missing_path(tmp_path: Path) -> None:
    problem = only(problems_for(tmp_path, samples=[tmp_path / "nope.wav"]))
    assert problem.sample == "nope.wav"
    assert "no such file" in problem.message
    assert str(tmp_path) in problem.message


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "takes"
    folder.mkdir()
    problem = only(problems_for(tmp_path, samples=[folder]))
    assert problem.sample == "takes"
    assert "directory" in problem.message


def test_zero_bytes(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.touch()
    for sample in (empty, b"", ("e.wav", io.BytesIO()), {"name": "u.wav", "content": b""}):
        problem = only(problems_for(tmp_path, samples=[sample]))
        assert "empty (0 bytes)" in problem.message


def test_identical_content(tmp_path: Path) -> None:
    path = tmp_path / "one.wav"
    path.write_bytes(WAV)
    problem = only(problems_for(tmp_path, samples=[path, ("copy.wav", WAV)]))
    assert problem.sample == "copy.wav"
    assert "same content as sample 'one.wav'" in problem.message


def test_same_size_but_different_content_is_fine(tmp_path: Path) -> None:
    transport = ScriptedTransport()
    head_and_tail_equal = [WAV, WAV[:2000] + b"x" + WAV[2001:]]
    samples = [("a.wav", head_and_tail_equal[0]), ("b.wav", head_and_tail_equal[1])]
    uw.clone_voice(scripted_connection(transport), **clone_args(samples=samples))
    big = noise_wav(300_000, seed=1)
    samples = [("a.wav", big), ("b.wav", big[:150_000] + b"!" + big[150_001:])]
    uw.clone_voice(scripted_connection(transport), **clone_args(samples=samples))
    assert len(transport.seen) == 2


def test_text_mode_handle(tmp_path: Path) -> None:
    path = tmp_path / "t.wav"
    path.write_bytes(WAV)
    with path.open("r", encoding="latin-1") as handle:
        problem = only(problems_for(tmp_path, samples=[handle]))
    assert problem.sample == "t.wav"
    assert "text mode" in problem.message
    problem = only(problems_for(tmp_path, samples=[("s.wav", io.StringIO("RIFF"))]))
    assert "text mode" in problem.message


def test_not_audio(tmp_path: Path) -> None:
    notes = tmp_path / "notes.wav"
    notes.write_text("these are my notes, not audio")
    problem = only(problems_for(tmp_path, samples=[notes]))
    assert problem.sample == "notes.wav"
    assert "not audio" in problem.message
    assert "found text" in problem.message


def test_not_audio_never_echoes_the_content(tmp_path: Path) -> None:
    problem = only(problems_for(tmp_path, samples=[("key.wav", TOKEN.encode())]))
    assert "not audio" in problem.message
    assert TOKEN[:6] not in str(problem)


def test_over_the_per_file_limit(tmp_path: Path) -> None:
    transport = ScriptedTransport()
    connection = scripted_connection(transport)
    connection.limits = uw.Limits(max_file_bytes=3000)
    with pytest.raises(uw.ValidationError) as info:
        uw.clone_voice(connection, **clone_args(samples=[("big.wav", WAV)]))
    assert transport.seen == []
    problem = only(info.value.problems)
    assert problem.sample == "big.wav"
    assert "per-file limit" in problem.message
    with pytest.raises(uw.ValidationError):
        uw.validate_clone(**clone_args(samples=[("big.wav", WAV)]), limits=connection.limits)


def test_over_the_total_and_count_limits() -> None:
    samples = [(f"{i}.wav", noise_wav(4000, seed=i)) for i in range(4)]
    with pytest.raises(uw.ValidationError) as info:
        uw.validate_clone(
            **clone_args(samples=samples), limits=uw.Limits(max_total_bytes=10_000, max_files=3)
        )
    messages = [p.message for p in info.value.problems]
    assert any("4 samples, at most 3" in m for m in messages)
    assert any("in total, over the" in m for m in messages)


def test_default_count_limit_is_25(tmp_path: Path) -> None:
    samples = [(f"{i}.wav", noise_wav(100, seed=i)) for i in range(26)]
    problem = only(problems_for(tmp_path, samples=samples))
    assert "26 samples, at most 25" in problem.message


@pytest.mark.parametrize("name", ["", "   ", None, 5])
def test_empty_or_blank_name(tmp_path: Path, name: Any) -> None:
    problem = only(problems_for(tmp_path, name=name))
    assert (problem.sample, problem.field) == (None, "name")


@pytest.mark.parametrize("workspace_id", [0, -3, "abc", 1.5, True, None, "4 2"])
def test_workspace_id_not_a_positive_integer(tmp_path: Path, workspace_id: Any) -> None:
    problem = only(problems_for(tmp_path, workspace_id=workspace_id))
    assert problem.field == "workspace_id"
    assert "positive integer" in problem.message


@pytest.mark.parametrize("actor", ["platform_admin", "provider_admin", "x"])
def test_admin_actor_without_impersonation_reason(tmp_path: Path, actor: str) -> None:
    problem = only(problems_for(tmp_path, actor_type=actor))
    if actor == "x":
        assert problem.field == "actor_type"
    else:
        assert problem.field == "impersonation_reason"
        assert actor in problem.message


def test_impersonation_reason_problems_never_echo_the_reason(tmp_path: Path) -> None:
    problem = only(
        problems_for(tmp_path, actor_type="platform_admin", impersonation_reason=REASON + "\n")
    )
    assert problem.field == "impersonation_reason"
    assert REASON not in str(problem)


def test_provider_and_tenant_ids(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, provider_id=0, tenant_id="x")
    assert sorted(p.field for p in problems) == ["provider_id", "tenant_id"]


def test_all_problems_are_listed_readably(tmp_path: Path) -> None:
    missing = tmp_path / "gone.wav"
    with pytest.raises(uw.ValidationError) as info:
        uw.validate_clone(name=" ", provider="p", workspace_id=0, samples=[missing, b"hello"])
    error = info.value
    assert [(p.sample, p.field) for p in error.problems] == [
        (None, "workspace_id"),  # fields in the spec's order
        (None, "name"),
        ("gone.wav", "samples"),
        ("sample 2", "samples"),
    ]
    text = str(error)
    assert text.startswith("Nothing was sent: the request has 4 problems:")
    assert "- sample 'gone.wav': no such file" in text
    assert "- name: the voice name must not be empty or blank" in text
    assert error.status is None
    assert error.request_id is None


def test_admin_with_reason_and_digit_string_workspace_are_accepted() -> None:
    transport = ScriptedTransport()
    uw.clone_voice(
        scripted_connection(transport),
        **clone_args(workspace_id="42", actor_type="provider_admin", impersonation_reason=REASON),
    )
    seen = transport.seen[0]
    assert seen.fields["workspaceId"] == "42"
    assert seen.headers["x-actor-type"] == "provider_admin"
    assert seen.headers["x-impersonation-reason"] == REASON


def test_a_stream_that_fails_to_read_is_a_problem(tmp_path: Path) -> None:
    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            raise OSError("device not ready")

    problem = only(problems_for(tmp_path, samples=[("dev.wav", Broken())]))
    assert problem.sample == "dev.wav"
    assert "device not ready" in problem.message


def test_only_samples_of_equal_size_are_ever_hashed(monkeypatch: pytest.MonkeyPatch) -> None:
    from uponai_widgets._samples import SampleReader, Span

    hashed: list[tuple[str, str]] = []
    original = SampleReader.digest

    def spy(self: SampleReader, span: Span) -> str:
        hashed.append((self.label, span))
        return original(self, span)

    monkeypatch.setattr(SampleReader, "digest", spy)
    sizes = [noise_wav(300_000 + i, seed=i) for i in range(3)]
    uw.validate_clone(**clone_args(samples=[(f"{i}.wav", d) for i, d in enumerate(sizes)]))
    assert hashed == []
    equal = [noise_wav(300_000, seed=1), noise_wav(300_000, seed=2), noise_wav(100_000, seed=3)]
    uw.validate_clone(**clone_args(samples=[(f"{i}.wav", d) for i, d in enumerate(equal)]))
    assert hashed == [("0.wav", "head"), ("1.wav", "head")]  # the heads differ: nothing more
    hashed.clear()
    base = noise_wav(300_000, seed=4)
    other_end = base[:-10] + bytes(10)
    uw.validate_clone(**clone_args(samples=[("a.wav", base), ("b.wav", other_end)]))
    assert hashed == [("a.wav", "head"), ("b.wav", "head"), ("a.wav", "tail"), ("b.wav", "tail")]
    hashed.clear()
    with pytest.raises(uw.ValidationError):
        uw.validate_clone(**clone_args(samples=[("a.wav", base), ("c.wav", bytes(base))]))
    assert [span for _label, span in hashed] == ["head", "head", "tail", "tail", "all", "all"]
