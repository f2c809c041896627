from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TimeoutConfig")


@_attrs_define
class TimeoutConfig:
    """A session's timeout configuration, as stored.

    Attributes:
        timeout_minutes (float): Inactivity timeout in minutes, within the server's range (5–1440 by default); not
            necessarily
            an integer.
        auto_renew (Any): Whether activity extends the session. A boolean, unless the session was created with another
            JSON value, which the server stores and echoes verbatim (and treats by JavaScript truthiness).
        max_duration_minutes (float): Absolute lifetime cap in minutes, counted from `createdAt`.
        warning_threshold_minutes (float): Size of the "near expiration" window in minutes.
    """

    timeout_minutes: float
    auto_renew: Any
    max_duration_minutes: float
    warning_threshold_minutes: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        timeout_minutes = self.timeout_minutes

        auto_renew = self.auto_renew

        max_duration_minutes = self.max_duration_minutes

        warning_threshold_minutes = self.warning_threshold_minutes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "timeoutMinutes": timeout_minutes,
                "autoRenew": auto_renew,
                "maxDurationMinutes": max_duration_minutes,
                "warningThresholdMinutes": warning_threshold_minutes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        timeout_minutes = d.pop("timeoutMinutes")

        auto_renew = d.pop("autoRenew")

        max_duration_minutes = d.pop("maxDurationMinutes")

        warning_threshold_minutes = d.pop("warningThresholdMinutes")

        timeout_config = cls(
            timeout_minutes=timeout_minutes,
            auto_renew=auto_renew,
            max_duration_minutes=max_duration_minutes,
            warning_threshold_minutes=warning_threshold_minutes,
        )

        timeout_config.additional_properties = d
        return timeout_config

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
