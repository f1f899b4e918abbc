"""Bearer auth, the impersonation rule, the tenant override, and the token kept out of logs."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from support.sandbox_http import CLONE, assert_error, clone

from uponai_devtools.sandbox import RunningSandbox, SandboxFactory
from uponai_devtools.wav import make_wav

WAV = make_wav(0.1)


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", "Bearer", "Basic dXNlcjpwYXNz", "Token abc"],
)
def test_missing_or_wrong_token_is_401(sandbox: RunningSandbox, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = clone(sandbox, [("a.wav", WAV)], headers=headers, auth=False)
    assert_error(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert sandbox.requests()[-1]["status"] == 401


def test_token_is_compared_exactly(sandbox: RunningSandbox) -> None:
    near = {"Authorization": f"Bearer {sandbox.token}x"}
    assert_error(clone(sandbox, [("a.wav", WAV)], headers=near, auth=False), 401)
    assert clone(sandbox, [("a.wav", WAV)]).status_code == 201


@pytest.mark.parametrize("actor", ["platform_admin", "provider_admin"])
@pytest.mark.parametrize("reason", [None, ""])
def test_admin_without_impersonation_reason_is_403(
    sandbox: RunningSandbox, actor: str, reason: str | None
) -> None:
    headers = {"X-Actor-Type": actor, "X-Tenant-Id": "5"}
    if reason is not None:
        headers["X-Impersonation-Reason"] = reason
    response = clone(sandbox, [("a.wav", WAV)], headers=headers)
    body = assert_error(response, 403, field="X-Impersonation-Reason")
    assert "X-Impersonation-Reason" in body["message"]


@pytest.mark.parametrize(
    ("actor", "reason"),
    [
        ("platform_admin", "audit 42"),
        ("provider_admin", "customer asked"),
        ("tenant_admin", None),
        ("end_user", None),
    ],
)
def test_allowed_actors(sandbox: RunningSandbox, actor: str, reason: str | None) -> None:
    headers = {"X-Actor-Type": actor} | ({"X-Impersonation-Reason": reason} if reason else {})
    response = clone(sandbox, [("a.wav", WAV)], headers=headers)
    assert response.status_code == 201, response.text
    assert sandbox.voice_record(response.json()["voiceId"])["actor_type"] == actor


def test_tenant_header_overrides_the_workspace(sandbox: RunningSandbox) -> None:
    response = clone(sandbox, [("a.wav", WAV)], headers={"X-Tenant-Id": "777"})
    assert response.status_code == 201
    assert "workspace:777" in response.json()["tags"]
    record = sandbox.voice_record(response.json()["voiceId"])
    assert record["workspace_id"] == 777
    assert record["requested_workspace_id"] == 42
    assert record["workspace_source"] == "X-Tenant-Id"


def test_without_tenant_header_the_form_workspace_is_used(sandbox: RunningSandbox) -> None:
    response = clone(sandbox, [("a.wav", WAV)])
    record = sandbox.voice_record(response.json()["voiceId"])
    assert (record["workspace_id"], record["workspace_source"]) == (42, "workspaceId")


def test_token_never_logged_nor_on_the_command_line(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    sandbox = sandbox_factory(tmp_path / "data", extra_args=["--log-level", "debug"])
    cmdline = Path(f"/proc/{sandbox.pid}/cmdline").read_bytes()
    assert sandbox.token.encode() not in cmdline
    assert clone(sandbox, [("a.wav", WAV)]).status_code == 201
    wrong = "Bearer not-the-token-" + sandbox.token[::-1]
    clone(sandbox, [("a.wav", WAV)], headers={"Authorization": wrong}, auth=False)
    httpx.post(sandbox.url + CLONE, headers=sandbox.auth_headers, content=b"x")
    log = sandbox.log_text()
    assert "POST /api/voices/clone" in log  # debug logging really was on
    assert sandbox.token not in log
    assert sandbox.token[::-1] not in log
    for entry in sandbox.requests():
        assert "authorization" not in {name.lower() for name in entry["headers"]}
