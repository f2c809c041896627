from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent_response import AgentResponse
    from ..models.bus_message import BusMessage
    from ..models.session_status import SessionStatus


T = TypeVar("T", bound="SendMessageResponse")


@_attrs_define
class SendMessageResponse:
    """
    Attributes:
        success (bool):
        user_message (BusMessage): The stored user message in the snake_case structure of the server's internal message
            bus (send
            replies and the `user_message` event). `created_at` is in epoch milliseconds; `message_server_id` is
            the nil UUID (`00000000-0000-0000-0000-000000000000`) unless the server isolates data. There is no
            `in_reply_to_message_id` key (a user message replies to nothing).
        agent_response (AgentResponse | None | Unset): The agent's reply, or null when the agent chose not to answer.
        session_status (SessionStatus | Unset):
    """

    success: bool
    user_message: BusMessage
    agent_response: AgentResponse | None | Unset = UNSET
    session_status: SessionStatus | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.agent_response import AgentResponse  # noqa: PLC0415

        success = self.success

        user_message = self.user_message.to_dict()

        agent_response: dict[str, Any] | None | Unset
        if isinstance(self.agent_response, Unset):
            agent_response = UNSET
        elif isinstance(self.agent_response, AgentResponse):
            agent_response = self.agent_response.to_dict()
        else:
            agent_response = self.agent_response

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
        from ..models.bus_message import BusMessage  # noqa: PLC0415
        from ..models.session_status import SessionStatus  # noqa: PLC0415

        d = dict(src_dict)
        success = d.pop("success")

        user_message = BusMessage.from_dict(d.pop("userMessage"))

        def _parse_agent_response(data: object) -> AgentResponse | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                agent_response_type_0 = AgentResponse.from_dict(data)

                return agent_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AgentResponse | None | Unset, data)

        agent_response = _parse_agent_response(d.pop("agentResponse", UNSET))

        _session_status = d.pop("sessionStatus", UNSET)
        session_status: SessionStatus | Unset
        if isinstance(_session_status, Unset):
            session_status = UNSET
        else:
            session_status = SessionStatus.from_dict(_session_status)

        send_message_response = cls(
            success=success,
            user_message=user_message,
            agent_response=agent_response,
            session_status=session_status,
        )

        send_message_response.additional_properties = d
        return send_message_response

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
