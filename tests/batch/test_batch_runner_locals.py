"""The batch's own frames never hold an impersonation reason or the token as a plain value.

Tracebacks rendered with local variables (`capture_locals=True`, rich's `show_locals`, error
reporters) print every frame's locals: while a job's request is on its way, the frames of
`uponai_widgets.batch` below the public call must show neither secret. (`clone_voices` itself
has the caller's own `jobs` argument, as the caller's frame does.)
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from types import FrameType

import httpx
from support.batch import VOICE_JSON, sample_jobs

from uponai_widgets import clone_voices, connect

TOKEN = "sk-batch-frames-7c1d9e2f4a6b"
REASON = "ticket 5521: the account owner asked for it"


class FrameSnapshot(httpx.AsyncBaseTransport):
    """Answers 201 after rendering the locals of every batch frame on the stack."""

    def __init__(self) -> None:
        self.rendered: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        async for _chunk in request.stream:
            pass
        frame: FrameType | None = sys._getframe()
        while frame is not None:
            code = frame.f_code
            if "/uponai_widgets/batch/" in code.co_filename and code.co_name != "clone_voices":
                summary = traceback.FrameSummary(
                    code.co_filename, frame.f_lineno, code.co_name, locals=frame.f_locals
                )
                self.rendered.append(f"{summary.name}: {summary.locals}")
            frame = frame.f_back
        return httpx.Response(201, json=VOICE_JSON)


def test_no_batch_frame_holds_the_reason_or_the_token(tmp_path: Path) -> None:
    transport = FrameSnapshot()
    connection = connect("http://api.test", TOKEN, httpx_args={"transport": transport})
    jobs = sample_jobs(tmp_path, 2)
    for job in jobs:
        job.update(actor_type="platform_admin", impersonation_reason=REASON)
    result = clone_voices(connection, jobs, on_progress=False)
    assert result.counts()["created"] == 2
    assert any(text.startswith("_run_job:") for text in transport.rendered)
    for text in transport.rendered:
        assert REASON not in text, text
        assert TOKEN not in text, text
