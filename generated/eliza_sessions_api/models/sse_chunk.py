from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SseChunk")


@_attrs_define
class SseChunk:
    """The data of a `chunk` event: one piece of the reply's text (tags stripped). The pieces, in `index`
    order, concatenate to the `done` event's `text`.

        Attributes:
            chunk (str):
            index (int): Counts from 0.
            message_id (str | Unset): The reply's id, equal to the `done` event's `responseId`.
    """

    chunk: str
    index: int
    message_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        chunk = self.chunk

        index = self.index

        message_id = self.message_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "chunk": chunk,
                "index": index,
            }
        )
        if message_id is not UNSET:
            field_dict["messageId"] = message_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        chunk = d.pop("chunk")

        index = d.pop("index")

        message_id = d.pop("messageId", UNSET)

        sse_chunk = cls(
            chunk=chunk,
            index=index,
            message_id=message_id,
        )

        sse_chunk.additional_properties = d
        return sse_chunk

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
