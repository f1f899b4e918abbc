"""One test per defect found by the reliability review, each over a real loopback socket.

Every test here failed on the code before the fix (run and seen failing first).
"""

from __future__ import annotations

import gzip
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from support.raw_http import Answer, RawServer, response
from support.reliability import (
    REASON,
    TOKEN,
    created_reply,
    quick_connection,
    wav_bytes,
    wav_path,
)
from support.streams import OneWay

import uponai_widgets as uw
from uponai_client import AuthenticatedClient
from uponai_widgets._connection import as_connection
from uponai_widgets._errors import redact
from uponai_widgets.batch._jobs import prepare_jobs


def _args(samples: list[Any], **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "name": "Ada",
        "provider": "elevenlabs",
        "workspace_id": 42,
        "samples": samples,
    }
    args.update(overrides)
    return args


def _no_secret(text: str) -> None:
    assert TOKEN not in text
    assert TOKEN.strip() not in text
    assert REASON not in text


# -- unknown outcomes -------------------------------------------------------------------------


def test_connection_closed_after_the_whole_body_is_an_unknown_outcome() -> None:
    with RawServer([Answer(reply=b"")]) as server:
        connection = quick_connection(server.url)
        with pytest.raises(uw.OutcomeUnknownError) as caught:
            uw.clone_voice(connection, **_args([("a.wav", wav_bytes())]))
        assert isinstance(caught.value, uw.APIConnectionError)
        assert len(server.received) == 1, "an unknown outcome must never be resent"
        assert server.received[0].complete
    assert "may have been created" in str(caught.value)
    _no_secret(str(caught.value) + repr(caught.value))


def test_connection_closed_mid_body_is_a_plain_connection_error() -> None:
    with RawServer([Answer(reply=b"", read_body=2000)]) as server:
        connection = quick_connection(server.url, max_retries=0)
        big = wav_bytes(seconds=0.1) + os.urandom(16 * 1024 * 1024)  # more than socket buffers
        with pytest.raises(uw.APIConnectionError) as caught:
            uw.clone_voice(connection, **_args([("a.wav", big)]))
    assert not isinstance(caught.value, uw.OutcomeUnknownError)


def test_201_with_broken_gzip_is_an_unknown_outcome() -> None:
    reply = response(201, b"this is not gzip", {"Content-Encoding": "gzip"}, reason="Created")
    with RawServer([Answer(reply=reply)]) as server:
        connection = quick_connection(server.url)
        with pytest.raises(uw.OutcomeUnknownError) as caught:
            uw.clone_voice(connection, **_args([("a.wav", wav_bytes())]))
        assert len(server.received) == 1
    assert "201" in str(caught.value)
    assert "probably created" in str(caught.value)


def test_201_with_deeply_nested_json_is_an_unknown_outcome() -> None:
    body = b"[" * 200_000 + b"]" * 200_000
    reply = response(201, gzip.compress(body), {"Content-Encoding": "gzip"}, reason="Created")
    with RawServer([Answer(reply=reply)]) as server:
        connection = quick_connection(server.url)
        with pytest.raises(uw.OutcomeUnknownError) as caught:
            uw.clone_voice(connection, **_args([("a.wav", wav_bytes())]))
    assert "probably created" in str(caught.value)


# -- samples that change during the upload ----------------------------------------------------


def test_file_that_shrinks_during_the_upload_is_a_typed_error_naming_it(tmp_path: Path) -> None:
    path = wav_path(tmp_path, "shrinks.wav", seconds=2.0)

    def shrink(sent: int, _total: int) -> None:
        if sent == 0:
            with path.open("r+b") as handle:
                handle.truncate(path.stat().st_size // 2)

    with RawServer([Answer(reply=created_reply())]) as server:
        connection = quick_connection(server.url)
        with pytest.raises(uw.UponAIError) as caught:
            uw.clone_voice(connection, **_args([path]), on_progress=shrink)
        assert not any(r.complete for r in server.received)
    assert "shrinks.wav" in str(caught.value)
    assert "changed" in str(caught.value)


def test_file_that_grows_during_the_upload_is_an_error_not_a_cut_sample(tmp_path: Path) -> None:
    path = wav_path(tmp_path, "grows.wav", seconds=0.5)

    def grow(sent: int, _total: int) -> None:
        if sent == 0:
            with path.open("ab") as handle:
                handle.write(b"\0" * 4096)

    with RawServer([Answer(reply=created_reply())]) as server:
        connection = quick_connection(server.url)
        with pytest.raises(uw.UponAIError) as caught:
            uw.clone_voice(connection, **_args([path]), on_progress=grow)
        assert not any(r.complete for r in server.received), "a cut sample reached the server"
    assert "grows.wav" in str(caught.value)


class _CountingOneWay(OneWay):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0

    def readinto(self, buffer: Any) -> int:
        count = super().readinto(buffer)
        self.read_bytes += count
        return count


def test_non_seekable_stream_stops_at_the_size_limit() -> None:
    limit = 256 * 1024
    data = wav_bytes(seconds=0.01) + os.urandom(4 * 1024 * 1024)
    stream = _CountingOneWay(data)
    with RawServer([Answer(reply=created_reply())]) as server:
        connection = uw.connect(server.url, TOKEN, limits=uw.Limits(max_file_bytes=limit))
        with pytest.raises(uw.UponAIError) as caught:
            uw.clone_voice(connection, **_args([("pipe.wav", stream, "audio/wav")]))
        assert not any(r.complete for r in server.received)
    assert stream.read_bytes <= limit + 128 * 1024, stream.read_bytes
    assert "pipe.wav" in str(caught.value)
    assert "limit" in str(caught.value)


# -- validation that came too late -------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "x" * 300},
        {"provider": "p" * 300},
        {"workspace_id": 2**70},
        {"provider_id": 2**63},
        {"tenant_id": -(2**64)},
        {"name": "Ada\x00"},
        {"name": "Ada\x1b[31m"},
        {"name": "Ada\rBob"},
        {"name": "Ada\nBob"},
        {"name": "\u200b"},
        {"name": "\u200b \u2060\ufeff"},
        {"actor_type": "platform_admin", "impersonation_reason": "r" * 200_000},
    ],
)
def test_fields_the_server_rejects_are_rejected_before_sending(overrides: dict[str, Any]) -> None:
    with pytest.raises(uw.ValidationError):
        uw.validate_clone(**_args([("a.wav", wav_bytes())], **overrides))


def test_latin1_reason_is_a_validation_error_without_the_reason() -> None:
    reason = "Kundin möchte die Stimme ändern"
    with RawServer([Answer(reply=created_reply())]) as server:
        connection = quick_connection(server.url)
        with pytest.raises(uw.ValidationError) as caught:
            uw.clone_voice(
                connection,
                **_args(
                    [("a.wav", wav_bytes())],
                    actor_type="platform_admin",
                    impersonation_reason=reason,
                ),
            )
        assert server.received == []
    assert reason not in str(caught.value) + repr(caught.value)


def test_mime_type_with_a_header_line_is_rejected() -> None:
    sample = ("a.wav", wav_bytes(), "audio/wav\r\nX-Injected: 1")
    with pytest.raises(uw.ValidationError) as caught:
        uw.validate_clone(**_args([sample]))
    assert "MIME" in str(caught.value)


@pytest.mark.parametrize("mime", ["audio", "audio/wav; x=1", "audio/wav\x00", "a b/c", "/wav"])
def test_mime_type_must_be_plain_type_subtype(mime: str) -> None:
    with pytest.raises(uw.ValidationError):
        uw.validate_clone(**_args([("a.wav", wav_bytes(), mime)]))


def test_twelve_bytes_of_wav_magic_are_not_audio() -> None:
    with pytest.raises(uw.ValidationError) as caught:
        uw.validate_clone(**_args([("tiny.wav", b"RIFF\x04\x00\x00\x00WAVE")]))
    assert "tiny.wav" in str(caught.value)


def test_limits_have_text_lengths() -> None:
    limits = uw.Limits(max_name_chars=5)
    with pytest.raises(uw.ValidationError):
        uw.validate_clone(**_args([("a.wav", wav_bytes())], name="Adaline"), limits=limits)


# -- secrets -----------------------------------------------------------------------------------


def test_raw_client_token_with_a_newline_is_normalised() -> None:
    with RawServer([Answer(reply=created_reply())]) as server:
        client = AuthenticatedClient(base_url=server.url, token=TOKEN + "\n")
        connection = as_connection(client)
        assert connection.client.token == TOKEN
        voice = uw.clone_voice(client, **_args([("a.wav", wav_bytes())]))
        assert voice.voice_id == "voice_raw_1"
        assert f"Bearer {TOKEN}\r\n".encode() in server.received[0].head


def test_raw_client_token_with_inner_space_is_refused() -> None:
    with pytest.raises(uw.AuthenticationError) as caught:
        as_connection(AuthenticatedClient(base_url="http://127.0.0.1:1", token="ab cd\x01ef"))
    assert "ab cd" not in str(caught.value)


def test_batch_with_a_raw_client_token_ending_in_newline_never_shows_it(tmp_path: Path) -> None:
    with RawServer([Answer(reply=created_reply())]) as server:
        client = AuthenticatedClient(base_url=server.url, token=TOKEN + "\n")
        result = uw.clone_voices(
            client,
            [_args([wav_path(tmp_path, "a.wav")])],
            on_progress=False,
        )
    text = result.to_csv_text() + repr(result)
    assert "\\n" not in text
    _no_secret(text)
    assert result.rows[0].status == "created"


@pytest.mark.parametrize(
    "form",
    [
        TOKEN + "\n",
        repr(TOKEN + "\n"),
        repr((TOKEN + "\n").encode()),
        '"' + TOKEN + '\\n"',
        f"Bearer {TOKEN}\\r\\n",
    ],
)
def test_redact_covers_the_forms_a_token_takes(form: str) -> None:
    text = redact(f"Illegal header value {form} in request", [TOKEN + "\n"])
    assert TOKEN not in text
    assert "[redacted]" in text


def test_redact_short_secret_does_not_shred_words() -> None:
    assert redact("a mirror of the error", ["r"]) == "a mirror of the error"
    assert redact("token=r;", ["r"]) == "token=[redacted];"


def test_job_repr_holds_no_reason_nor_sample_bytes() -> None:
    data = wav_bytes()
    job = prepare_jobs(
        [_args([("a.wav", data)], actor_type="platform_admin", impersonation_reason=REASON)]
    )[0]
    text = repr(job)
    assert REASON not in text
    assert "RIFF" not in text
    assert repr(data[:20]) not in text


def test_sync_batch_repr_holds_no_reason_nor_sample_bytes() -> None:
    from uponai_widgets.batch import _bridge

    data = wav_bytes()
    jobs = prepare_jobs(
        [_args([("a.wav", data)], actor_type="platform_admin", impersonation_reason=REASON)]
    )
    connection = uw.connect("http://127.0.0.1:1", TOKEN)
    batch = _bridge.SyncBatch(connection, jobs, {}, None, 1)
    text = repr(batch)
    assert REASON not in text
    assert "RIFF" not in text
    _no_secret(text)


# -- batch rows ---------------------------------------------------------------------------------


def test_batch_row_is_unknown_and_resume_does_not_resend_it(tmp_path: Path) -> None:
    jobs = [_args([wav_path(tmp_path, "a.wav")], name="lost")]
    with RawServer([Answer(reply=b"")]) as server:
        first = uw.clone_voices(quick_connection(server.url), jobs, on_progress=False)
        assert len(server.received) == 1
    assert first.rows[0].status == "unknown"
    assert "may have been created" in first.rows[0].error
    saved = tmp_path / "first.csv"
    first.to_csv(saved)
    with RawServer([Answer(reply=created_reply("lost"))]) as server:
        again = uw.clone_voices(quick_connection(server.url), jobs, on_progress=False, resume=saved)
        assert server.received == []
        assert again.rows[0].status == "unknown"
        forced = uw.clone_voices(
            quick_connection(server.url),
            jobs,
            on_progress=False,
            resume=saved,
            resend_unknown=True,
        )
        assert len(server.received) == 1
    assert forced.rows[0].status == "created"


def test_old_table_cancelled_during_the_upload_reads_as_unknown() -> None:
    old = (
        "name,status,voice_id,error,bytes,seconds\n"
        'a,cancelled,,"cancelled during the upload: the voice may or may not exist on the '
        'server; check the workspace before cloning it again",100,0.1\n'
        "b,cancelled,,cancelled before its upload started: no voice was created,0,0\n"
    )
    result = uw.BatchResult.from_csv_text(old)
    assert [row.status for row in result] == ["unknown", "cancelled"]


def test_summary_lists_statuses_in_order_and_explains_unknown() -> None:
    rows = [uw.BatchRow("a", "unknown", None, "x"), uw.BatchRow("b", "created", "v")]
    summary = uw.BatchResult(rows).summary()
    order = ["created", "unknown", "failed", "skipped", "cancelled"]
    positions = [summary.index(status) for status in order]
    assert positions == sorted(positions)
    assert "resend_unknown" in summary


# -- Ctrl-C in a script -------------------------------------------------------------------------

_SCRIPT = textwrap.dedent(
    """
    import socket, sys
    import uponai_widgets as uw

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # accepts into the backlog, never answers
    port = listener.getsockname()[1]
    jobs = [
        {"name": f"v{i}", "provider": "p", "workspace_id": 1, "samples": [sys.argv[1]]}
        for i in range(3)
    ]
    connection = uw.connect(f"http://127.0.0.1:{port}", "tok-123456")

    def progress(done, failed, total, sent):
        print("uploading", flush=True)

    try:
        uw.clone_voices(connection, jobs, concurrency=1, on_progress=progress)
    except uw.BatchInterrupted as interrupted:
        interrupted.result.to_csv(sys.argv[2])
        raise
    """
)


def test_batch_interrupted_in_a_script_exits_like_ctrl_c(tmp_path: Path) -> None:
    script = tmp_path / "batch.py"
    script.write_text(_SCRIPT)
    sample = wav_path(tmp_path, "a.wav")
    table = tmp_path / "partial.csv"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, str(script), str(sample), str(table)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert process.stdout is not None
        assert b"uploading" in process.stdout.readline()  # the batch started
        time.sleep(0.5)  # the first upload is sent and waits for an answer that never comes
        os.kill(process.pid, signal.SIGINT)
        process.wait(20)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)
    assert process.returncode == -signal.SIGINT, process.stderr.read() if process.stderr else ""
    rows = uw.BatchResult.from_file(table).rows
    assert [row.status for row in rows][1:] == ["cancelled", "cancelled"]
    assert rows[0].status in ("unknown", "cancelled")


def test_stream_read_error_is_typed() -> None:
    class Broken(io.RawIOBase):
        def __init__(self) -> None:
            self.calls = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            self.calls += 1
            if self.calls == 1:
                data = wav_bytes()[:16]
                buffer[: len(data)] = data
                return len(data)
            raise OSError(5, "Input/output error")

    with RawServer([Answer(reply=created_reply())]) as server:
        connection = quick_connection(server.url)
        with pytest.raises(uw.UponAIError) as caught:
            uw.clone_voice(connection, **_args([("bad.wav", Broken())]))
    assert "bad.wav" in str(caught.value)
