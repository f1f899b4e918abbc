"""Small multipart pieces are joined into fewer writes; large chunks pass through uncopied."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from uponai_widgets._coalesce import MIN_WRITE, coalesce, coalesce_async

SMALL = [b"--boundary\r\n", b'Content-Disposition: form-data; name="a"\r\n\r\n', b"42", b"\r\n"]


def test_small_pieces_become_one_write() -> None:
    assert list(coalesce(SMALL)) == [b"".join(SMALL)]


def test_large_chunks_pass_through_as_the_same_object() -> None:
    big = bytes(MIN_WRITE)
    out = list(coalesce([b"head", big, b"tail"]))
    assert out == [b"head", big, b"tail"]
    assert out[1] is big


def test_no_write_grows_past_the_limit_and_nothing_is_lost() -> None:
    pieces = [bytes([i % 251]) * 20_000 for i in range(7)]
    out = list(coalesce(pieces))
    assert b"".join(out) == b"".join(pieces)
    assert max(map(len, out)) <= MIN_WRITE
    assert len(out) < len(pieces)


def test_async_variant_matches() -> None:
    pieces = [*SMALL, bytes(MIN_WRITE + 1), *SMALL]

    async def source() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    async def collect() -> list[bytes]:
        return [chunk async for chunk in coalesce_async(source())]

    assert asyncio.run(collect()) == list(coalesce(pieces))
