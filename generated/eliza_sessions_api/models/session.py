from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.session_metadata_type_0 import SessionMetadataType0
    from ..models.timeout_config import TimeoutConfig


T = TypeVar("T", bound="Session")


@_attrs_define
class Session:
    """A session's full state (get, renew, heartbeat, update_session_timeout, list).

    Attributes:
        session_id (str): A UUID as the server checks it: any 8-4-4-4-12 hexadecimal string, of any version, in any case
            (the nil UUID passes).
        channel_id (str): A UUID as the server checks it: any 8-4-4-4-12 hexadecimal string, of any version, in any case
            (the nil UUID passes).
        agent_id (str): A UUID as the server checks it: any 8-4-4-4-12 hexadecimal string, of any version, in any case
            (the nil UUID passes).
        user_id (str): A UUID as the server checks it: any 8-4-4-4-12 hexadecimal string, of any version, in any case
            (the nil UUID passes).
        created_at (datetime.datetime):
        last_activity (datetime.datetime):
        metadata (bool | float | list[Any] | SessionMetadataType0 | str): A session's metadata: exactly what its creator
            sent, echoed verbatim. An object normally (`{}` when
            none or `null` was sent), but the server does not check the type, so a string, an array or another
            JSON value sent at creation comes back as is (`"abc"`, `["p", "q"]`). Never null. Written as one type
            list, which every generator can narrow (a `not` or an `anyOf` of objects collapses to `unknown`).
        expires_at (datetime.datetime):
        timeout_config (TimeoutConfig): A session's timeout configuration, as stored.
        renewal_count (int):
        time_remaining (int): Milliseconds until `expiresAt`.
        is_near_expiration (bool): True when 0 < `timeRemaining` ≤ the warning threshold.
    """

    session_id: str
    channel_id: str
    agent_id: str
    user_id: str
    created_at: datetime.datetime
    last_activity: datetime.datetime
    metadata: bool | float | list[Any] | SessionMetadataType0 | str
    expires_at: datetime.datetime
    timeout_config: TimeoutConfig
    renewal_count: int
    time_remaining: int
    is_near_expiration: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.session_metadata_type_0 import SessionMetadataType0  # noqa: PLC0415

        session_id = self.session_id

        channel_id = self.channel_id

        agent_id = self.agent_id

        user_id = self.user_id

        created_at = self.created_at.isoformat()

        last_activity = self.last_activity.isoformat()

        metadata: bool | dict[str, Any] | float | list[Any] | str
        if isinstance(self.metadata, SessionMetadataType0):
            metadata = self.metadata.to_dict()
        elif isinstance(self.metadata, list):
            metadata = self.metadata

        else:
            metadata = self.metadata

        expires_at = self.expires_at.isoformat()

        timeout_config = self.timeout_config.to_dict()

        renewal_count = self.renewal_count

        time_remaining = self.time_remaining

        is_near_expiration = self.is_near_expiration

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sessionId": session_id,
                "channelId": channel_id,
                "agentId": agent_id,
                "userId": user_id,
                "createdAt": created_at,
                "lastActivity": last_activity,
                "metadata": metadata,
                "expiresAt": expires_at,
                "timeoutConfig": timeout_config,
                "renewalCount": renewal_count,
                "timeRemaining": time_remaining,
                "isNearExpiration": is_near_expiration,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.session_metadata_type_0 import SessionMetadataType0  # noqa: PLC0415
        from ..models.timeout_config import TimeoutConfig  # noqa: PLC0415

        d = dict(src_dict)
        session_id = d.pop("sessionId")

        channel_id = d.pop("channelId")

        agent_id = d.pop("agentId")

        user_id = d.pop("userId")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        last_activity = datetime.datetime.fromisoformat(d.pop("lastActivity"))

        def _parse_metadata(data: object) -> bool | float | list[Any] | SessionMetadataType0 | str:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_session_metadata_type_0 = SessionMetadataType0.from_dict(data)

                return componentsschemas_session_metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_session_metadata_type_2 = cast(list[Any], data)

                return componentsschemas_session_metadata_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[Any] | SessionMetadataType0 | str, data)

        metadata = _parse_metadata(d.pop("metadata"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expiresAt"))

        timeout_config = TimeoutConfig.from_dict(d.pop("timeoutConfig"))

        renewal_count = d.pop("renewalCount")

        time_remaining = d.pop("timeRemaining")

        is_near_expiration = d.pop("isNearExpiration")

        session = cls(
            session_id=session_id,
            channel_id=channel_id,
            agent_id=agent_id,
            user_id=user_id,
            created_at=created_at,
            last_activity=last_activity,
            metadata=metadata,
            expires_at=expires_at,
            timeout_config=timeout_config,
            renewal_count=renewal_count,
            time_remaining=time_remaining,
            is_near_expiration=is_near_expiration,
        )

        session.additional_properties = d
        return session

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
