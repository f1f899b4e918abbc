"""Unknown outcomes against the real sandbox: its `{"drop": "after-store"}` fault stores the
voice, then closes the connection before any reply byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.reliability import quick_connection, wav_path

import uponai_widgets as uw
from uponai_devtools.sandbox import RunningSandbox


def _job(tmp_path: Path, name: str, freq: float) -> dict[str, object]:
    return {
        "name": name,
        "provider": "elevenlabs",
        "workspace_id": 5,
        "samples": [wav_path(tmp_path, f"{name}.wav", freq=freq)],
    }


def test_clone_voice_raises_outcome_unknown_and_sends_once(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sandbox.inject_fault(drop="after-store")
    connection = quick_connection(sandbox.url, sandbox.token)
    with pytest.raises(uw.OutcomeUnknownError) as caught:
        uw.clone_voice(connection, **_job(tmp_path, "after-store-1", 310))  # type: ignore[arg-type]
    assert "may have been created" in str(caught.value)
    assert sandbox.token not in str(caught.value)
    (entry,) = sandbox.requests()  # never resent, although the policy retries drops before the body
    assert entry["complete"] is True
    assert len(sandbox.voice_ids("after-store-1")) == 1  # it was in fact created


def test_batch_row_is_unknown_resume_skips_it_resend_unknown_sends_it(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    jobs = [_job(tmp_path, f"as-{i}", 320 + 20 * i) for i in range(3)]
    sandbox.inject_fault(drop="after-store", voice_name="as-1")
    connection = quick_connection(sandbox.url, sandbox.token)
    first = uw.clone_voices(connection, jobs, concurrency=3, on_progress=False)
    assert [row.status for row in first] == ["created", "unknown", "created"]
    assert "resend_unknown=True" in first.rows[1].error
    assert first.rows[1].voice_id is None
    assert sandbox.voice_counts().get("as-1") == 1

    table = tmp_path / "first.json"
    first.to_json(table)
    sandbox.clear_requests()
    again = uw.clone_voices(connection, jobs, on_progress=False, resume=table)
    assert sandbox.requests() == []  # nothing sent: two voices exist, one may exist
    assert [row.status for row in again] == ["skipped", "unknown", "skipped"]
    assert "1 unknown" in again.summary()

    forced = uw.clone_voices(connection, jobs, on_progress=False, resume=again, resend_unknown=True)
    assert [entry["fields"]["voiceName"] for entry in sandbox.requests()] == ["as-1"]
    assert [row.status for row in forced] == ["skipped", "created", "skipped"]
    # What resend_unknown risks, and why it is opt-in: the first one had been stored.
    assert sandbox.voice_counts().get("as-1") == 2
