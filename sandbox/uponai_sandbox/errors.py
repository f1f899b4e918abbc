"""JSON errors: every 4xx names what was wrong and, where it applies, the field or file."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    """An error answered as `{"status", "code", "message", "field"?, "file"?, "requestId"}`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        file: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.file = file
        self.headers = headers or {}

    def body(self, request_id: str | None) -> dict[str, Any]:
        """The JSON document sent to the client."""
        body: dict[str, Any] = {"status": self.status, "code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        if self.file is not None:
            body["file"] = self.file
        if request_id is not None:
            body["requestId"] = request_id
        return body

    def response(self, request_id: str | None = None) -> JSONResponse:
        """A Starlette response for this error."""
        headers = dict(self.headers)
        if request_id is not None:
            headers["X-Request-Id"] = request_id
        return JSONResponse(self.body(request_id), status_code=self.status, headers=headers)
