from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent_response import AgentResponse
    from ..models.legacy_user_message import LegacyUserMessage
    from ..models.session_status import SessionStatus


T = TypeVar("T", bound="ModeSendMessageResponse")


@_attrs_define
class ModeSendMessageResponse:
    """1.7.0's 201 send body (`mode: "websocket"` or `"sync"`): like `SendMessageResponse`, but
    `userMessage` is a camelCase `LegacyUserMessage`. `agentResponse` (`sync` only) is absent when the
    agent gives no reply.

        Attributes:
            success (bool):
            user_message (LegacyUserMessage): The stored user message as the releases before 1.7.2 answer a send: camelCase,
                with an ISO
                `createdAt` (1.7.0: `userMessage` and the `user_message` event; 1.6.5: the top level of the 201 body,
                see `FlatSendMessageResponse`). 1.7.2 sends a `BusMessage` instead.
            agent_response (AgentResponse | Unset): The agent's reply content (the `http` transport's `agentResponse` and
                the `done` event). Every field
                is optional and further keys may appear.
            session_status (SessionStatus | Unset):
    """

    success: bool
    user_message: LegacyUserMessage
    agent_response: AgentResponse | Unset = UNSET
    session_status: SessionStatus | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        success = self.success

        user_message = self.user_message.to_dict()

        agent_response: dict[str, Any] | Unset = UNSET
        if not isinstance(self.agent_response, Unset):
            agent_response = self.agent_response.to_dict()

        session_status: dict[str, Any] | Unset = UNSET
        if not isinstance(self.session_status, Unset):
            session_status = self.session_status.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "success": success,
                "userMessage": user_message,
            }
        )
        if agent_response is not UNSET:
            field_dict["agentResponse"] = agent_response
        if session_status is not UNSET:
            field_dict["sessionStatus"] = session_status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_response import AgentResponse  # noqa: PLC0415
        from ..models.legacy_user_message import LegacyUserMessage  # noqa: PLC0415
        from ..models.session_status import SessionStatus  # noqa: PLC0415

        d = dict(src_dict)
        success = d.pop("success")

        user_message = LegacyUserMessage.from_dict(d.pop("userMessage"))

        _agent_response = d.pop("agentResponse", UNSET)
        agent_response: AgentResponse | Unset
        if isinstance(_agent_response, Unset):
            agent_response = UNSET
        else:
            agent_response = AgentResponse.from_dict(_agent_response)

        _session_status = d.pop("sessionStatus", UNSET)
        session_status: SessionStatus | Unset
        if isinstance(_session_status, Unset):
            session_status = UNSET
        else:
            session_status = SessionStatus.from_dict(_session_status)

        mode_send_message_response = cls(
            success=success,
            user_message=user_message,
            agent_response=agent_response,
            session_status=session_status,
        )

        mode_send_message_response.additional_properties = d
        return mode_send_message_response

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
