from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TimeoutConfigInput")


@_attrs_define
class TimeoutConfigInput:
    """Timeout settings for a new session; every field is optional and falls back to the agent's settings,
    then to the server's defaults (30 / true / 720 / 5). Values are clamped, not rejected (see
    create_session); numeric strings are accepted too.

        Attributes:
            timeout_minutes (float | Unset): Inactivity timeout in minutes; clamped to the server's range (5–1440 by
                default, see the
                introduction).
            auto_renew (bool | Unset): Whether activity (messages, heartbeats) extends the session. Send a boolean.
            max_duration_minutes (float | Unset): Absolute lifetime cap in minutes; clamped to at least `timeoutMinutes`, at
                most 2880. When left
                out it stays at the default (720), even below a larger `timeoutMinutes`.
            warning_threshold_minutes (float | Unset): Size of the "near expiration" window in minutes; clamped to at least
                1.
    """

    timeout_minutes: float | Unset = UNSET
    auto_renew: bool | Unset = UNSET
    max_duration_minutes: float | Unset = UNSET
    warning_threshold_minutes: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        timeout_minutes = self.timeout_minutes

        auto_renew = self.auto_renew

        max_duration_minutes = self.max_duration_minutes

        warning_threshold_minutes = self.warning_threshold_minutes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if timeout_minutes is not UNSET:
            field_dict["timeoutMinutes"] = timeout_minutes
        if auto_renew is not UNSET:
            field_dict["autoRenew"] = auto_renew
        if max_duration_minutes is not UNSET:
            field_dict["maxDurationMinutes"] = max_duration_minutes
        if warning_threshold_minutes is not UNSET:
            field_dict["warningThresholdMinutes"] = warning_threshold_minutes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        timeout_minutes = d.pop("timeoutMinutes", UNSET)

        auto_renew = d.pop("autoRenew", UNSET)

        max_duration_minutes = d.pop("maxDurationMinutes", UNSET)

        warning_threshold_minutes = d.pop("warningThresholdMinutes", UNSET)

        timeout_config_input = cls(
            timeout_minutes=timeout_minutes,
            auto_renew=auto_renew,
            max_duration_minutes=max_duration_minutes,
            warning_threshold_minutes=warning_threshold_minutes,
        )

        timeout_config_input.additional_properties = d
        return timeout_config_input

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
