from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.send_message_request_mode import SendMessageRequestMode
from ..models.send_message_request_transport import SendMessageRequestTransport
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.attachment import Attachment
    from ..models.metadata import Metadata


T = TypeVar("T", bound="SendMessageRequest")


@_attrs_define
class SendMessageRequest:
    """
    Attributes:
        content (str): The message text: 1–4000 UTF-16 code units (JavaScript string length, so a character outside the
            Basic Multilingual Plane counts twice). Whitespace-only text is accepted. U+0000 is accepted by the
            validation but cannot be stored (the database rejects it): 500 `MESSAGE_SEND_FAILED`. (The pattern
            says `\\x00`, the hexadecimal escape every regex dialect reads; Go's RE2 has no four-digit form.)
        transport (SendMessageRequestTransport | Unset): How the agent's reply is delivered (see send_message). Left out
            (or null, with no `mode`), the
            server uses `websocket`. (Not written as a schema `default`: generators would then make the field
            required in the types they derive, and a client could not leave it out.)
        mode (SendMessageRequestMode | Unset): Legacy name for `transport` (`sync` = `http`, `stream` = `sse`),
            consulted only when `transport` is
            absent or null.
        attachments (list[Attachment] | Unset):
        metadata (Metadata | Unset): Free-form JSON object sent by the caller. The server limits its serialized
            (`JSON.stringify`) length
            to 10 240 characters (the error calls them bytes; 10 240 passes, 10 241 does not) and does not
            enforce the type (see `SessionMetadata` for what a non-object becomes). A U+0000 in any key or string
            cannot be stored (the database rejects it): 500 `SESSION_CREATION_FAILED` / `MESSAGE_SEND_FAILED`.
    """

    content: str
    transport: SendMessageRequestTransport | Unset = UNSET
    mode: SendMessageRequestMode | Unset = UNSET
    attachments: list[Attachment] | Unset = UNSET
    metadata: Metadata | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        content = self.content

        transport: str | Unset = UNSET
        if not isinstance(self.transport, Unset):
            transport = self.transport.value

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        attachments: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.attachments, Unset):
            attachments = []
            for attachments_item_data in self.attachments:
                attachments_item = attachments_item_data.to_dict()
                attachments.append(attachments_item)

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "content": content,
            }
        )
        if transport is not UNSET:
            field_dict["transport"] = transport
        if mode is not UNSET:
            field_dict["mode"] = mode
        if attachments is not UNSET:
            field_dict["attachments"] = attachments
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attachment import Attachment  # noqa: PLC0415
        from ..models.metadata import Metadata  # noqa: PLC0415

        d = dict(src_dict)
        content = d.pop("content")

        _transport = d.pop("transport", UNSET)
        transport: SendMessageRequestTransport | Unset
        if isinstance(_transport, Unset):
            transport = UNSET
        else:
            transport = SendMessageRequestTransport(_transport)

        _mode = d.pop("mode", UNSET)
        mode: SendMessageRequestMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = SendMessageRequestMode(_mode)

        _attachments = d.pop("attachments", UNSET)
        attachments: list[Attachment] | Unset = UNSET
        if _attachments is not UNSET:
            attachments = []
            for attachments_item_data in _attachments:
                attachments_item = Attachment.from_dict(attachments_item_data)

                attachments.append(attachments_item)

        _metadata = d.pop("metadata", UNSET)
        metadata: Metadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = Metadata.from_dict(_metadata)

        send_message_request = cls(
            content=content,
            transport=transport,
            mode=mode,
            attachments=attachments,
            metadata=metadata,
        )

        send_message_request.additional_properties = d
        return send_message_request

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
