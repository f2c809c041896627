from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.message_metadata import MessageMetadata
    from ..models.raw_message import RawMessage


T = TypeVar("T", bound="BusMessage")


@_attrs_define
class BusMessage:
    """The stored user message in the snake_case structure of the server's internal message bus (send
    replies and the `user_message` event). `created_at` is in epoch milliseconds; `message_server_id` is
    the nil UUID (`00000000-0000-0000-0000-000000000000`) unless the server isolates data. There is no
    `in_reply_to_message_id` key (a user message replies to nothing).

        Attributes:
            id (str): A UUID as the server checks it: any 8-4-4-4-12 hexadecimal string, of any version, in any case
                (the nil UUID passes).
            channel_id (str): A UUID as the server checks it: any 8-4-4-4-12 hexadecimal string, of any version, in any case
                (the nil UUID passes).
            message_server_id (str): A UUID as the server checks it: any 8-4-4-4-12 hexadecimal string, of any version, in
                any case
                (the nil UUID passes).
            author_id (str): A UUID as the server checks it: any 8-4-4-4-12 hexadecimal string, of any version, in any case
                (the nil UUID passes).
            content (str):
            created_at (int): Milliseconds since the Unix epoch, within the years 1-9999 (0001-01-01T00:00:00.000Z to
                9999-12-31T23:59:59.999Z): the dates the server's database can hold and query. As a query parameter the
                server answers 400 `Invalid date from timestamp` beyond JavaScript's date range (±8.64e15) and **500**
                `INTERNAL_SERVER_ERROR` between that and these bounds (the database rejects the date).
            source_type (str): `user` for the messages this API stores.
            raw_message (RawMessage):
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
    channel_id: str
    message_server_id: str
    author_id: str
    content: str
    created_at: int
    source_type: str
    raw_message: RawMessage
    metadata: MessageMetadata
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        channel_id = self.channel_id

        message_server_id = self.message_server_id

        author_id = self.author_id

        content = self.content

        created_at = self.created_at

        source_type = self.source_type

        raw_message = self.raw_message.to_dict()

        metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "channel_id": channel_id,
                "message_server_id": message_server_id,
                "author_id": author_id,
                "content": content,
                "created_at": created_at,
                "source_type": source_type,
                "raw_message": raw_message,
                "metadata": metadata,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.message_metadata import MessageMetadata  # noqa: PLC0415
        from ..models.raw_message import RawMessage  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        channel_id = d.pop("channel_id")

        message_server_id = d.pop("message_server_id")

        author_id = d.pop("author_id")

        content = d.pop("content")

        created_at = d.pop("created_at")

        source_type = d.pop("source_type")

        raw_message = RawMessage.from_dict(d.pop("raw_message"))

        metadata = MessageMetadata.from_dict(d.pop("metadata"))

        bus_message = cls(
            id=id,
            channel_id=channel_id,
            message_server_id=message_server_id,
            author_id=author_id,
            content=content,
            created_at=created_at,
            source_type=source_type,
            raw_message=raw_message,
            metadata=metadata,
        )

        bus_message.additional_properties = d
        return bus_message

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
