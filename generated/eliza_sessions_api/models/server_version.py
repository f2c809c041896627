from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ServerVersion")


@_attrs_define
class ServerVersion:
    """`GET /api/system/version`: the server's release and process.

    Attributes:
        version (str): The `@elizaos/server` package version (`unknown` if it cannot be read).
        source (str | Unset):
        timestamp (datetime.datetime | Unset):
        environment (str | Unset):
        uptime (float | Unset): Process uptime in seconds (fractional).
    """

    version: str
    source: str | Unset = UNSET
    timestamp: datetime.datetime | Unset = UNSET
    environment: str | Unset = UNSET
    uptime: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        source = self.source

        timestamp: str | Unset = UNSET
        if not isinstance(self.timestamp, Unset):
            timestamp = self.timestamp.isoformat()

        environment = self.environment

        uptime = self.uptime

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "version": version,
            }
        )
        if source is not UNSET:
            field_dict["source"] = source
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp
        if environment is not UNSET:
            field_dict["environment"] = environment
        if uptime is not UNSET:
            field_dict["uptime"] = uptime

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        version = d.pop("version")

        source = d.pop("source", UNSET)

        _timestamp = d.pop("timestamp", UNSET)
        timestamp: datetime.datetime | Unset
        if isinstance(_timestamp, Unset):
            timestamp = UNSET
        else:
            timestamp = datetime.datetime.fromisoformat(_timestamp)

        environment = d.pop("environment", UNSET)

        uptime = d.pop("uptime", UNSET)

        server_version = cls(
            version=version,
            source=source,
            timestamp=timestamp,
            environment=environment,
            uptime=uptime,
        )

        server_version.additional_properties = d
        return server_version

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
