"""Request bodies: validated arguments → the generated request models, built with their typed constructors.

The one place where the facade's request vocabulary meets the generated one (responses go the other way in
``_converter.py``). Every field is set by its generated Python name, so renaming a property in ``openapi.yaml``
and regenerating fails ``mypy --strict`` here. The generated models are imported on first use: importing them
loads the whole generated model package, which would add to ``import eliza_client``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._constants import SendTransport
from ._errors import ValidationError
from ._models import SessionTimeoutConfig, SessionTimeoutSettings
from ._validation import validate_attachments

if TYPE_CHECKING:
    from eliza_sessions_api.models import (
        Attachment,
        CreateSessionRequest,
        Metadata,
        SendMessageRequest,
        TimeoutConfigInput,
        UpdateTimeoutRequest,
    )

__all__ = ["create_session_body", "send_message_body", "update_timeout_body"]


def _metadata(value: Mapping[str, Any]) -> Metadata:
    from eliza_sessions_api.models import Metadata

    metadata = Metadata()
    metadata.additional_properties = dict(value)
    return metadata


def _or_unset(value: Any) -> Any:
    from eliza_sessions_api.types import UNSET

    return UNSET if value is None else value


def _timeout_input(settings: SessionTimeoutSettings) -> TimeoutConfigInput:
    from eliza_sessions_api.models import TimeoutConfigInput

    return TimeoutConfigInput(
        timeout_minutes=_or_unset(settings.timeout_minutes),
        auto_renew=_or_unset(settings.auto_renew),
        max_duration_minutes=_or_unset(settings.max_duration_minutes),
        warning_threshold_minutes=_or_unset(settings.warning_threshold_minutes),
    )


def create_session_body(
    agent_id: str, user_id: str, metadata: Mapping[str, Any] | None, settings: SessionTimeoutSettings | None
) -> CreateSessionRequest:
    """The body of ``POST /sessions`` (arguments already validated; ``None`` leaves a field out)."""
    from eliza_sessions_api.models import CreateSessionRequest

    body = CreateSessionRequest(agent_id=agent_id, user_id=user_id)
    if metadata is not None:
        body.metadata = _metadata(metadata)
    if settings is not None:
        body.timeout_config = _timeout_input(settings)
    return body


def update_timeout_body(config: SessionTimeoutConfig) -> UpdateTimeoutRequest:
    """The body of ``PATCH /sessions/{id}/timeout``: the complete configuration (the server resets omitted fields)."""
    from eliza_sessions_api.models import UpdateTimeoutRequest

    return UpdateTimeoutRequest(
        timeout_minutes=config.timeout_minutes,
        auto_renew=config.auto_renew,
        max_duration_minutes=config.max_duration_minutes,
        warning_threshold_minutes=config.warning_threshold_minutes,
    )


def _attachments(value: Sequence[Mapping[str, Any]]) -> list[Attachment]:
    from eliza_sessions_api import wire
    from eliza_sessions_api.models import Attachment

    result = []
    for index, item in enumerate(validate_attachments(value)):
        kind, url = (
            (item.get(wire.Attachment.type_), item.get(wire.Attachment.url)) if isinstance(item, dict) else (0, 0)
        )
        name = item.get(wire.Attachment.name) if isinstance(item, dict) else None
        if not isinstance(kind, str) or not isinstance(url, str) or not isinstance(name, str | None):
            raise ValidationError(
                "an attachment must be an object with string 'type' and 'url' (and optionally a string 'name')",
                field=f"attachments[{index}]",
                rule="shape",
            )
        attachment = Attachment(type_=kind, url=url)
        if name is not None:
            attachment.name = name
        # Other keys travel as they are: the server stores attachments verbatim.
        known = {wire.Attachment.type_, wire.Attachment.url, wire.Attachment.name}
        attachment.additional_properties = {key: v for key, v in item.items() if key not in known}
        result.append(attachment)
    return result


def send_message_body(
    content: str,
    transport: SendTransport | None,
    mode: str | None,
    metadata: Mapping[str, Any],
    attachments: Sequence[Mapping[str, Any]] | None,
) -> SendMessageRequest:
    """The body of ``POST /sessions/{id}/messages`` (content and metadata already validated).

    ``transport`` and ``mode`` are the request fields the server's release reads (``_releases``); None leaves
    one out.
    """
    from eliza_sessions_api.models import SendMessageRequest, SendMessageRequestMode, SendMessageRequestTransport
    from eliza_sessions_api.types import UNSET

    # (The generated model defaults `transport` to the spec's `default: websocket`: UNSET is set to leave it out.)
    body = SendMessageRequest(
        content=content, transport=UNSET if transport is None else SendMessageRequestTransport(transport)
    )
    if mode is not None:
        body.mode = SendMessageRequestMode(mode)
    body.metadata = _metadata(metadata)
    if attachments is not None:
        body.attachments = _attachments(attachments)
    return body
