from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.timeout_config_auto_renew_type_4 import TimeoutConfigAutoRenewType4


T = TypeVar("T", bound="TimeoutConfig")


@_attrs_define
class TimeoutConfig:
    """A session's timeout configuration, as stored.

    Attributes:
        timeout_minutes (float): Inactivity timeout in minutes, within the server's range (5–1440 by default); not
            necessarily
            an integer.
        auto_renew (bool | float | list[Any] | None | str | TimeoutConfigAutoRenewType4): Whether activity extends the
            session. A boolean, unless the session was created with another
            JSON value, which the server stores and echoes verbatim (and treats by JavaScript truthiness: the
            string `"false"` renews). Sessions created with a boolean (and every session after
            update_session_timeout) hold a boolean.
        max_duration_minutes (float): Absolute lifetime cap in minutes, counted from `createdAt`.
        warning_threshold_minutes (float): Size of the "near expiration" window in minutes.
    """

    timeout_minutes: float
    auto_renew: bool | float | list[Any] | None | str | TimeoutConfigAutoRenewType4
    max_duration_minutes: float
    warning_threshold_minutes: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.timeout_config_auto_renew_type_4 import (
            TimeoutConfigAutoRenewType4,  # noqa: PLC0415
        )

        timeout_minutes = self.timeout_minutes

        auto_renew: bool | dict[str, Any] | float | list[Any] | None | str
        if isinstance(self.auto_renew, list):
            auto_renew = self.auto_renew

        elif isinstance(self.auto_renew, TimeoutConfigAutoRenewType4):
            auto_renew = self.auto_renew.to_dict()
        else:
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
        from ..models.timeout_config_auto_renew_type_4 import (
            TimeoutConfigAutoRenewType4,  # noqa: PLC0415
        )

        d = dict(src_dict)
        timeout_minutes = d.pop("timeoutMinutes")

        def _parse_auto_renew(data: object) -> bool | float | list[Any] | None | str | TimeoutConfigAutoRenewType4:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                auto_renew_type_3 = cast(list[Any], data)

                return auto_renew_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                auto_renew_type_4 = TimeoutConfigAutoRenewType4.from_dict(data)

                return auto_renew_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[Any] | None | str | TimeoutConfigAutoRenewType4, data)

        auto_renew = _parse_auto_renew(d.pop("autoRenew"))

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
