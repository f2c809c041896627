from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Cursors")


@_attrs_define
class Cursors:
    """
    Attributes:
        before (int): Milliseconds since the Unix epoch, within the years 1-9999 (0001-01-01T00:00:00.000Z to
            9999-12-31T23:59:59.999Z): the dates the server's database can hold and query. As a query parameter the
            server answers 400 `Invalid date from timestamp` beyond JavaScript's date range (±8.64e15) and **500**
            `INTERNAL_SERVER_ERROR` between that and these bounds (the database rejects the date).
        after (int): Milliseconds since the Unix epoch, within the years 1-9999 (0001-01-01T00:00:00.000Z to
            9999-12-31T23:59:59.999Z): the dates the server's database can hold and query. As a query parameter the
            server answers 400 `Invalid date from timestamp` beyond JavaScript's date range (±8.64e15) and **500**
            `INTERNAL_SERVER_ERROR` between that and these bounds (the database rejects the date).
    """

    before: int
    after: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        before = self.before

        after = self.after

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "before": before,
                "after": after,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        before = d.pop("before")

        after = d.pop("after")

        cursors = cls(
            before=before,
            after=after,
        )

        cursors.additional_properties = d
        return cursors

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
