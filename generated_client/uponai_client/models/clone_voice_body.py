from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import types
from ..types import File

T = TypeVar("T", bound="CloneVoiceBody")


@_attrs_define
class CloneVoiceBody:
    """
    Attributes:
        workspace_id (int):
        voice_provider (str):
        voice_name (str):
        files (list[File]):
    """

    workspace_id: int
    voice_provider: str
    voice_name: str
    files: list[File]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        workspace_id = self.workspace_id

        voice_provider = self.voice_provider

        voice_name = self.voice_name

        files = []
        for files_item_data in self.files:
            files_item = files_item_data.to_tuple()

            files.append(files_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "workspaceId": workspace_id,
                "voiceProvider": voice_provider,
                "voiceName": voice_name,
                "files": files,
            }
        )

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(
            ("workspaceId", (None, str(self.workspace_id).encode(), "text/plain"))
        )

        files.append(
            ("voiceProvider", (None, str(self.voice_provider).encode(), "text/plain"))
        )

        files.append(("voiceName", (None, str(self.voice_name).encode(), "text/plain")))

        for files_item_element in self.files:
            files.append(("files", files_item_element.to_tuple()))

        for prop_name, prop in self.additional_properties.items():
            files.append((prop_name, (None, str(prop).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        workspace_id = d.pop("workspaceId")

        voice_provider = d.pop("voiceProvider")

        voice_name = d.pop("voiceName")

        files = []
        _files = d.pop("files")
        for files_item_data in _files:
            files_item = File(payload=BytesIO(files_item_data))

            files.append(files_item)

        clone_voice_body = cls(
            workspace_id=workspace_id,
            voice_provider=voice_provider,
            voice_name=voice_name,
            files=files,
        )

        clone_voice_body.additional_properties = d
        return clone_voice_body

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
