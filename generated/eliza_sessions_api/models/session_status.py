from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SessionStatus")


@_attrs_define
class SessionStatus:
    """
    Attributes:
        expires_at (datetime.datetime):
        renewal_count (int):
        was_renewed (bool):
        is_near_expiration (bool): Always false in send replies (a server bug).
    """

    expires_at: datetime.datetime
    renewal_count: int
    was_renewed: bool
    is_near_expiration: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_at = self.expires_at.isoformat()

        renewal_count = self.renewal_count

        was_renewed = self.was_renewed

        is_near_expiration = self.is_near_expiration

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expiresAt": expires_at,
                "renewalCount": renewal_count,
                "wasRenewed": was_renewed,
                "isNearExpiration": is_near_expiration,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        expires_at = datetime.datetime.fromisoformat(d.pop("expiresAt"))

        renewal_count = d.pop("renewalCount")

        was_renewed = d.pop("wasRenewed")

        is_near_expiration = d.pop("isNearExpiration")

        session_status = cls(
            expires_at=expires_at,
            renewal_count=renewal_count,
            was_renewed=was_renewed,
            is_near_expiration=is_near_expiration,
        )

        session_status.additional_properties = d
        return session_status

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
