from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.middleware_error_detail import MiddlewareErrorDetail


T = TypeVar("T", bound="MiddlewareError")


@_attrs_define
class MiddlewareError:
    """The error envelope of the server's middleware and fallback handlers.

    Attributes:
        success (bool):
        error (MiddlewareErrorDetail):
    """

    success: bool
    error: MiddlewareErrorDetail
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        success = self.success

        error = self.error.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "success": success,
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.middleware_error_detail import MiddlewareErrorDetail  # noqa: PLC0415

        d = dict(src_dict)
        success = d.pop("success")

        error = MiddlewareErrorDetail.from_dict(d.pop("error"))

        middleware_error = cls(
            success=success,
            error=error,
        )

        middleware_error.additional_properties = d
        return middleware_error

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
