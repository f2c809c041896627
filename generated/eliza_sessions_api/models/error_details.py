from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_details_provided_config_type_0 import (
        ErrorDetailsProvidedConfigType0,
    )
    from ..models.error_details_provided_metadata_type_0 import (
        ErrorDetailsProvidedMetadataType0,
    )
    from ..models.error_details_provided_value_type_4 import (
        ErrorDetailsProvidedValueType4,
    )
    from ..models.error_details_value_type_4 import ErrorDetailsValueType4


T = TypeVar("T", bound="ErrorDetails")


@_attrs_define
class ErrorDetails:
    """The object form of `SessionErrorDetail.details`; its keys depend on the error:

    * missing fields: `{"missingFields": ["agentId", "userId"]}` (always both);
    * invalid UUID: `{"providedValue": <as sent>, "expectedFormat": "UUID v4"}`;
    * content or transport: `{"reason": "<the message after 'Invalid content: '>"}`;
    * metadata too large: `{"reason", "providedMetadata": <the whole metadata, echoed>}`;
    * pagination: `{"parameter": "before" | "after", "value": <as sent>, "reason"}`;
    * timeout configuration: `{"reason", "providedConfig": <the body>}` (`{"reason"}` without a body);
    * `SESSION_CREATION_FAILED`, `MESSAGE_SEND_FAILED`: `{"originalError"}`.

    `SESSION_NOT_FOUND`, `SESSION_EXPIRED` and `AGENT_NOT_FOUND` have no `details`.

        Attributes:
            missing_fields (list[str] | Unset):
            provided_value (bool | ErrorDetailsProvidedValueType4 | float | list[Any] | None | str | Unset): The invalid
                value, exactly as sent (any JSON value).
            expected_format (str | Unset):
            reason (str | Unset):
            provided_metadata (bool | ErrorDetailsProvidedMetadataType0 | float | list[Any] | None | str | Unset): The
                rejected metadata, echoed whole.
            parameter (str | Unset):
            value (bool | ErrorDetailsValueType4 | float | list[Any] | None | str | Unset): The rejected query value, as
                sent.
            provided_config (bool | ErrorDetailsProvidedConfigType0 | float | list[Any] | None | str | Unset): The rejected
                timeout configuration body.
            original_error (str | Unset):
    """

    missing_fields: list[str] | Unset = UNSET
    provided_value: bool | ErrorDetailsProvidedValueType4 | float | list[Any] | None | str | Unset = UNSET
    expected_format: str | Unset = UNSET
    reason: str | Unset = UNSET
    provided_metadata: bool | ErrorDetailsProvidedMetadataType0 | float | list[Any] | None | str | Unset = UNSET
    parameter: str | Unset = UNSET
    value: bool | ErrorDetailsValueType4 | float | list[Any] | None | str | Unset = UNSET
    provided_config: bool | ErrorDetailsProvidedConfigType0 | float | list[Any] | None | str | Unset = UNSET
    original_error: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error_details_provided_config_type_0 import (
            ErrorDetailsProvidedConfigType0,  # noqa: PLC0415
        )
        from ..models.error_details_provided_metadata_type_0 import (
            ErrorDetailsProvidedMetadataType0,  # noqa: PLC0415
        )
        from ..models.error_details_provided_value_type_4 import (
            ErrorDetailsProvidedValueType4,  # noqa: PLC0415
        )
        from ..models.error_details_value_type_4 import ErrorDetailsValueType4  # noqa: PLC0415

        missing_fields: list[str] | Unset = UNSET
        if not isinstance(self.missing_fields, Unset):
            missing_fields = self.missing_fields

        provided_value: bool | dict[str, Any] | float | list[Any] | None | str | Unset
        if isinstance(self.provided_value, Unset):
            provided_value = UNSET
        elif isinstance(self.provided_value, list):
            provided_value = self.provided_value

        elif isinstance(self.provided_value, ErrorDetailsProvidedValueType4):
            provided_value = self.provided_value.to_dict()
        else:
            provided_value = self.provided_value

        expected_format = self.expected_format

        reason = self.reason

        provided_metadata: bool | dict[str, Any] | float | list[Any] | None | str | Unset
        if isinstance(self.provided_metadata, Unset):
            provided_metadata = UNSET
        elif isinstance(self.provided_metadata, ErrorDetailsProvidedMetadataType0):
            provided_metadata = self.provided_metadata.to_dict()
        elif isinstance(self.provided_metadata, list):
            provided_metadata = self.provided_metadata

        else:
            provided_metadata = self.provided_metadata

        parameter = self.parameter

        value: bool | dict[str, Any] | float | list[Any] | None | str | Unset
        if isinstance(self.value, Unset):
            value = UNSET
        elif isinstance(self.value, list):
            value = self.value

        elif isinstance(self.value, ErrorDetailsValueType4):
            value = self.value.to_dict()
        else:
            value = self.value

        provided_config: bool | dict[str, Any] | float | list[Any] | None | str | Unset
        if isinstance(self.provided_config, Unset):
            provided_config = UNSET
        elif isinstance(self.provided_config, ErrorDetailsProvidedConfigType0):
            provided_config = self.provided_config.to_dict()
        elif isinstance(self.provided_config, list):
            provided_config = self.provided_config

        else:
            provided_config = self.provided_config

        original_error = self.original_error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if missing_fields is not UNSET:
            field_dict["missingFields"] = missing_fields
        if provided_value is not UNSET:
            field_dict["providedValue"] = provided_value
        if expected_format is not UNSET:
            field_dict["expectedFormat"] = expected_format
        if reason is not UNSET:
            field_dict["reason"] = reason
        if provided_metadata is not UNSET:
            field_dict["providedMetadata"] = provided_metadata
        if parameter is not UNSET:
            field_dict["parameter"] = parameter
        if value is not UNSET:
            field_dict["value"] = value
        if provided_config is not UNSET:
            field_dict["providedConfig"] = provided_config
        if original_error is not UNSET:
            field_dict["originalError"] = original_error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_details_provided_config_type_0 import (
            ErrorDetailsProvidedConfigType0,  # noqa: PLC0415
        )
        from ..models.error_details_provided_metadata_type_0 import (
            ErrorDetailsProvidedMetadataType0,  # noqa: PLC0415
        )
        from ..models.error_details_provided_value_type_4 import (
            ErrorDetailsProvidedValueType4,  # noqa: PLC0415
        )
        from ..models.error_details_value_type_4 import ErrorDetailsValueType4  # noqa: PLC0415

        d = dict(src_dict)
        missing_fields = cast(list[str], d.pop("missingFields", UNSET))

        def _parse_provided_value(
            data: object,
        ) -> bool | ErrorDetailsProvidedValueType4 | float | list[Any] | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                provided_value_type_3 = cast(list[Any], data)

                return provided_value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                provided_value_type_4 = ErrorDetailsProvidedValueType4.from_dict(data)

                return provided_value_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | ErrorDetailsProvidedValueType4 | float | list[Any] | None | str | Unset, data)

        provided_value = _parse_provided_value(d.pop("providedValue", UNSET))

        expected_format = d.pop("expectedFormat", UNSET)

        reason = d.pop("reason", UNSET)

        def _parse_provided_metadata(
            data: object,
        ) -> bool | ErrorDetailsProvidedMetadataType0 | float | list[Any] | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                provided_metadata_type_0 = ErrorDetailsProvidedMetadataType0.from_dict(data)

                return provided_metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                provided_metadata_type_4 = cast(list[Any], data)

                return provided_metadata_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | ErrorDetailsProvidedMetadataType0 | float | list[Any] | None | str | Unset, data)

        provided_metadata = _parse_provided_metadata(d.pop("providedMetadata", UNSET))

        parameter = d.pop("parameter", UNSET)

        def _parse_value(data: object) -> bool | ErrorDetailsValueType4 | float | list[Any] | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                value_type_3 = cast(list[Any], data)

                return value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                value_type_4 = ErrorDetailsValueType4.from_dict(data)

                return value_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | ErrorDetailsValueType4 | float | list[Any] | None | str | Unset, data)

        value = _parse_value(d.pop("value", UNSET))

        def _parse_provided_config(
            data: object,
        ) -> bool | ErrorDetailsProvidedConfigType0 | float | list[Any] | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                provided_config_type_0 = ErrorDetailsProvidedConfigType0.from_dict(data)

                return provided_config_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                provided_config_type_4 = cast(list[Any], data)

                return provided_config_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | ErrorDetailsProvidedConfigType0 | float | list[Any] | None | str | Unset, data)

        provided_config = _parse_provided_config(d.pop("providedConfig", UNSET))

        original_error = d.pop("originalError", UNSET)

        error_details = cls(
            missing_fields=missing_fields,
            provided_value=provided_value,
            expected_format=expected_format,
            reason=reason,
            provided_metadata=provided_metadata,
            parameter=parameter,
            value=value,
            provided_config=provided_config,
            original_error=original_error,
        )

        error_details.additional_properties = d
        return error_details

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
