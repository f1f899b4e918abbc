"""Differential test: whatever the sandbox refuses as bad input, `validate_clone` refuses first.

Hypothesis builds odd calls (names, providers, ids, reasons, MIME types, sample bytes and file
names). Each goes through `clone_voice` against the real sandbox: either the client refuses it
with a `ValidationError` and the sandbox saw no request at all, or the sandbox creates the voice.
A 4xx about the input from the sandbox means the client let bad input through.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import uponai_widgets as uw
from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_wav, wav_header

pytestmark = pytest.mark.slow

WAV = make_wav(seconds=0.05)
MP3_FRAME = b"\xff\xfb\x90\x64" + bytes(400)  # an MPEG-1 layer III frame header, then silence

# Lengths either side of the sandbox's limits (provider 64, name 200, reason 1000 characters).
LIMIT_LENGTHS = st.sampled_from([0, 1, 63, 64, 65, 199, 200, 201, 999, 1000, 1001])
odd_chars = st.sampled_from(
    [
        "\x00",
        "\x1b",
        "\r",
        "\n",
        "\t",
        "\u200b",
        "\u200d",
        "\ufeff",
        "\u2028",
        " ",
        "é",
        "漢",
        "\x7f",
    ]
)
texts = st.one_of(
    st.text(max_size=12),
    st.lists(odd_chars, min_size=1, max_size=4).map("".join),
    st.builds(lambda a, b: a + b, st.text(max_size=6), odd_chars),
    LIMIT_LENGTHS.map(lambda n: "n" * n),
    st.just("Ada"),
)
ids = st.one_of(
    st.integers(-2, 5),
    st.integers(2**62, 2**64),
    st.just(2**63 - 1),
    st.just(2**63),
    st.none(),
)
reasons = st.one_of(
    st.none(),
    st.text(max_size=8),
    LIMIT_LENGTHS.map(lambda n: "r" * n),
    st.sampled_from(["café", "line\nbreak", "tab\there", "ticket 42"]),
)
mimes = st.one_of(
    st.none(),
    st.sampled_from(
        ["audio/wav", "audio/mpeg", "audio/webm;codecs=opus", "audio", "audio/wav\r\nX-A: 1",
         "a b/c", "/wav", "audio/x-wav", "text/plain", ""]
    ),
)  # fmt: skip
sample_bytes = st.sampled_from(
    [
        WAV,
        WAV[:44],
        WAV[:45],
        WAV[:46],
        b"RIFF\x00\x00\x00\x00WAVE",  # 12 bytes of magic
        wav_header(0),
        wav_header(2) + b"\x00\x00",
        MP3_FRAME,
        MP3_FRAME[:31],
        b"not audio at all" * 4,
        b"",
    ]
)
file_names = st.one_of(
    st.sampled_from(["a.wav", "take.mp3", "no_extension", "b.WAV", "x.flac"]),
    st.builds(lambda s: f"{s}.wav", st.text(max_size=6)),
)


VALID: dict[str, Any] = {
    "name": "Ada",
    "provider": "elevenlabs",
    "workspace_id": 1,
    "actor_type": None,
    "provider_id": None,
    "tenant_id": None,
    "impersonation_reason": None,
}


@st.composite
def samples(draw: st.DrawFn) -> list[Any]:
    chosen: list[Any] = []
    for index in range(draw(st.integers(1, 2))):
        name = f"{index}{draw(file_names)}"
        data = draw(sample_bytes)
        mime = draw(mimes)
        chosen.append((name, data, mime) if mime is not None else (name, data))
    return chosen


@st.composite
def calls(draw: st.DrawFn) -> dict[str, Any]:
    """A valid call with one or two fields replaced by odd values."""
    odd: dict[str, st.SearchStrategy[Any]] = {
        "name": texts,
        "provider": texts,
        "workspace_id": ids,
        "actor_type": st.sampled_from([None, "end_user", "platform_admin", "tenant_admin"]),
        "provider_id": ids,
        "tenant_id": ids,
        "impersonation_reason": reasons,
    }
    call = dict(VALID, samples=[("a.wav", WAV)])
    for field in draw(
        st.lists(st.sampled_from([*odd, "samples"]), min_size=1, max_size=2, unique=True)
    ):
        call[field] = draw(samples() if field == "samples" else odd[field])
    return call


def test_every_input_the_sandbox_refuses_is_refused_first(sandbox: RunningSandbox) -> None:
    outcomes: Counter[str] = Counter()
    connection = uw.connect(sandbox.url, sandbox.token, max_retries=0)

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(call=calls())
    def check(call: dict[str, Any]) -> None:
        sandbox.clear_requests()
        problems: list[uw.Problem] = []
        try:
            voice = uw.clone_voice(connection, **call)
        except uw.ValidationError as refused:
            problems = list(refused.problems)
        except (uw.InvalidRequestError, uw.UnsupportedMediaError, uw.PayloadTooLargeError) as exc:
            pytest.fail(f"the sandbox refused what validate_clone let through: {exc}")
        if problems:
            outcomes["refused"] += 1
            assert sandbox.requests() == [], "refused input must not reach the server"
        else:
            outcomes["created"] += 1
            assert voice.voice_id

    try:
        check()
    finally:
        connection.close()
    # Both sides of the comparison were really exercised.
    assert outcomes["refused"] >= 30, outcomes
    assert outcomes["created"] >= 30, outcomes
