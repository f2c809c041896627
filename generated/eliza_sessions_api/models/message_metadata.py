from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MessageMetadata")


@_attrs_define
class MessageMetadata:
    """A stored message's metadata (history messages and `userMessage`); keys come back in no particular
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

    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message_metadata = cls()

        message_metadata.additional_properties = d
        return message_metadata

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
