"""Progress as the body streams (monotonic, ending at the total) and clean async cancellation."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from support.fake_api import (
    Hang,
    Reply,
    ScriptedTransport,
    clone_args,
    scripted_connection,
)

import uponai_widgets as uw
from uponai_devtools.wav import noise_wav
from uponai_widgets._coalesce import MIN_WRITE


def open_fds_to(path: Path) -> list[str]:
    """File descriptors of this process that point at `path`."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == str(path):
                found.append(fd)
        except OSError:
            continue
    return found


#: Bodies of a dozen socket writes or more: enough for progress to be seen moving.
DOZEN_WRITES = 12 * MIN_WRITE


def check_progress(calls: list[tuple[int, int]], content_length: int) -> None:
    assert len(calls) > 10
    sent = [s for s, _ in calls]
    assert sent == sorted(sent)
    assert len(set(sent)) == len(sent)
    assert {t for _, t in calls} == {content_length}
    assert calls[-1] == (content_length, content_length)


def test_progress_is_reported_while_the_body_streams(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    path.write_bytes(noise_wav(DOZEN_WRITES))
    calls: list[tuple[int, int]] = []
    received_at_call: list[int] = []
    transport = ScriptedTransport(keep_body=False)

    def on_progress(sent: int, total: int) -> None:
        calls.append((sent, total))
        received_at_call.append(sum(transport.seen[-1].chunk_sizes) if transport.seen else 0)

    uw.clone_voice(
        scripted_connection(transport), **clone_args(samples=[path], on_progress=on_progress)
    )
    length = int(transport.seen[0].headers["content-length"])
    check_progress(calls, length)
    # Each report counts bytes the server had already taken: it follows the stream.
    assert all(
        received >= sent for (sent, _), received in zip(calls, received_at_call, strict=True)
    )
    assert received_at_call[len(calls) // 2] < length


def test_progress_stays_monotonic_across_a_retry(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    transport = ScriptedTransport(Reply(503, {}))
    samples = [
        ("a.wav", noise_wav(DOZEN_WRITES // 2, 1)),
        ("b.wav", noise_wav(DOZEN_WRITES // 2, 2)),
    ]
    uw.clone_voice(
        scripted_connection(transport),
        **clone_args(samples=samples, on_progress=lambda s, t: calls.append((s, t))),
    )
    assert len(transport.seen) == 2
    check_progress(calls, int(transport.seen[1].headers["content-length"]))


def test_async_progress(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    transport = ScriptedTransport()
    samples = [("a.wav", noise_wav(DOZEN_WRITES))]
    asyncio.run(
        uw.clone_voice_async(
            scripted_connection(transport),
            **clone_args(samples=samples, on_progress=lambda s, t: calls.append((s, t))),
        )
    )
    check_progress(calls, int(transport.seen[0].headers["content-length"]))


def test_cancelling_the_async_clone_closes_the_files_it_opened(tmp_path: Path) -> None:
    path = tmp_path / "cancel-me.wav"
    path.write_bytes(noise_wav(5_000_000))
    hang = Hang(after_bytes=1_000_000)
    transport = ScriptedTransport(hang, keep_body=False)
    connection = scripted_connection(transport)
    open_during: list[str] = []

    async def run() -> None:
        task = asyncio.create_task(uw.clone_voice_async(connection, **clone_args(samples=[path])))
        await asyncio.wait_for(hang.reached.wait(), 10)
        open_during.extend(open_fds_to(path))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert open_during  # the file was open while streaming...
    assert open_fds_to(path) == []  # ...and nothing is left open after the cancel
    assert len(transport.seen) == 1
