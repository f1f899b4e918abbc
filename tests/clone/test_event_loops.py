"""One `Connection` serves async calls from different event loops (a kernel's subshells)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import uponai_widgets as uw
from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import write_wav


def _clone_in_a_new_loop(connection: uw.Connection, sample: Path, name: str) -> uw.Voice:
    async def clone() -> uw.Voice:
        return await uw.clone_voice_async(
            connection, name=name, provider="elevenlabs", workspace_id=1, samples=[sample]
        )

    return asyncio.run(clone())


def test_one_connection_clones_from_two_loops_in_turn(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sample = write_wav(tmp_path / "a.wav")
    with uw.connect(sandbox.url, sandbox.token) as connection:
        first = _clone_in_a_new_loop(connection, sample, "first loop")
        second = _clone_in_a_new_loop(connection, sample, "second loop")
    assert (first.name, second.name) == ("first loop", "second loop")


def test_one_connection_clones_from_a_loop_in_another_thread(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sample = write_wav(tmp_path / "a.wav")
    results: list[object] = []
    with uw.connect(sandbox.url, sandbox.token) as connection:

        async def main_loop_clone() -> None:
            results.append(
                await uw.clone_voice_async(
                    connection, name="main", provider="elevenlabs", workspace_id=1, samples=[sample]
                )
            )
            # While this loop is alive, a subshell's thread clones on its own loop.
            worker = threading.Thread(
                target=lambda: results.append(_clone_in_a_new_loop(connection, sample, "thread"))
            )
            worker.start()
            await asyncio.to_thread(worker.join, 60)
            results.append(
                await uw.clone_voice_async(
                    connection, name="main again", provider="elevenlabs", workspace_id=1,
                    samples=[sample],
                )
            )  # fmt: skip

        asyncio.run(main_loop_clone())
    assert [getattr(r, "name", r) for r in results] == ["main", "thread", "main again"]
