"""The picker's direct route: a Jupyter server extension that writes a chosen file into the
kernel's temporary file, from one streamed HTTP PUT.

Over the widget's comm, every byte crosses Chromium's renderer (read into the page, copied into
a websocket message), the websocket, the server's kernel protocol and the kernel's zmq socket:
about 20 s of CPU per GB across the processes. On this route the page hands the `File` itself
to ``XMLHttpRequest.send``: Chromium's network service reads it from disk and streams it to the
Jupyter server, which appends the body to the file the kernel created when the file was
announced (`ChunkStore` names it with a random 128-bit token and tells the page its *ticket*,
``<store directory>/<file name>``, relative to the temporary directory). The kernel then checks
the size and marks the file complete; its memory never holds the bytes.

The handler writes only into a file that already exists and is empty (and that no other request
is writing), is a regular file (not a link) owned by the server's user, inside a store directory of the temporary directory owned by
that user and closed to others. A kernel on another machine, or with another temporary directory,
has no such file for the server: the PUT answers 404 and the page sends the file over the comm
instead. Requests are authenticated and authorised like JupyterLab's own contents API (token or
login cookie plus the XSRF check; ``write`` on ``contents``).

An installed package enables the extension with
``etc/jupyter/jupyter_server_config.d/uponai_widgets.json`` (a file of the wheel's data), so
JupyterLab, Notebook 7 and Voila keep their default settings.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

__all__ = ["ROUTE", "TICKET", "DirectUploadHandler", "open_ticket"]

#: Where the handler listens, under the server's base URL (the ticket follows).
ROUTE = "uponai/direct-upload"

#: A ticket: a store directory's name, then a file name with the kernel's random token.
TICKET = re.compile(
    r"^(uponai-(?:samples|recordings)-\d+-[A-Za-z0-9_]+)/(\d{5}-[0-9a-f]{32}\.audio)$"
)


def open_ticket(ticket: str, parent: Path | None = None) -> int | None:
    """A write descriptor on the ticket's empty file, or None when there is no such file here."""
    match = TICKET.match(ticket)
    if match is None:
        return None
    directory = (Path(tempfile.gettempdir()) if parent is None else parent) / match.group(1)
    try:
        info = os.lstat(directory)
    except OSError:
        return None
    private = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) == 0
    if not (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and private):
        return None
    flags = os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        descriptor = os.open(directory / match.group(2), flags)
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # one writer at a time
    except OSError:
        os.close(descriptor)
        return None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_size:
        os.close(descriptor)
        return None
    return descriptor


@web.stream_request_body
class DirectUploadHandler(APIHandler):
    """``PUT <base>/uponai/direct-upload/<ticket>``: the body is appended to the ticket's file.

    ``GET`` on the same address answers 204 when this server can take the ticket's file (the
    file is here, empty and free), 404 otherwise: the page asks before sending, so a server
    without the route (Voila's own, which loads no server extensions) or far from the kernel
    never receives a body it would throw away.
    """

    _descriptor: int | None = None
    _expected = 0
    _written = 0
    _failure = ""

    async def prepare(self) -> None:  # type: ignore[override]  # as APIHandler.prepare
        """Authenticate, authorise, find the ticket's file and accept a body of its length."""
        await super().prepare()
        if self.current_user is None or not self.authorizer.is_authorized(
            self, self.current_user, "write", "contents"
        ):
            raise web.HTTPError(403)
        if self.request.method == "GET":
            return
        if self.request.method != "PUT":
            raise web.HTTPError(405)
        length = self.request.headers.get("Content-Length", "")
        if not length.isdigit():
            raise web.HTTPError(411)
        self._expected = int(length)
        self._descriptor = open_ticket(str(self.path_args[0]))
        if self._descriptor is None:
            raise web.HTTPError(404, "no such upload ticket on this server")
        # Jupyter's 512 MiB ceiling is for bodies held in memory; this one goes to disk.
        connection: Any = self.request.connection
        connection.set_max_body_size(self._expected)

    def get(self, ticket: str) -> None:
        """204 when a PUT of this ticket would be written here, else 404."""
        descriptor = open_ticket(ticket)
        if descriptor is None:
            raise web.HTTPError(404, "no such upload ticket on this server")
        os.close(descriptor)
        self.set_status(204)
        self.finish()

    def data_received(self, chunk: bytes) -> None:
        """Append a piece of the body (after a failed write, the rest is read and dropped)."""
        if self._descriptor is None or self._failure:
            return
        view = memoryview(chunk)
        try:
            while view:
                view = view[os.write(self._descriptor, view) :]
        except OSError as exc:
            self._failure = exc.strerror or str(exc)
            self._close()
            return
        self._written += len(chunk)

    def put(self, _ticket: str) -> None:
        """The whole body has arrived: answer 201 with the bytes written."""
        self._close()
        if self._failure:
            raise web.HTTPError(507, f"the server could not store it: {self._failure}")
        if self._written != self._expected:
            raise web.HTTPError(400, f"received {self._written} of {self._expected} bytes")
        self.set_status(201)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"received": self._written}))

    def on_connection_close(self) -> None:
        """The page went away mid-body (cancelled, closed): stop writing."""
        self._close()
        super().on_connection_close()

    def on_finish(self) -> None:
        """Close the file whatever the outcome."""
        self._close()

    def _close(self) -> None:
        if self._descriptor is not None:
            with contextlib.suppress(OSError):
                os.close(self._descriptor)
            self._descriptor = None


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Add the route to the running server (called by jupyter_server at start)."""
    web_app = serverapp.web_app
    pattern = url_path_join(web_app.settings["base_url"], ROUTE, "(.+)")
    web_app.add_handlers(".*$", [(pattern, DirectUploadHandler)])
