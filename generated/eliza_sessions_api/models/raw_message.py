from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.raw_message_attachments_type_1 import RawMessageAttachmentsType1


T = TypeVar("T", bound="RawMessage")


@_attrs_define
class RawMessage:
    """
    Attributes:
        content (str):
        attachments (bool | float | list[Any] | None | RawMessageAttachmentsType1 | str | Unset): The attachments
            exactly as sent (absent when none were sent): normally an array of `Attachment`
            objects, but the server checks nothing, so any JSON value a caller sent comes back as is.
    """

    content: str
    attachments: bool | float | list[Any] | None | RawMessageAttachmentsType1 | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.raw_message_attachments_type_1 import RawMessageAttachmentsType1  # noqa: PLC0415

        content = self.content

        attachments: bool | dict[str, Any] | float | list[Any] | None | str | Unset
        if isinstance(self.attachments, Unset):
            attachments = UNSET
        elif isinstance(self.attachments, list):
            attachments = self.attachments

        elif isinstance(self.attachments, RawMessageAttachmentsType1):
            attachments = self.attachments.to_dict()
        else:
            attachments = self.attachments

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "content": content,
            }
        )
        if attachments is not UNSET:
            field_dict["attachments"] = attachments

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.raw_message_attachments_type_1 import RawMessageAttachmentsType1  # noqa: PLC0415

        d = dict(src_dict)
        content = d.pop("content")

        def _parse_attachments(
            data: object,
        ) -> bool | float | list[Any] | None | RawMessageAttachmentsType1 | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                attachments_type_0 = cast(list[Any], data)

                return attachments_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                attachments_type_1 = RawMessageAttachmentsType1.from_dict(data)

                return attachments_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[Any] | None | RawMessageAttachmentsType1 | str | Unset, data)

        attachments = _parse_attachments(d.pop("attachments", UNSET))

        raw_message = cls(
            content=content,
            attachments=attachments,
        )

        raw_message.additional_properties = d
        return raw_message

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
