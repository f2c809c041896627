from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.session_error_detail_details import SessionErrorDetailDetails


T = TypeVar("T", bound="SessionErrorDetail")


@_attrs_define
class SessionErrorDetail:
    """
    Attributes:
        code (str): An open set; today `VALIDATION_ERROR`, `SESSION_NOT_FOUND`, `SESSION_EXPIRED`, `AGENT_NOT_FOUND`,
            `SESSION_CREATION_FAILED`, `SESSION_RENEWAL_FAILED`, `MESSAGE_SEND_FAILED`, `INTERNAL_SERVER_ERROR`.
        message (str):
        timestamp (datetime.datetime):
        details (SessionErrorDetailDetails | Unset): Error-specific details (for example `missingFields`).
        stack (str | Unset): The server's stack trace. Never show it to users or write it to logs.
    """

    code: str
    message: str
    timestamp: datetime.datetime
    details: SessionErrorDetailDetails | Unset = UNSET
    stack: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        timestamp = self.timestamp.isoformat()

        details: dict[str, Any] | Unset = UNSET
        if not isinstance(self.details, Unset):
            details = self.details.to_dict()

        stack = self.stack

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
                "timestamp": timestamp,
            }
        )
        if details is not UNSET:
            field_dict["details"] = details
        if stack is not UNSET:
            field_dict["stack"] = stack

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.session_error_detail_details import SessionErrorDetailDetails  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        _details = d.pop("details", UNSET)
        details: SessionErrorDetailDetails | Unset
        if isinstance(_details, Unset):
            details = UNSET
        else:
            details = SessionErrorDetailDetails.from_dict(_details)

        stack = d.pop("stack", UNSET)

        session_error_detail = cls(
            code=code,
            message=message,
            timestamp=timestamp,
            details=details,
            stack=stack,
        )

        session_error_detail.additional_properties = d
        return session_error_detail

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
