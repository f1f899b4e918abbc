"""No frame of the package shows the token or the impersonation reason, on any failing path.

Each failure is rendered as the tools that print every frame's local variables do: the standard
library's `TracebackException(capture_locals=True)` and rich's `Traceback(show_locals=True)`
(wide enough that nothing is cut). The token enters as an argument or as `UPONAI_API_KEY`, the
reason as a keyword argument or a batch job's field; the test's own frames never hold them (they
are module constants used inline), so every occurrence would come from the package. Requests go
over real loopback HTTP to the scripted server (its own process, stopped by PID).
"""

from __future__ import annotations

import asyncio
import io
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rich.console import Console
from rich.traceback import Traceback
from support.fake_api import REASON, TOKEN, clone_args
from support.scripted_server import ScriptedServer

import uponai_widgets as uw
from uponai_client.api.voices import clone_voice as clone_operation
from uponai_client.models import CloneVoiceBody
from uponai_client.types import File
from uponai_devtools.processes import free_port

ADMIN = {"actor_type": "platform_admin", "impersonation_reason": REASON}
CLONE_PATH = "POST /api/voices/clone"


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    """The scripted API process for this module."""
    with ScriptedServer(max_seconds=600) as running:
        yield running


@pytest.fixture
def api(server: ScriptedServer) -> ScriptedServer:
    """The scripted API with an empty queue and log."""
    server.reset()
    return server


def rendered(error: BaseException) -> str:
    """The traceback with every frame's locals, as the standard library and rich print it."""
    stdlib = traceback.TracebackException.from_exception(error, capture_locals=True)
    console = Console(file=io.StringIO(), width=2000, color_system=None, soft_wrap=True)
    console.print(
        Traceback.from_exception(
            type(error),
            error,
            error.__traceback__,
            show_locals=True,
            locals_max_length=10_000,
            locals_max_string=1_000_000,
            word_wrap=True,
            width=2000,
        )
    )
    assert isinstance(console.file, io.StringIO)
    return "".join(stdlib.format()) + console.file.getvalue()


def failure_of(action: Callable[[], object]) -> BaseException:
    """The exception `action` raises (a `KeyboardInterrupt` too)."""
    try:
        action()
    except BaseException as error:
        return error
    raise AssertionError("the call did not fail")


def assert_frames_keep_secrets(error: BaseException, *package_frames: str) -> None:
    """The rendered traceback shows the package's frames, and neither secret in any form."""
    text = rendered(error)
    for frame in package_frames:
        assert f"in {frame}" in text, f"the traceback has no frame {frame}"
    assert TOKEN not in text
    assert REASON not in text
    assert repr(REASON)[1:-1] not in text


def connection_to(url: str, **options: Any) -> uw.Connection:
    """A connection with instant retries."""
    retry = uw.RetryPolicy(max_retries=1, backoff_initial=0.001, backoff_max=0.002)
    return uw.connect(url, TOKEN, retry=retry, **options)


def call_arguments() -> dict[str, Any]:
    """`call` keywords for the generated clone operation, as an admin with a reason."""
    body = CloneVoiceBody(
        workspace_id=42,
        voice_provider="elevenlabs",
        voice_name="Ada",
        files=[File(payload=io.BytesIO(b"RIFF" + bytes(2000)), file_name="a.wav")],
    )
    return {"body": body, "x_actor_type": "platform_admin", "x_impersonation_reason": REASON}


def test_the_renderers_show_a_plain_local() -> None:
    """The check can fail: a secret held as a plain string in a frame is printed."""

    def holds_it_plainly() -> None:
        token = TOKEN + ""
        raise RuntimeError(f"failed with a {len(token)}-character token")

    text = rendered(failure_of(holds_it_plainly))
    assert text.count(TOKEN) >= 2  # once per renderer


# -- connect --------------------------------------------------------------------------------------


def test_connect_refusing_a_token_shows_it_nowhere() -> None:
    error = failure_of(lambda: uw.connect("http://127.0.0.1:9", TOKEN + " with a space"))
    assert isinstance(error, uw.AuthenticationError)
    assert_frames_keep_secrets(error, "connect", "checked_token")


def test_connect_refusing_a_base_url_shows_the_environment_token_nowhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UPONAI_API_KEY", TOKEN)
    error = failure_of(lambda: uw.connect("ftp://example.test"))
    assert isinstance(error, uw.ValidationError)
    assert_frames_keep_secrets(error, "connect")


def test_a_raw_client_refused_shows_its_token_nowhere() -> None:
    from uponai_client import AuthenticatedClient

    def clone_with_raw_client() -> object:
        client = AuthenticatedClient(base_url="http://127.0.0.1:9", token=TOKEN + " x")
        return uw.clone_voice(client, **clone_args(**ADMIN))

    error = failure_of(clone_with_raw_client)
    assert isinstance(error, uw.AuthenticationError)
    assert_frames_keep_secrets(error, "clone_voice", "as_connection")


# -- clone_voice and call, over HTTP --------------------------------------------------------------

STEPS: dict[str, dict[str, Any]] = {
    "401": {"status": 401, "json": {"error": {"message": f"token {TOKEN} refused"}}},
    "500": {"status": 500, "json": {"error": {"message": "boom"}}, "repeat": 2},
    "outcome unknown": {"action": "drop_after_reading", "repeat": 2},
    "timeout": {"action": "hang", "delay": 5},
}
EXPECTED: dict[str, type[BaseException]] = {
    "401": uw.AuthenticationError,
    "500": uw.UponAIError,
    "outcome unknown": uw.OutcomeUnknownError,
    "timeout": uw.OutcomeUnknownTimeoutError,
}


@pytest.mark.parametrize("path", list(STEPS))
def test_clone_voice_failing_over_http_shows_no_secret(api: ScriptedServer, path: str) -> None:
    api.script({"match": CLONE_PATH, **STEPS[path]})
    connection = connection_to(api.url, timeout=1.0)
    error = failure_of(lambda: uw.clone_voice(connection, **clone_args(**ADMIN)))
    assert isinstance(error, EXPECTED[path])
    assert api.log()[0]["headers"]["x-impersonation-reason"] == REASON  # it was sent
    assert_frames_keep_secrets(error, "clone_voice", "send")


@pytest.mark.parametrize("path", list(STEPS))
def test_call_failing_over_http_shows_no_secret(api: ScriptedServer, path: str) -> None:
    api.script({"match": CLONE_PATH, **STEPS[path]})
    connection = connection_to(api.url, timeout=1.0)
    error = failure_of(lambda: uw.call(connection, clone_operation, **call_arguments()))
    assert isinstance(error, EXPECTED[path])
    assert api.log()[0]["headers"]["x-impersonation-reason"] == REASON
    assert_frames_keep_secrets(error, "call", "send")


def test_connection_refused_shows_no_secret() -> None:
    connection = connection_to(f"http://127.0.0.1:{free_port()}")
    for action, frame in (
        (lambda: uw.clone_voice(connection, **clone_args(**ADMIN)), "clone_voice"),
        (lambda: uw.call(connection, clone_operation, **call_arguments()), "call"),
    ):
        error = failure_of(action)
        assert isinstance(error, uw.APIConnectionError)
        assert_frames_keep_secrets(error, frame, "send")


def test_validation_errors_show_no_secret() -> None:
    connection = connection_to("http://127.0.0.1:9")
    for action, frame in (
        (lambda: uw.clone_voice(connection, **clone_args(workspace_id=-1, **ADMIN)), "_exchange"),
        (lambda: uw.clone_voice(connection, **clone_args(timeout=0, **ADMIN)), "_exchange"),
        (lambda: uw.validate_clone(**clone_args(workspace_id=-1, **ADMIN)), "validate_clone"),
        (lambda: uw.call(connection, clone_operation, **call_arguments(), extra=1), "call"),
        (
            lambda: uw.call(connection, clone_operation, **call_arguments(), timeout="abc"),
            "operation_exchange",
        ),
    ):
        error = failure_of(action)
        assert isinstance(error, uw.ValidationError)
        assert_frames_keep_secrets(error, frame)


def test_an_interrupted_upload_shows_no_secret(api: ScriptedServer) -> None:
    api.script({"match": CLONE_PATH, "status": 201, "json": {}})
    connection = connection_to(api.url)

    def interrupt(sent: int, total: int) -> None:
        if sent:
            raise KeyboardInterrupt

    for action, frame in (
        (
            lambda: uw.clone_voice(connection, on_progress=interrupt, **clone_args(**ADMIN)),
            "clone_voice",
        ),
    ):
        error = failure_of(action)
        assert isinstance(error, KeyboardInterrupt)
        assert_frames_keep_secrets(error, frame, "send")


# -- clone_voices ----------------------------------------------------------------------------------


def test_batch_failures_show_no_secret(api: ScriptedServer) -> None:
    connection = connection_to(api.url)
    duplicate = failure_of(
        lambda: uw.clone_voices(connection, [clone_args(**ADMIN), clone_args(**ADMIN)])
    )
    assert isinstance(duplicate, ValueError)
    assert_frames_keep_secrets(duplicate, "clone_voices")
    concurrency = failure_of(
        lambda: uw.clone_voices(connection, [clone_args(**ADMIN)], concurrency=0)
    )
    assert isinstance(concurrency, ValueError)
    assert_frames_keep_secrets(concurrency, "clone_voices")


def test_an_interrupted_batch_shows_no_secret(api: ScriptedServer) -> None:
    api.script({"match": CLONE_PATH, "action": "hang", "delay": 5, "repeat": 2})
    connection = connection_to(api.url)

    interrupted: list[int] = []

    def interrupt(done: int, failed: int, total: int, sent: int) -> None:
        if sent and not interrupted:  # once, as a Ctrl-C during the uploads
            interrupted.append(sent)
            raise KeyboardInterrupt

    error = failure_of(
        lambda: uw.clone_voices(
            connection,
            [clone_args(name="Ada", **ADMIN), clone_args(name="Bob", **ADMIN)],
            on_progress=interrupt,
        )
    )
    assert isinstance(error, uw.BatchInterrupted)
    assert_frames_keep_secrets(error, "clone_voices")


@pytest.mark.parametrize("path", ["401", "outcome unknown"])
@pytest.mark.parametrize("frame", ["clone_voice_async_tracked", "call_async"])
def test_async_calls_failing_over_http_show_no_secret(
    api: ScriptedServer, path: str, frame: str
) -> None:
    api.script({"match": CLONE_PATH, **STEPS[path]})
    connection = connection_to(api.url, timeout=1.0)

    async def failing() -> object:
        if frame == "call_async":
            return await uw.call_async(connection, clone_operation, **call_arguments())
        return await uw.clone_voice_async(connection, **clone_args(**ADMIN))

    error = failure_of(lambda: asyncio.run(failing()))
    assert isinstance(error, EXPECTED[path])
    assert_frames_keep_secrets(error, frame, "send_async")
