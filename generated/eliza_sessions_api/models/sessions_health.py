from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SessionsHealth")


@_attrs_define
class SessionsHealth:
    """
    Attributes:
        status (str): `healthy` today; an open set (the server's own types also name `unhealthy`).
        active_sessions (int):
        timestamp (datetime.datetime):
        expiring_soon (int):
        uptime (float): Process uptime in seconds (fractional).
        invalid_sessions (int | Unset): Present only when above zero.
    """

    status: str
    active_sessions: int
    timestamp: datetime.datetime
    expiring_soon: int
    uptime: float
    invalid_sessions: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        active_sessions = self.active_sessions

        timestamp = self.timestamp.isoformat()

        expiring_soon = self.expiring_soon

        uptime = self.uptime

        invalid_sessions = self.invalid_sessions

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
                "activeSessions": active_sessions,
                "timestamp": timestamp,
                "expiringSoon": expiring_soon,
                "uptime": uptime,
            }
        )
        if invalid_sessions is not UNSET:
            field_dict["invalidSessions"] = invalid_sessions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        status = d.pop("status")

        active_sessions = d.pop("activeSessions")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        expiring_soon = d.pop("expiringSoon")

        uptime = d.pop("uptime")

        invalid_sessions = d.pop("invalidSessions", UNSET)

        sessions_health = cls(
            status=status,
            active_sessions=active_sessions,
            timestamp=timestamp,
            expiring_soon=expiring_soon,
            uptime=uptime,
            invalid_sessions=invalid_sessions,
        )

        sessions_health.additional_properties = d
        return sessions_health

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
