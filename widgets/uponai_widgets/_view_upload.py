"""A `FileUpload` whose audio only ever travels from the browser to the kernel.

ipywidgets' `FileUpload` serialises ``value`` with the file contents in both directions, so a
value assigned from Python (a script, a test, nbclient) is sent back out as binary buffers, and
nbclient keeps every buffer it has seen for a widget even after ``value`` is reset to ``()``
(measured: the executed notebook then holds the audio in base64). `AudioUpload` keeps the
browser-to-kernel direction as is and sends only name, type and size towards the front end.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import ipywidgets  # type: ignore[import-untyped]  # ipywidgets ships no type information
from traitlets import Bunch, Dict

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def entry_from_json(entry: Mapping[str, Any]) -> Bunch:
    """One file sent by the browser: name/type/size, ``content`` (a memoryview), last_modified."""
    millis = entry.get("last_modified")
    modified = (
        _EPOCH + datetime.timedelta(milliseconds=millis)
        if isinstance(millis, int | float)
        else _EPOCH
    )
    return Bunch(
        name=entry.get("name", ""),
        type=entry.get("type", ""),
        size=entry.get("size", 0),
        content=entry.get("content", memoryview(b"")),
        last_modified=modified,
    )


def entry_to_json(entry: Mapping[str, Any]) -> dict[str, Any]:
    """What the front end gets for one file: everything but the audio (an empty buffer)."""
    modified = entry.get("last_modified")
    millis = int(modified.timestamp() * 1000) if isinstance(modified, datetime.datetime) else 0
    return {
        "name": entry.get("name", ""),
        "type": entry.get("type", ""),
        "size": entry.get("size", 0),
        "content": memoryview(b""),
        "last_modified": millis,
    }


def _value_from_json(value: Any, _widget: Any) -> list[Bunch]:
    return [entry_from_json(entry) for entry in value or ()]


def _value_to_json(value: Any, _widget: Any) -> list[dict[str, Any]]:
    return [entry_to_json(entry) for entry in value or ()]


class AudioUpload(ipywidgets.FileUpload):  # type: ignore[misc]  # ipywidgets is untyped (Any)
    """`FileUpload` that never sends file contents from the kernel to the front end."""

    value = ipywidgets.widgets.trait_types.TypedTuple(
        Dict(), help="The chosen files (contents only ever arrive from the browser)"
    ).tag(sync=True, echo_update=False, from_json=_value_from_json, to_json=_value_to_json)
