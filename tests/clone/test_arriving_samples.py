"""Samples still being written (`ArrivingFile`): uploaded as their bytes land, over real HTTP.

The writer here stands in for the Jupyter server or the widget's comm: it appends a file in
pieces, on its own schedule. The sandbox's request log and stored sha256 are the witnesses.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import uponai_widgets as uw
from uponai_devtools.sandbox import RunningSandbox
from uponai_devtools.wav import make_wav, noise_wav
from uponai_widgets._arriving import ArrivingFile


class Growing(ArrivingFile):
    """A file appended to by `write`, complete once its `size` bytes are on disk."""

    def __init__(self, directory: Path, name: str, data: bytes) -> None:
        self.name, self.size, self.mime = name, len(data), None
        self.data = data
        self.written = 0
        self.error: str | None = None
        self.numbers = 0
        self._path = self._new_path(directory)

    def _new_path(self, directory: Path) -> Path:
        self.numbers += 1
        path = directory / f"{self.name}.{self.numbers}.part"
        path.touch()
        return path

    def write(self, upto: int) -> None:
        """Append the data's bytes up to `upto`."""
        with self._path.open("ab") as handle:
            handle.write(self.data[self.written : upto])
        self.written = max(self.written, upto)

    def restart(self) -> None:
        """Start over under a new name (as the picker does when the comm takes over)."""
        old, self._path = self._path, self._new_path(self._path.parent)
        old.unlink()
        self.written = 0

    def path(self) -> Path:
        return self._path

    def complete(self) -> bool:
        return self.written == self.size

    def failure(self) -> str | None:
        return self.error


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored(sandbox: RunningSandbox, voice: object) -> list[tuple[str, str]]:
    record = sandbox.voice_record(str(getattr(voice, "voice_id", "")))
    return sorted((s["filename"], s["sha256"]) for s in record["samples"])


def fields(name: str = "Arriving") -> dict[str, object]:
    return {"name": name, "provider": "elevenlabs", "workspace_id": 7}


def test_the_upload_sends_what_has_landed_before_the_rest_is_written(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """The rest of the file is written only once the upload has sent bytes of its first half:
    an upload that waited for the whole file would never finish (bounded: it fails)."""
    first = make_wav(seconds=1.0, freq=300)
    data = make_wav(seconds=30.0, freq=200)  # 480044 bytes at 8 kHz
    growing = Growing(tmp_path, "growing.wav", data)
    growing.write(len(data) // 2)
    sent: list[int] = []

    async def scenario() -> object:
        connection = uw.connect(sandbox.url, sandbox.token)
        upload = asyncio.ensure_future(
            uw.clone_voice_async(
                connection,
                samples=[("first.wav", first), growing],
                on_progress=lambda done, _total: sent.append(done),
                **fields(),
            )
        )
        deadline = time.monotonic() + 10
        while not sent or sent[-1] <= len(first) + len(data) // 4:
            assert time.monotonic() < deadline, f"nothing of the arriving file went: {sent}"
            assert not upload.done(), upload
            await asyncio.sleep(0.01)
        assert sent[-1] < len(first) + len(data) // 2 + 2000  # never past what had landed
        growing.write(len(data))
        result = await asyncio.wait_for(upload, 30)
        await connection.aclose()
        return result

    voice = asyncio.run(scenario())
    assert isinstance(voice, uw.Voice)
    assert stored(sandbox, voice) == sorted([("first.wav", sha(first)), ("growing.wav", sha(data))])


def test_a_file_that_stops_arriving_stops_the_upload_before_its_end(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    data = make_wav(seconds=10.0)
    growing = Growing(tmp_path, "cut.wav", data)
    growing.write(len(data) // 3)

    async def scenario() -> None:
        connection = uw.connect(sandbox.url, sandbox.token)
        upload = asyncio.ensure_future(
            uw.clone_voice_async(connection, samples=[growing], **fields("Cut short"))
        )
        await asyncio.sleep(0.5)
        assert not upload.done()
        growing.error = "the browser could not read it"
        try:
            await asyncio.wait_for(upload, 10)
        finally:
            await connection.aclose()

    with pytest.raises(uw.SampleStreamError) as caught:
        asyncio.run(scenario())
    message = str(caught.value)
    assert "cut.wav did not arrive: the browser could not read it" in message
    assert "no voice was created" in message
    (request,) = sandbox.requests()
    assert (request["complete"], request["error"]) == (False, "client_disconnected")
    assert 0 < request["bodyBytes"] < len(data) // 3 + 2000
    assert sandbox.voices("Cut short") == []


def test_validation_waits_for_the_head_and_reports_a_file_that_never_comes(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Nothing has landed yet: validation waits (off the loop) for the first bytes; when the file
    fails instead, it is a validation problem and nothing is sent."""
    late = Growing(tmp_path, "late.wav", make_wav(seconds=2.0))
    never = Growing(tmp_path, "never.wav", make_wav(seconds=3.0))

    async def scenario() -> object:
        connection = uw.connect(sandbox.url, sandbox.token)
        upload = asyncio.ensure_future(
            uw.clone_voice_async(connection, samples=[late, never], **fields())
        )
        await asyncio.sleep(0.3)
        assert sandbox.requests() == []  # the first bytes are not there: nothing sent yet
        late.write(late.size)  # the loop stays free: this writer runs on it
        await asyncio.sleep(0.3)
        assert sandbox.requests() == []  # never.wav's head is still missing
        never.error = "cancelled"
        try:
            return await asyncio.wait_for(upload, 10)
        finally:
            await connection.aclose()

    with pytest.raises(uw.ValidationError) as caught:
        asyncio.run(scenario())
    (problem,) = caught.value.problems
    assert problem.sample == "never.wav"
    assert "never.wav did not arrive: cancelled" in problem.message
    assert sandbox.requests() == []


def test_equal_sizes_are_told_apart_by_their_heads_without_waiting_for_the_rest(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Samples of equal size are compared for duplicates: different first 64 KiB settle it
    while the files are still arriving; a pair with equal heads waits for their tails."""
    one = noise_wav(200_000, seed=1)
    two = noise_wav(200_000, seed=2)
    growing = [Growing(tmp_path, f"{i}.wav", d) for i, d in enumerate((one, two))]
    for item in growing:
        item.write(70_000)

    async def scenario() -> object:
        connection = uw.connect(sandbox.url, sandbox.token)
        upload = asyncio.ensure_future(
            uw.clone_voice_async(connection, samples=growing, **fields())
        )
        deadline = time.monotonic() + 10
        while not sandbox.requests():  # validated on the heads alone: the upload begins
            assert time.monotonic() < deadline, "the upload waited for the whole files"
            await asyncio.sleep(0.02)
        for item in growing:
            item.write(item.size)
        try:
            return await asyncio.wait_for(upload, 30)
        finally:
            await connection.aclose()

    voice = asyncio.run(scenario())
    assert stored(sandbox, voice) == sorted([("0.wav", sha(one)), ("1.wav", sha(two))])


def test_a_duplicate_still_arriving_is_found_once_it_has_landed(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    data = noise_wav(150_000, seed=3)
    twins = [Growing(tmp_path, f"twin{i}.wav", data) for i in range(2)]
    for twin in twins:
        twin.write(100_000)  # equal heads: the tails decide, and they have not landed

    def finish_later() -> None:
        time.sleep(0.3)
        for twin in twins:
            twin.write(twin.size)

    writer = threading.Thread(target=finish_later)
    writer.start()
    with pytest.raises(uw.ValidationError) as caught:
        uw.clone_voice(uw.connect(sandbox.url, sandbox.token), samples=twins, **fields())
    writer.join()
    assert [p.message for p in caught.value.problems] == ["same content as sample 'twin0.wav'"]
    assert sandbox.requests() == []


def test_a_writer_that_starts_over_under_a_new_name_still_gives_the_same_bytes(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """The picker's fall-back from the direct route to the comm: the file starts over elsewhere."""
    data = make_wav(seconds=20.0, freq=250)
    growing = Growing(tmp_path, "restarted.wav", data)
    growing.write(len(data) // 2)

    async def scenario() -> object:
        connection = uw.connect(sandbox.url, sandbox.token)
        upload = asyncio.ensure_future(
            uw.clone_voice_async(connection, samples=[growing], **fields())
        )
        await asyncio.sleep(0.3)
        growing.restart()
        for upto in range(0, len(data) + 1, 50_000):
            growing.write(upto)
            await asyncio.sleep(0.01)
        growing.write(len(data))
        try:
            return await asyncio.wait_for(upload, 30)
        finally:
            await connection.aclose()

    voice = asyncio.run(scenario())
    assert stored(sandbox, voice) == [("restarted.wav", sha(data))]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    pieces=st.lists(st.integers(min_value=1, max_value=60_000), min_size=1, max_size=12),
    pauses=st.lists(st.sampled_from([0.0, 0.001, 0.01]), min_size=1, max_size=12),
    sync=st.booleans(),
)
def test_any_landing_schedule_sends_exactly_the_file(
    sandbox: RunningSandbox,
    tmp_path_factory: pytest.TempPathFactory,
    pieces: list[int],
    pauses: list[float],
    sync: bool,
) -> None:
    """Whatever the pieces and pauses of the writer, sync or async, the sandbox stores the file
    (the pieces repeat, for at most 40 writes; the rest then lands at once)."""
    data = noise_wav(200_000, seed=len(pieces))
    growing = Growing(tmp_path_factory.mktemp("landing"), "landing.wav", data)

    def write_all() -> None:
        upto = 0
        for index in range(40):
            upto = min(len(data), upto + pieces[index % len(pieces)])
            growing.write(upto)
            time.sleep(pauses[index % len(pauses)])
        growing.write(len(data))

    writer = threading.Thread(target=write_all)
    writer.start()
    connection = uw.connect(sandbox.url, sandbox.token)
    try:
        if sync:
            voice = uw.clone_voice(connection, samples=[growing], **fields())
        else:
            voice = asyncio.run(uw.clone_voice_async(connection, samples=[growing], **fields()))
    finally:
        writer.join()
        connection.close()
    assert stored(sandbox, voice) == [("landing.wav", sha(data))]
