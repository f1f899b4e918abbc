"""`POST /api/voices/clone`: auth, header rules, streamed upload, validation, atomic commit."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from .auth import check_auth
from .config import Settings
from .drain import DRAIN_EXTRA, drain, drain_request
from .errors import ApiError
from .faults import Fault
from .receive import FILES_FIELD, FormReceiver, boundary_from
from .rules import impersonation_reason, int64, text_field
from .state import SandboxState
from .store import NewVoice

ACTOR_TYPES = ("platform_admin", "provider_admin", "tenant_admin", "end_user")
PRIVILEGED_ACTORS = ("platform_admin", "provider_admin")
REQUIRED_FIELDS = ("workspaceId", "voiceProvider", "voiceName")


@dataclass(frozen=True)
class ActorContext:
    """The validated optional headers of a clone request."""

    actor_type: str | None
    provider_id: int | None
    tenant_id: int | None
    impersonation_reason: str | None


def actor_context(request: Request, max_reason_chars: int) -> ActorContext:
    """Validate X-Actor-Type / X-Provider-Id / X-Tenant-Id / X-Impersonation-Reason."""
    headers = request.headers
    actor = headers.get("x-actor-type")
    if actor is not None and actor not in ACTOR_TYPES:
        raise ApiError(
            422,
            "invalid_header",
            f"header 'X-Actor-Type' must be one of {', '.join(ACTOR_TYPES)}",
            field="X-Actor-Type",
        )
    raw_provider = headers.get("x-provider-id")
    raw_tenant = headers.get("x-tenant-id")
    provider_id = int64(raw_provider, "X-Provider-Id", "header") if raw_provider else None
    tenant_id = int64(raw_tenant, "X-Tenant-Id", "header") if raw_tenant else None
    if raw_provider == "" or raw_tenant == "":
        name = "X-Provider-Id" if raw_provider == "" else "X-Tenant-Id"
        raise ApiError(422, "invalid_header", f"header {name!r} is empty", field=name)
    reason = headers.get("x-impersonation-reason")
    if reason is not None:
        impersonation_reason(reason, max_reason_chars)
    if actor in PRIVILEGED_ACTORS and not (reason and reason.strip()):
        raise ApiError(
            403,
            "impersonation_reason_required",
            f"X-Actor-Type {actor} requires the 'X-Impersonation-Reason' header for a "
            "tenant-scoped request",
            field="X-Impersonation-Reason",
        )
    return ActorContext(actor, provider_id, tenant_id, reason)


def _single_field(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name)
    if not values:
        raise ApiError(400, "missing_field", f"missing form field {name!r}", field=name)
    if len(values) > 1:
        raise ApiError(
            422, "invalid_field", f"form field {name!r} given more than once", field=name
        )
    return values[0]


def validated_voice(receiver: FormReceiver, context: ActorContext, settings: Settings) -> NewVoice:
    """Check the received form and build what will be stored."""
    fields = receiver.fields
    requested = int64(_single_field(fields, "workspaceId"), "workspaceId", "field")
    provider = text_field(
        _single_field(fields, "voiceProvider"), "voiceProvider", settings.max_provider_chars
    )
    name = text_field(_single_field(fields, "voiceName"), "voiceName", settings.max_name_chars)
    if not receiver.files:
        raise ApiError(
            400, "missing_files", "at least one audio file is required", field=FILES_FIELD
        )
    overridden = context.tenant_id is not None
    return NewVoice(
        name=name,
        provider=provider,
        workspace_id=context.tenant_id if context.tenant_id is not None else requested,
        requested_workspace_id=requested,
        workspace_source="X-Tenant-Id" if overridden else "workspaceId",
        actor_type=context.actor_type,
        provider_id=context.provider_id,
        impersonation_reason=context.impersonation_reason,
    )


def voice_json(record: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The spec's `Voice` for a stored record."""
    samples = len(record["samples"])
    return {
        "voiceId": record["voice_id"],
        "name": record["name"],
        "provider": record["provider"],
        "description": f"Cloned in the UponAI sandbox from {samples} sample(s)",
        "previewUrl": f"{base_url}/preview/{record['preview_token']}",
        "playbackOverrideUrl": None,
        "tags": ["cloned", "sandbox", f"workspace:{record['workspace_id']}"],
        "createdAt": record["created_at"],
        "updatedAt": record["updated_at"],
    }


class CloneHandler:
    """One clone request from start to answer, recording it in the test-mode request log."""

    def __init__(self, state: SandboxState, request: Request) -> None:
        self.state = state
        self.request = request
        self.request_id = "req_" + secrets.token_hex(8)
        self.entry: dict[str, Any] = {}
        self.body_read = False
        """Whether reading the body started (an error before it is an early answer)."""

    def _start_entry(self, authenticated: bool) -> None:
        """Open the test-mode log entry; an unauthenticated request's keeps none of its headers."""
        if not self.state.settings.test_mode:
            return
        headers = {k: v for k, v in self.request.headers.items() if k != "authorization"}
        self.entry = self.state.request_log.start(
            {
                "requestId": self.request_id,
                "method": self.request.method,
                "path": self.request.url.path,
                "receivedAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "authenticated": authenticated,
                "headers": headers if authenticated else {},
                "fields": {},
                "files": [],
                "bodyBytes": 0,
                "complete": False,
                "status": None,
            }
        )

    async def run(self) -> Response:
        """Answer the request (or drop it, when a fault says so)."""
        try:
            check_auth(self.request, self.state.settings.token)
        except ApiError as error:
            self._start_entry(authenticated=False)  # after the check: nothing of the request
            self.entry.update(status=error.status, error=error.code, message=error.message)
            return await self._early_answer(error)
        self._start_entry(authenticated=True)
        try:
            response = await self._run()
        except ApiError as error:
            self.entry.update(status=error.status, error=error.code, message=error.message)
            if not self.body_read:
                return await self._early_answer(error)
            return error.response(self.request_id)
        if not self.entry.get("dropped"):
            self.entry["status"] = response.status_code
        return response

    async def _run(self) -> Response:
        context = actor_context(self.request, self.state.settings.max_reason_chars)
        fault: Fault | None = None
        if self.state.settings.test_mode:
            latency_ms, fault = self.state.faults.take()
            if fault is not None:
                self.entry["fault"] = fault.describe()
            if latency_ms:
                await asyncio.sleep(latency_ms / 1000)
        boundary = boundary_from(self.request.headers.get("content-type"))
        declared = self.request.headers.get("content-length")
        limit = self.state.settings.max_request_size
        if declared and declared.isdigit() and int(declared) > limit:
            raise ApiError(413, "request_too_large", f"request body exceeds {limit} bytes")
        temp_dir = self.state.store.new_temp_dir()
        try:
            receiver = FormReceiver(
                boundary, temp_dir, self.state.limits, keep=not self.state.settings.discard_samples
            )
            try:
                dropped = await self._receive(receiver, fault)
            except ApiError:
                if fault is not None and fault.status is not None:
                    raise fault.error() from None  # the injected status wins over a bad body
                raise
            finally:
                receiver.close()
                self._log_form(receiver)
            if dropped:
                return Response(status_code=499)  # never sent: the connection is gone
            if fault is None and self.state.settings.test_mode:
                fault = self._targeted_fault(receiver)
            if fault is not None and fault.status is not None:
                raise fault.error()
            voice = validated_voice(receiver, context, self.state.settings)
            record = self.state.store.commit_voice(voice, temp_dir, receiver.files)
        finally:
            self.state.store.discard(temp_dir)
        self.entry["voiceId"] = record["voice_id"]
        if fault is not None and fault.drop == "after-store":
            await self._drop_connection()
            return Response(status_code=499)  # never sent: the voice is stored, the reply lost
        base_url = self.state.settings.public_url or str(self.request.base_url).rstrip("/")
        headers = {"X-Request-Id": self.request_id}
        return JSONResponse(voice_json(record, base_url), status_code=201, headers=headers)

    async def _receive(self, receiver: FormReceiver, fault: Fault | None) -> bool:
        """Stream the body into `receiver`; True if a fault dropped the connection part-way."""
        declared = self.request.headers.get("content-length")
        drop_after = max(1, int(declared) // 2) if declared and declared.isdigit() else 1
        self.body_read = True
        stream = self.request.stream()
        try:
            async for chunk in stream:
                try:
                    receiver.feed(chunk)
                except ApiError:
                    await self._drain(stream, receiver.received_bytes)
                    raise
                mid_body = fault is not None and fault.drop == "mid-body"
                if mid_body and receiver.received_bytes >= drop_after:
                    await self._drop_connection()
                    return True
            receiver.finish()
        except ClientDisconnect:
            raise ApiError(400, "client_disconnected", "the client went away mid-body") from None
        self.entry["complete"] = True
        return False

    def _targeted_fault(self, receiver: FormReceiver) -> Fault | None:
        """A fault waiting for this request's `voiceName` (known once the body is in)."""
        names = receiver.fields.get("voiceName")
        fault = self.state.faults.take_targeted(names[0] if names else None)
        if fault is not None:
            self.entry["fault"] = fault.describe()
        return fault

    async def _drop_connection(self) -> None:
        """Abort this request's connection without a response byte."""
        self.entry["dropped"] = True
        if not await self.state.connections.drop(self.request.client):
            raise ApiError(500, "drop_failed", "could not find the connection to drop")

    async def _drain(self, stream: Any, received: int) -> None:
        """Read and discard the rest of a rejected body (bounded) so the client sees the answer."""
        settings = self.state.settings
        budget = settings.max_request_size + DRAIN_EXTRA - received
        await drain(stream, max_bytes=budget, seconds=settings.body_timeout)

    async def _early_answer(self, error: ApiError) -> Response:
        """`error` for a request whose body was not read: read it first (bounded), then answer
        and close the connection, so the client reads the answer instead of a reset."""
        settings = self.state.settings
        budget = settings.max_request_size + DRAIN_EXTRA
        await drain_request(self.request, max_bytes=budget, seconds=settings.body_timeout)
        response = error.response(self.request_id)
        response.headers["Connection"] = "close"
        return response

    def _log_form(self, receiver: FormReceiver) -> None:
        if not self.state.settings.test_mode:
            return
        self.entry["fields"] = {
            name: values[0] if len(values) == 1 else values
            for name, values in receiver.fields.items()
        }
        self.entry["files"] = [item.summary() for item in receiver.files]
        self.entry["bodyBytes"] = receiver.received_bytes
