"""The cloning layer over real HTTP against the sandbox: its request log is the witness."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.fake_api import REASON, Sleeps

import uponai_widgets as uw
from uponai_devtools.sandbox import RunningSandbox, SandboxFactory
from uponai_devtools.wav import make_large_wav, make_wav, write_wav
from uponai_widgets._coalesce import MIN_WRITE


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def connection_to(
    sandbox: RunningSandbox, sleeps: Sleeps | None = None, **policy: Any
) -> uw.Connection:
    sleeps = sleeps or Sleeps()
    retry = uw.RetryPolicy(sleep=sleeps, async_sleep=sleeps.async_sleep, **policy)
    return uw.connect(sandbox.url, sandbox.token, retry=retry)


def two_takes(tmp_path: Path) -> list[Path]:
    return [
        write_wav(tmp_path / "take1.wav", seconds=1.0, freq=440.0),
        write_wav(tmp_path / "take2.wav", seconds=1.5, freq=330.0),
    ]


def received_files(entry: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(f["filename"], f["size"], f["sha256"]) for f in entry["files"]]


def test_clone_from_paths_lands_byte_identical(sandbox: RunningSandbox, tmp_path: Path) -> None:
    takes = two_takes(tmp_path)
    with connection_to(sandbox) as connection:
        voice = uw.clone_voice(
            connection, name="Ada", provider="elevenlabs", workspace_id=42, samples=takes
        )
    assert isinstance(voice, uw.Voice)
    assert voice.name == "Ada"
    (entry,) = sandbox.requests()
    assert entry["status"] == 201
    assert entry["fields"] == {
        "workspaceId": "42",
        "voiceProvider": "elevenlabs",
        "voiceName": "Ada",
    }
    expected = [(p.name, p.stat().st_size, sha(p.read_bytes())) for p in takes]
    assert received_files(entry) == expected
    assert entry["headers"]["user-agent"].startswith(f"uponai-voices/{uw.__version__}")


def test_every_sample_kind_against_the_sandbox(sandbox: RunningSandbox, tmp_path: Path) -> None:
    contents = [make_wav(0.5, freq=200.0 + 50 * i) for i in range(5)]
    path = tmp_path / "path.wav"
    path.write_bytes(contents[0])
    samples: list[Any] = [
        path,
        io.BytesIO(contents[1]),
        contents[2],
        ("tuple.wav", memoryview(contents[3]), "audio/wav"),
        {"name": "upload.wav", "type": "audio/wav", "content": memoryview(contents[4])},
    ]
    voice = asyncio.run(
        uw.clone_voice_async(
            connection_to(sandbox), name="Kinds", provider="p", workspace_id=1, samples=samples
        )
    )
    record = sandbox.voice_record(voice.voice_id)
    assert [s["sha256"] for s in record["samples"]] == [sha(c) for c in contents]


INVALID: dict[str, dict[str, Any]] = {
    "no samples": {"samples": []},
    "missing path": {"samples": ["/nonexistent/take.wav"]},
    "directory": {"samples": ["DIR"]},
    "zero bytes": {"samples": [b""]},
    "identical content": {"samples": ["TAKE", "TAKE"]},
    "not audio": {"samples": [b"just some text, not audio"]},
    "blank name": {"name": "  "},
    "workspace not positive": {"workspace_id": 0},
    "admin without reason": {"actor_type": "platform_admin"},
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_requests_never_reach_the_server(
    sandbox: RunningSandbox, tmp_path: Path, case: str
) -> None:
    take = write_wav(tmp_path / "take.wav")
    args: dict[str, Any] = {"name": "Ada", "provider": "p", "workspace_id": 7, "samples": [take]}
    args.update(INVALID[case])
    args["samples"] = [
        tmp_path if s == "DIR" else take if s == "TAKE" else s for s in args["samples"]
    ]
    with pytest.raises(uw.ValidationError) as info:
        uw.clone_voice(connection_to(sandbox), **args)
    assert info.value.problems
    assert sandbox.requests() == []


def test_text_mode_and_over_limit_never_reach_the_server(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    take = write_wav(tmp_path / "take.wav", seconds=2.0)
    connection = connection_to(sandbox)
    connection.limits = uw.Limits(max_file_bytes=1000)
    with take.open("r", encoding="latin-1") as text, pytest.raises(uw.ValidationError) as info:
        uw.clone_voice(connection, name="A", provider="p", workspace_id=1, samples=[text, take])
    assert next(p.message for p in info.value.problems).startswith("opened in text mode")
    assert "per-file limit" in info.value.problems[1].message
    assert sandbox.requests() == []


def _clone(connection: uw.Connection, tmp_path: Path, **extra: Any) -> uw.Voice:
    return uw.clone_voice(
        connection, name="Ada", provider="p", workspace_id=3, samples=two_takes(tmp_path), **extra
    )


def test_real_401_from_a_wrong_token(sandbox: RunningSandbox, tmp_path: Path) -> None:
    connection = uw.connect(sandbox.url, "wrong-token-123")
    with pytest.raises(uw.AuthenticationError) as info:
        _clone(connection, tmp_path)
    assert info.value.status == 401
    assert info.value.message.startswith("invalid bearer token")
    assert info.value.request_id is not None
    assert info.value.request_id.startswith("req_")


def test_real_404_from_a_wrong_base_url(sandbox: RunningSandbox, tmp_path: Path) -> None:
    connection = uw.connect(sandbox.url + "/v9", sandbox.token)
    with pytest.raises(uw.NotFoundError) as info:
        _clone(connection, tmp_path)
    assert info.value.status == 404


def test_real_413_from_a_server_with_smaller_limits(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    small = sandbox_factory(extra_args=["--max-file-size", "20KiB"])
    connection = uw.connect(small.url, small.token)
    with pytest.raises(uw.PayloadTooLargeError) as info:
        _clone(connection, tmp_path)
    assert info.value.status == 413
    assert "take" in info.value.message or "file" in info.value.message


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, uw.InvalidRequestError),
        (403, uw.PermissionDeniedError),
        (415, uw.UnsupportedMediaError),
        (422, uw.InvalidRequestError),
        (429, uw.RateLimitError),
        (500, uw.OutcomeUnknownError),
        (502, uw.OutcomeUnknownError),
    ],
)
def test_injected_statuses_raise_their_class(
    sandbox: RunningSandbox, tmp_path: Path, status: int, cls: type[uw.UponAIError]
) -> None:
    sandbox.inject_fault(status=status, count=1)
    with pytest.raises(cls) as info:
        _clone(connection_to(sandbox, max_retries=0), tmp_path)
    assert info.value.status == status
    assert f"fault injected by the sandbox ({status})" in str(info.value)
    assert info.value.request_id == sandbox.requests()[0]["requestId"]


def test_500_then_201_is_resent_byte_identical_when_opted_in(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sandbox.inject_fault(status=500, count=1)
    handle = io.BytesIO(b"xx" + make_wav(0.7, freq=550.0))
    handle.seek(2)
    samples: list[Any] = [*two_takes(tmp_path), ("stream.wav", handle)]
    voice = uw.clone_voice(
        connection_to(sandbox, retry_after_body_sent=True),
        name="Ada",
        provider="p",
        workspace_id=3,
        samples=samples,
    )
    first, second = sandbox.requests()
    assert (first["status"], second["status"]) == (500, 201)
    assert first["complete"]
    assert second["complete"]
    assert first["fields"] == second["fields"]
    assert received_files(first) == received_files(second)
    assert len(received_files(second)) == 3
    assert second["voiceId"] == voice.voice_id


def test_500_is_not_retried_by_default(sandbox: RunningSandbox, tmp_path: Path) -> None:
    sandbox.inject_fault(status=500, count=1)
    with pytest.raises(uw.OutcomeUnknownError):  # after the whole body: the voice may exist
        _clone(connection_to(sandbox), tmp_path)
    assert [e["status"] for e in sandbox.requests()] == [500]


def test_429_retry_after_goes_through_the_injected_sleep(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sandbox.inject_fault(status=429, count=2, retry_after=1)
    sleeps = Sleeps()
    _clone(connection_to(sandbox, sleeps), tmp_path)
    assert sleeps.delays == [1.0, 1.0]
    entries = sandbox.requests()
    assert [e["status"] for e in entries] == [429, 429, 201]
    assert len({tuple(received_files(e)) for e in entries}) == 1


def test_503_and_retry_after_ms(sandbox: RunningSandbox, tmp_path: Path) -> None:
    sandbox.inject_fault(status=503, count=1, retry_after_ms=1500)
    sleeps = Sleeps()
    asyncio.run(
        uw.clone_voice_async(
            connection_to(sandbox, sleeps),
            name="A",
            provider="p",
            workspace_id=3,
            samples=two_takes(tmp_path),
        )
    )
    assert sleeps.delays == [1.5]
    assert [e["status"] for e in sandbox.requests()] == [503, 201]


def test_connection_dropped_mid_upload_is_not_retried(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sandbox.inject_fault(drop="mid-body", count=1)
    # Larger than what the loopback socket buffers hold once the sandbox stops reading at
    # half: the client is still writing when the connection goes, so it knows it was cut.
    big = make_large_wav(tmp_path / "big.wav", 48 * 1024 * 1024)
    sleeps = Sleeps()
    with pytest.raises(uw.APIConnectionError) as info:
        uw.clone_voice(
            connection_to(sandbox, sleeps), name="A", provider="p", workspace_id=3, samples=[big]
        )
    assert info.value.body_sent is True
    assert not isinstance(info.value, uw.OutcomeUnknownError)
    assert "cannot have created" in str(info.value)
    assert sleeps.delays == []
    (entry,) = sandbox.requests()
    assert entry.get("dropped") is True
    assert entry["complete"] is False


def test_per_call_timeout_after_the_body_is_not_retried(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sandbox.inject_fault(latency_ms=1500, count=1)
    connection = connection_to(sandbox)
    with pytest.raises(uw.OutcomeUnknownError, match="may have been created") as info:
        _clone(connection, tmp_path, timeout=httpx.Timeout(0.5, connect=5))
    assert isinstance(info.value, uw.APITimeoutError)
    assert len(sandbox.requests()) == 1
    assert connection.client.get_httpx_client().timeout.read == 30.0  # the shared default kept


def test_progress_over_real_http(sandbox: RunningSandbox, tmp_path: Path) -> None:
    big = make_large_wav(tmp_path / "big.wav", 12 * 1024 * 1024)
    calls: list[tuple[int, int]] = []
    uw.clone_voice(
        connection_to(sandbox),
        name="A",
        provider="p",
        workspace_id=3,
        samples=[big],
        on_progress=lambda sent, total: calls.append((sent, total)),
    )
    (entry,) = sandbox.requests()
    total = calls[-1][1]
    assert total == entry["bodyBytes"]
    assert calls[-1] == (total, total)
    assert [s for s, _ in calls] == sorted({s for s, _ in calls})
    assert len(calls) >= total // MIN_WRITE  # a report per socket write at least


def _open_fds_to(path: Path) -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            count += os.readlink(f"/proc/self/fd/{fd}") == str(path)
    return count


def test_cancel_mid_upload_leaves_nothing_open(sandbox: RunningSandbox, tmp_path: Path) -> None:
    sandbox.inject_fault(latency_ms=3000, count=1)  # the server stops reading for 3 s
    big = make_large_wav(tmp_path / "big.wav", 64 * 1024 * 1024)
    connection = connection_to(sandbox)
    state: dict[str, Any] = {}

    async def run() -> None:
        started = asyncio.Event()

        def on_progress(sent: int, total: int) -> None:
            if sent > 1024 * 1024:
                started.set()

        task = asyncio.create_task(
            uw.clone_voice_async(
                connection,
                name="A",
                provider="p",
                workspace_id=3,
                samples=[big],
                on_progress=on_progress,
            )
        )
        await asyncio.wait_for(started.wait(), 10)
        state["open_during"] = _open_fds_to(big)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        pool = connection.client.get_async_httpx_client()._transport._pool  # type: ignore[attr-defined]  # httpx/httpcore internals: the pool to inspect
        state["busy"] = [c for c in pool.connections if not c.is_closed() and not c.is_idle()]
        await connection.aclose()

    asyncio.run(run())
    assert state["open_during"] == 1
    assert _open_fds_to(big) == 0
    assert state["busy"] == []


def test_debug_logs_over_real_http_never_show_the_secrets(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(n) for n in ("uponai_widgets", "httpx", "httpcore")]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.addHandler(handler)
    wrong = "wrong-token-" + os.urandom(8).hex()
    try:
        sandbox.inject_fault(status=429, count=1, retry_after=0)
        _clone(
            connection_to(sandbox),
            tmp_path,
            actor_type="platform_admin",
            impersonation_reason=REASON,
        )
        with pytest.raises(uw.AuthenticationError):
            _clone(uw.connect(sandbox.url, wrong), tmp_path, impersonation_reason=REASON)
    finally:
        for lg, (level, propagate) in zip(loggers, saved, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.propagate = propagate
    output = buffer.getvalue()
    assert "send_request_headers" in output  # httpcore really logged at DEBUG
    assert "HTTP Request: POST" in output  # so did httpx
    assert "retry 1 of 2" in output  # and the cloning layer
    assert sandbox.token not in output
    assert wrong not in output
    assert REASON not in output
    assert sandbox.requests()[-2]["headers"]["x-impersonation-reason"] == REASON


def test_refused_connection_is_retried_then_reported(tmp_path: Path) -> None:
    from uponai_devtools.processes import free_port

    sleeps = Sleeps()
    retry = uw.RetryPolicy(sleep=sleeps, random=lambda: 1.0)
    connection = uw.connect(f"http://127.0.0.1:{free_port()}", "t", retry=retry)
    with pytest.raises(uw.APIConnectionError, match="nothing was uploaded") as info:
        _clone(connection, tmp_path)
    assert info.value.body_sent is False
    assert sleeps.delays == [0.5, 1.0]
