from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cursors import Cursors
    from ..models.message import Message


T = TypeVar("T", bound="MessagePage")


@_attrs_define
class MessagePage:
    """
    Attributes:
        messages (list[Message]):
        has_more (bool): True when the page is full (`messages` has `limit` items), not a promise of more.
        cursors (Cursors | Unset):
    """

    messages: list[Message]
    has_more: bool
    cursors: Cursors | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        messages = []
        for messages_item_data in self.messages:
            messages_item = messages_item_data.to_dict()
            messages.append(messages_item)

        has_more = self.has_more

        cursors: dict[str, Any] | Unset = UNSET
        if not isinstance(self.cursors, Unset):
            cursors = self.cursors.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "messages": messages,
                "hasMore": has_more,
            }
        )
        if cursors is not UNSET:
            field_dict["cursors"] = cursors

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cursors import Cursors  # noqa: PLC0415
        from ..models.message import Message  # noqa: PLC0415

        d = dict(src_dict)
        messages = []
        _messages = d.pop("messages")
        for messages_item_data in _messages:
            messages_item = Message.from_dict(messages_item_data)

            messages.append(messages_item)

        has_more = d.pop("hasMore")

        _cursors = d.pop("cursors", UNSET)
        cursors: Cursors | Unset
        if isinstance(_cursors, Unset):
            cursors = UNSET
        else:
            cursors = Cursors.from_dict(_cursors)

        message_page = cls(
            messages=messages,
            has_more=has_more,
            cursors=cursors,
        )

        message_page.additional_properties = d
        return message_page

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
