from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SessionStats")


@_attrs_define
class SessionStats:
    """
    Attributes:
        total_sessions (int): Every session in memory, including expired ones not yet swept.
        active_sessions (int):
        expired_sessions (int):
    """

    total_sessions: int
    active_sessions: int
    expired_sessions: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total_sessions = self.total_sessions

        active_sessions = self.active_sessions

        expired_sessions = self.expired_sessions

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "totalSessions": total_sessions,
                "activeSessions": active_sessions,
                "expiredSessions": expired_sessions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        total_sessions = d.pop("totalSessions")

        active_sessions = d.pop("activeSessions")

        expired_sessions = d.pop("expiredSessions")

        session_stats = cls(
            total_sessions=total_sessions,
            active_sessions=active_sessions,
            expired_sessions=expired_sessions,
        )

        session_stats.additional_properties = d
        return session_stats

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
