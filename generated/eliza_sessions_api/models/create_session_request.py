from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.metadata import Metadata
    from ..models.timeout_config_input import TimeoutConfigInput


T = TypeVar("T", bound="CreateSessionRequest")


@_attrs_define
class CreateSessionRequest:
    """
    Attributes:
        agent_id (str): A UUID as the server checks it: any 8-4-4-4-12 hexadecimal string, of any version, in any case
            (the nil UUID passes).
        user_id (str): A UUID as the server checks it: any 8-4-4-4-12 hexadecimal string, of any version, in any case
            (the nil UUID passes).
        metadata (Metadata | Unset): Free-form JSON object sent by the caller. The server limits its serialized
            (`JSON.stringify`) length
            to 10 240 characters (the error calls them bytes; 10 240 passes, 10 241 does not) and does not
            enforce the type (see `SessionMetadata` for what a non-object becomes). A U+0000 in any key or string
            cannot be stored (the database rejects it): 500 `SESSION_CREATION_FAILED` / `MESSAGE_SEND_FAILED`.
        timeout_config (TimeoutConfigInput | Unset): Timeout settings for a new session; every field is optional and
            falls back to the agent's settings,
            then to the server's defaults (30 / true / 720 / 5). Values are clamped, not rejected (see
            create_session); numeric strings are accepted too.
    """

    agent_id: str
    user_id: str
    metadata: Metadata | Unset = UNSET
    timeout_config: TimeoutConfigInput | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent_id = self.agent_id

        user_id = self.user_id

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        timeout_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.timeout_config, Unset):
            timeout_config = self.timeout_config.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agentId": agent_id,
                "userId": user_id,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if timeout_config is not UNSET:
            field_dict["timeoutConfig"] = timeout_config

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metadata import Metadata  # noqa: PLC0415
        from ..models.timeout_config_input import TimeoutConfigInput  # noqa: PLC0415

        d = dict(src_dict)
        agent_id = d.pop("agentId")

        user_id = d.pop("userId")

        _metadata = d.pop("metadata", UNSET)
        metadata: Metadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = Metadata.from_dict(_metadata)

        _timeout_config = d.pop("timeoutConfig", UNSET)
        timeout_config: TimeoutConfigInput | Unset
        if isinstance(_timeout_config, Unset):
            timeout_config = UNSET
        else:
            timeout_config = TimeoutConfigInput.from_dict(_timeout_config)

        create_session_request = cls(
            agent_id=agent_id,
            user_id=user_id,
            metadata=metadata,
            timeout_config=timeout_config,
        )

        create_session_request.additional_properties = d
        return create_session_request

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
