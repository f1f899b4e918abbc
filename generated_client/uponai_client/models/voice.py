from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Voice")


@_attrs_define
class Voice:
    """
    Attributes:
        voice_id (str):
        name (str):
        gender (str | Unset):
        language (str | Unset):
        accent (str | Unset):
        description (str | Unset):
        provider (str | Unset):
        preview_url (str | Unset):
        playback_override_url (None | str | Unset):
        tags (list[str] | Unset):
        created_at (datetime.datetime | None | Unset):
        updated_at (datetime.datetime | None | Unset):
    """

    voice_id: str
    name: str
    gender: str | Unset = UNSET
    language: str | Unset = UNSET
    accent: str | Unset = UNSET
    description: str | Unset = UNSET
    provider: str | Unset = UNSET
    preview_url: str | Unset = UNSET
    playback_override_url: None | str | Unset = UNSET
    tags: list[str] | Unset = UNSET
    created_at: datetime.datetime | None | Unset = UNSET
    updated_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        voice_id = self.voice_id

        name = self.name

        gender = self.gender

        language = self.language

        accent = self.accent

        description = self.description

        provider = self.provider

        preview_url = self.preview_url

        playback_override_url: None | str | Unset
        if isinstance(self.playback_override_url, Unset):
            playback_override_url = UNSET
        else:
            playback_override_url = self.playback_override_url

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        created_at: None | str | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        elif isinstance(self.created_at, datetime.datetime):
            created_at = self.created_at.isoformat()
        else:
            created_at = self.created_at

        updated_at: None | str | Unset
        if isinstance(self.updated_at, Unset):
            updated_at = UNSET
        elif isinstance(self.updated_at, datetime.datetime):
            updated_at = self.updated_at.isoformat()
        else:
            updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "voiceId": voice_id,
                "name": name,
            }
        )
        if gender is not UNSET:
            field_dict["gender"] = gender
        if language is not UNSET:
            field_dict["language"] = language
        if accent is not UNSET:
            field_dict["accent"] = accent
        if description is not UNSET:
            field_dict["description"] = description
        if provider is not UNSET:
            field_dict["provider"] = provider
        if preview_url is not UNSET:
            field_dict["previewUrl"] = preview_url
        if playback_override_url is not UNSET:
            field_dict["playbackOverrideUrl"] = playback_override_url
        if tags is not UNSET:
            field_dict["tags"] = tags
        if created_at is not UNSET:
            field_dict["createdAt"] = created_at
        if updated_at is not UNSET:
            field_dict["updatedAt"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        voice_id = d.pop("voiceId")

        name = d.pop("name")

        gender = d.pop("gender", UNSET)

        language = d.pop("language", UNSET)

        accent = d.pop("accent", UNSET)

        description = d.pop("description", UNSET)

        provider = d.pop("provider", UNSET)

        preview_url = d.pop("previewUrl", UNSET)

        def _parse_playback_override_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        playback_override_url = _parse_playback_override_url(
            d.pop("playbackOverrideUrl", UNSET)
        )

        tags = cast(list[str], d.pop("tags", UNSET))

        def _parse_created_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                created_at_type_0 = datetime.datetime.fromisoformat(data)

                return created_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        created_at = _parse_created_at(d.pop("createdAt", UNSET))

        def _parse_updated_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                updated_at_type_0 = datetime.datetime.fromisoformat(data)

                return updated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        updated_at = _parse_updated_at(d.pop("updatedAt", UNSET))

        voice = cls(
            voice_id=voice_id,
            name=name,
            gender=gender,
            language=language,
            accent=accent,
            description=description,
            provider=provider,
            preview_url=preview_url,
            playback_override_url=playback_override_url,
            tags=tags,
            created_at=created_at,
            updated_at=updated_at,
        )

        voice.additional_properties = d
        return voice

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
