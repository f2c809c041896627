from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_details import ErrorDetails


T = TypeVar("T", bound="SessionErrorDetail")


@_attrs_define
class SessionErrorDetail:
    """
    Attributes:
        code (str): An open set; today `VALIDATION_ERROR`, `SESSION_NOT_FOUND`, `SESSION_EXPIRED`, `AGENT_NOT_FOUND`,
            `SESSION_CREATION_FAILED`, `SESSION_RENEWAL_FAILED`, `MESSAGE_SEND_FAILED`, `INTERNAL_SERVER_ERROR`.
        message (str):
        timestamp (datetime.datetime):
        details (ErrorDetails | str | Unset): Error-specific details: an `ErrorDetails` object, or — for
            `INTERNAL_SERVER_ERROR` — the original
            error's message as a plain string. Absent when the error has none.
        stack (str | Unset): The server's stack trace. Never show it to users or write it to logs.
    """

    code: str
    message: str
    timestamp: datetime.datetime
    details: ErrorDetails | str | Unset = UNSET
    stack: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error_details import ErrorDetails  # noqa: PLC0415

        code = self.code

        message = self.message

        timestamp = self.timestamp.isoformat()

        details: dict[str, Any] | str | Unset
        if isinstance(self.details, Unset):
            details = UNSET
        elif isinstance(self.details, ErrorDetails):
            details = self.details.to_dict()
        else:
            details = self.details

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
        from ..models.error_details import ErrorDetails  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        def _parse_details(data: object) -> ErrorDetails | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                details_type_0 = ErrorDetails.from_dict(data)

                return details_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ErrorDetails | str | Unset, data)

        details = _parse_details(d.pop("details", UNSET))

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
