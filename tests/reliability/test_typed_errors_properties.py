"""Property tests: whatever a server answers and whatever a caller passes, `clone_voice` returns
a voice or raises a typed `UponAIError` with no secret in it.

The server behaviours are served by a real loopback socket (`support.raw_http.RawServer`), so
the client's own socket, h11 and decoders see them, not a mock transport.
"""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.raw_http import Answer, RawServer
from support.reliability import REASON, TOKEN, quick_connection, voice_json, wav_bytes

import uponai_widgets as uw

SAMPLE = wav_bytes(seconds=0.05)

statuses = st.sampled_from([200, 201, 202, 204, 400, 401, 403, 404, 413, 415, 422, 429, 500, 503])
encodings = st.sampled_from([None, "gzip", "deflate", "br", "identity", "x-unknown"])


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["voice", "error", "json", "bytes", "nested", "empty", "secret"]))
    if kind == "voice":
        return json.dumps(voice_json()).encode()
    if kind == "error":
        return json.dumps({"message": draw(st.text(max_size=40)), "requestId": "req_1"}).encode()
    if kind == "json":
        value = draw(st.recursive(st.none() | st.integers() | st.text(max_size=8), _containers))
        return json.dumps(value).encode()
    if kind == "nested":
        depth = draw(st.integers(1000, 50_000))
        return b"[" * depth + b"]" * depth
    if kind == "secret":
        return json.dumps({"message": f"bad token {TOKEN}\n and {REASON}"}).encode()
    if kind == "empty":
        return b""
    return draw(st.binary(max_size=300))


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=6), children, max_size=4
    )


def _encode(body: bytes, encoding: str | None, corrupt: bool) -> bytes:
    if encoding == "gzip" and not corrupt:
        return gzip.compress(body)
    if encoding == "deflate" and not corrupt:
        return zlib.compress(body)
    return body


@st.composite
def replies(draw: st.DrawFn) -> Answer:
    """Raw reply bytes: a status line, headers, a body (maybe encoded, truncated) or a drop."""
    shape = draw(st.sampled_from(["reply", "reply", "reply", "drop", "mid-body", "garbage"]))
    if shape == "drop":
        return Answer(reply=b"")
    if shape == "mid-body":
        return Answer(reply=b"", read_body=draw(st.integers(0, 200)))
    if shape == "garbage":
        return Answer(reply=draw(st.binary(min_size=1, max_size=200)))
    status = draw(statuses)
    encoding = draw(encodings)
    corrupt = draw(st.booleans())
    body = _encode(draw(bodies()), encoding, corrupt)
    headers = [f"HTTP/1.1 {status} X", "Connection: close"]
    headers.append(f"Content-Type: {draw(st.sampled_from(['application/json', 'text/html']))}")
    if encoding is not None:
        headers.append(f"Content-Encoding: {encoding}")
    if draw(st.booleans()):
        headers.append(f"Retry-After: {draw(st.sampled_from(['0', '-1', 'soon', '1e9', '']))}")
    if draw(st.booleans()):
        headers.append(f"X-Request-Id: {draw(st.text(alphabet='abc_123', max_size=12))}")
    cut = draw(st.integers(0, len(body))) if draw(st.booleans()) else len(body)
    declared = len(body) if draw(st.booleans()) else draw(st.integers(0, len(body) + 50))
    if draw(st.booleans()):
        headers.append(f"Content-Length: {declared}")
    head = ("\r\n".join(headers) + "\r\n\r\n").encode()
    return Answer(reply=head + body[:cut])


@pytest.fixture(scope="module")
def server() -> Any:
    with RawServer() as running:
        yield running


@pytest.fixture(scope="module")
def connection(server: RawServer) -> Any:
    """One connection for every example (a new httpx client costs an SSL context each)."""
    with quick_connection(server.url, max_retries=0) as connected:
        yield connected


def _no_secret(error: BaseException) -> None:
    text = str(error) + repr(error)
    assert TOKEN not in text
    assert REASON not in text


def _check_typed(error: uw.UponAIError) -> None:
    """Readable, secret-free, and a 2xx that was not a voice is an unknown outcome (so is a 5xx
    other than 503 after the whole body: the API may have stored the voice)."""
    _no_secret(error)
    assert str(error).strip()
    if isinstance(error, uw.OutcomeUnknownError):  # no answer, a 2xx, or a 5xx but 503
        status = error.status
        assert status is None or 200 <= status < 300 or (500 <= status <= 599 and status != 503)
    if error.status is not None and 200 <= error.status < 300:
        assert isinstance(error, uw.OutcomeUnknownError), error
        assert "probably created" in str(error)


@pytest.mark.slow
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(answer=replies())
def test_any_server_behaviour_gives_a_voice_or_a_typed_error(
    server: RawServer, answer: Answer
) -> None:
    server.script = [answer]
    server.received.clear()
    connection = quick_connection(server.url, max_retries=0)
    try:
        voice = uw.clone_voice(
            connection,
            name="Ada",
            provider="elevenlabs",
            workspace_id=1,
            samples=[("a.wav", SAMPLE)],
            actor_type="platform_admin",
            impersonation_reason=REASON,
            timeout=5,
        )
    except uw.UponAIError as error:
        _check_typed(error)
    else:
        assert isinstance(voice, uw.Voice)
        assert answer.reply.startswith(b"HTTP/1.1 201 ")


# -- odd inputs ---------------------------------------------------------------------------------

odd_text = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=st.sampled_from("\x00\x1b\r\n\t\u200b\u2028\ufeff\xe9 aZ"), max_size=8),
    st.just("x" * 300),
    st.none(),
    st.integers(),
    st.binary(max_size=4),
)
odd_ids = st.one_of(
    st.integers(-(2**70), 2**70),
    st.just(2**63),
    st.just(2**63 - 1),
    st.text(alphabet="0123456789 -+x", max_size=22),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
)
odd_samples = st.one_of(
    st.none(),
    st.just([]),
    st.lists(
        st.one_of(
            st.binary(max_size=64),
            st.just(SAMPLE),
            st.tuples(st.text(max_size=8), st.just(SAMPLE), odd_text),
            st.tuples(st.just("a.wav"), st.binary(min_size=0, max_size=50)),
            st.just(b"RIFF\x04\x00\x00\x00WAVE"),
            st.text(max_size=10),
            st.integers(),
            st.dictionaries(st.sampled_from(["name", "content"]), st.binary(max_size=20)),
        ),
        max_size=3,
    ),
    st.binary(max_size=10),
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    name=odd_text,
    provider=odd_text,
    workspace_id=odd_ids,
    samples=odd_samples,
    actor_type=st.one_of(st.none(), st.sampled_from(["platform_admin", "end_user", "root", ""])),
    reason=st.one_of(st.none(), odd_text, st.just(REASON + "\xe9"), st.just(REASON)),
    provider_id=st.one_of(st.none(), odd_ids),
)
def test_odd_inputs_give_a_voice_or_a_typed_error(
    server: RawServer,
    connection: Any,
    name: Any,
    provider: Any,
    workspace_id: Any,
    samples: Any,
    actor_type: Any,
    reason: Any,
    provider_id: Any,
) -> None:
    server.script = [Answer(reply=_created())]
    server.received.clear()
    try:
        uw.clone_voice(
            connection,
            name=name,
            provider=provider,
            workspace_id=workspace_id,
            samples=samples,
            actor_type=actor_type,
            impersonation_reason=reason,
            provider_id=provider_id,
        )
    except uw.ValidationError as error:
        _no_secret(error)
        received = list(server.received)
    except uw.UponAIError as error:  # only validation can fail against this server
        raise AssertionError(f"not a validation error: {error!r}") from error
    else:
        received = []
        assert len(server.received) == 1
    assert received == []  # a rejected request sent nothing


def _created() -> bytes:
    body = json.dumps(voice_json()).encode()
    head = f"HTTP/1.1 201 Created\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return head.encode() + body


@pytest.mark.parametrize("path", ["\x00", "take\x00one.wav"])
def test_a_sample_path_with_a_nul_byte_is_a_validation_error(path: str) -> None:
    """Found by the property above: `Path.stat` raises a plain ValueError for such a name."""
    connection = uw.connect(base_url="http://127.0.0.1:9", token=TOKEN)
    with pytest.raises(uw.ValidationError) as caught:
        uw.clone_voice(connection, samples=[path], name="A", provider="p", workspace_id=1)
    assert "is not a usable file name (embedded null byte)" in str(caught.value)
