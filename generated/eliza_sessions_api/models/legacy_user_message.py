from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.message_metadata import MessageMetadata


T = TypeVar("T", bound="LegacyUserMessage")


@_attrs_define
class LegacyUserMessage:
    """The stored user message as the releases before 1.7.2 answer a send: camelCase, with an ISO
    `createdAt` (1.7.0: `userMessage` and the `user_message` event; 1.6.5: the top level of the 201 body,
    see `FlatSendMessageResponse`). 1.7.2 sends a `BusMessage` instead.

        Attributes:
            id (str): A UUID as the server checks it: any 8-4-4-4-12 hexadecimal string, of any version, in any case
                (the nil UUID passes).
            content (str):
            author_id (str): A UUID as the server checks it: any 8-4-4-4-12 hexadecimal string, of any version, in any case
                (the nil UUID passes).
            created_at (datetime.datetime):
            metadata (MessageMetadata): A stored message's metadata (history messages and `userMessage`); keys come back in
                no particular
                order.

                * User messages: `userId`, `agentId`, `sessionId`, `timeoutConfig` (the snapshot taken at creation,
                  never updated by update_session_timeout), then the session's metadata and this message's
                  `metadata`, merged in that order, so the caller's keys may overwrite the reserved ones. A
                  non-object session or message metadata is spread one key per index (`"ab"` → `"0": "a"`,
                  `"1": "b"`).
                * Agent replies (`isAgent: true`, `websocket` transport only): `thought` (string), `actions` (array
                  of strings), `isDm` (false), `agent_id` (the agent's id), `agentName` and `channelType`
                  (`"GROUP"`), and nothing else for a plain text reply (an agent that sends attachments adds
                  `attachments`). `isDm` is false and `channelType` is `GROUP` although the session's channel is
                  created as a direct message.
    """

    id: str
    content: str
    author_id: str
    created_at: datetime.datetime
    metadata: MessageMetadata
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        content = self.content

        author_id = self.author_id

        created_at = self.created_at.isoformat()

        metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "content": content,
                "authorId": author_id,
                "createdAt": created_at,
                "metadata": metadata,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.message_metadata import MessageMetadata  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        content = d.pop("content")

        author_id = d.pop("authorId")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        metadata = MessageMetadata.from_dict(d.pop("metadata"))

        legacy_user_message = cls(
            id=id,
            content=content,
            author_id=author_id,
            created_at=created_at,
            metadata=metadata,
        )

        legacy_user_message.additional_properties = d
        return legacy_user_message

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
