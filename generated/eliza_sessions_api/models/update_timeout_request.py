from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UpdateTimeoutRequest")


@_attrs_define
class UpdateTimeoutRequest:
    """The new timeout configuration. Omitted fields are **reset to defaults**, not kept, and `{}` resets
    all of them (see update_session_timeout).

        Attributes:
            timeout_minutes (float | Unset): Inactivity timeout in minutes; must be within the server's configured range,
                5–1440 by default
                (the bounds here are the widest any configuration allows). Must not be null.
            auto_renew (bool | Unset): Whether activity extends the session; must be a boolean (a string is a 400).
            max_duration_minutes (float | Unset): Absolute lifetime cap in minutes; clamped to at least `timeoutMinutes`, at
                most 2880.
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

        update_timeout_request = cls(
            timeout_minutes=timeout_minutes,
            auto_renew=auto_renew,
            max_duration_minutes=max_duration_minutes,
            warning_threshold_minutes=warning_threshold_minutes,
        )

        update_timeout_request.additional_properties = d
        return update_timeout_request

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
