from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AgentResponse")


@_attrs_define
class AgentResponse:
    """The agent's reply content (the `http` transport's `agentResponse` and the `done` event). Every field
    is optional and further keys may appear.

        Attributes:
            text (str | Unset):
            thought (str | Unset):
            actions (list[str] | Unset):
            providers (list[str] | Unset):
            simple (bool | Unset):
            response_id (str | Unset): The reply's id (the `messageId` of its `chunk` events). `http`/`sse` replies are not
                stored, so it
                never appears in the history.
            in_reply_to (str | Unset): An id the agent runtime derives for the message it answers — **not** `userMessage.id`
                (a
                different, agent-scoped UUID, typically with version nibble 0). Do not correlate replies by it.
    """

    text: str | Unset = UNSET
    thought: str | Unset = UNSET
    actions: list[str] | Unset = UNSET
    providers: list[str] | Unset = UNSET
    simple: bool | Unset = UNSET
    response_id: str | Unset = UNSET
    in_reply_to: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        text = self.text

        thought = self.thought

        actions: list[str] | Unset = UNSET
        if not isinstance(self.actions, Unset):
            actions = self.actions

        providers: list[str] | Unset = UNSET
        if not isinstance(self.providers, Unset):
            providers = self.providers

        simple = self.simple

        response_id = self.response_id

        in_reply_to = self.in_reply_to

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if text is not UNSET:
            field_dict["text"] = text
        if thought is not UNSET:
            field_dict["thought"] = thought
        if actions is not UNSET:
            field_dict["actions"] = actions
        if providers is not UNSET:
            field_dict["providers"] = providers
        if simple is not UNSET:
            field_dict["simple"] = simple
        if response_id is not UNSET:
            field_dict["responseId"] = response_id
        if in_reply_to is not UNSET:
            field_dict["inReplyTo"] = in_reply_to

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        text = d.pop("text", UNSET)

        thought = d.pop("thought", UNSET)

        actions = cast(list[str], d.pop("actions", UNSET))

        providers = cast(list[str], d.pop("providers", UNSET))

        simple = d.pop("simple", UNSET)

        response_id = d.pop("responseId", UNSET)

        in_reply_to = d.pop("inReplyTo", UNSET)

        agent_response = cls(
            text=text,
            thought=thought,
            actions=actions,
            providers=providers,
            simple=simple,
            response_id=response_id,
            in_reply_to=in_reply_to,
        )

        agent_response.additional_properties = d
        return agent_response

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
