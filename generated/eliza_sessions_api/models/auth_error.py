from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuthError")


@_attrs_define
class AuthError:
    """A 401 body: the API-key check's (`{"error": "API key required", "message": "Missing or invalid
    X-API-KEY header"}`) or, on a data-isolation server, the JWT check's (`{"error": "JWT token required
    for data isolation"}`, `{"error": "Invalid JWT token", "details": "JWT verification failed: …"}`).

        Attributes:
            error (str):
            message (str | Unset):
            details (str | Unset): Why the JWT was refused (the verifier's message).
    """

    error: str
    message: str | Unset = UNSET
    details: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error

        message = self.message

        details = self.details

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
            }
        )
        if message is not UNSET:
            field_dict["message"] = message
        if details is not UNSET:
            field_dict["details"] = details

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        error = d.pop("error")

        message = d.pop("message", UNSET)

        details = d.pop("details", UNSET)

        auth_error = cls(
            error=error,
            message=message,
            details=details,
        )

        auth_error.additional_properties = d
        return auth_error

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
