"""Sending a message exactly once, over a server that cannot recognise a repeated request.

The 1.7.2 server stores a message as soon as it accepts it and has no idempotency key, so a send whose reply is
lost (connection dropped after the request went out, read timeout, 5xx) may or may not have been stored. Repeating
it blindly can store it twice; giving up can lose it. So every send carries a client message id in
``metadata["clientMessageId"]`` (one UUID for all attempts), and after an ambiguous failure the session's recent
history is searched for that id before anything is sent again:

* found → the send succeeded; its stored message is returned (``send_and_wait``/``stream`` cannot return the
  reply: they raise the server's 5xx when it answered one — the agent failed after the message was stored —
  or ``ReplyLostError`` when the connection took the reply with it);
* not found → it was not stored: send again, within ``max_retries`` and after the usual backoff;
* the history cannot be read → ``DeliveryUnknownError`` with the id, so the caller can check later.

The search looks at the newest messages only (the message was sent moments ago): at most
``RECONCILE_SCAN_LIMIT`` messages, and never older than ``RECONCILE_WINDOW`` before the first attempt.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from ._constants import CLIENT_MESSAGE_ID_KEY
from ._converter import BusMessage, structure
from ._deadline import Deadline
from ._errors import (
    APIError,
    APIStatusError,
    DeliveryUnknownError,
    ReplyLostError,
    ResponseValidationError,
    SessionGoneError,
    ValidationError,
)
from ._logs import get_logger
from ._message_stream import MessageStream
from ._models import AgentResponse, Message, Reply, SendResult, SessionStatus
from ._pagination import FetchPage, MessageIterator
from ._transport import Answer, OpenStream, OutcomeUnknown, RequestOptions, Transport
from ._validation import validate_attachments, validate_content, validate_metadata, validate_session_id

if TYPE_CHECKING:
    from eliza_sessions_api.models import Attachment, SendMessageRequest

__all__ = ["RECONCILE_SCAN_LIMIT", "RECONCILE_WINDOW", "Sender"]

logger = get_logger()

#: How many of the newest messages are searched for a send's client message id.
RECONCILE_SCAN_LIMIT = 1000
#: How far before the first attempt the search goes (covers clock skew between client and server).
RECONCILE_WINDOW = timedelta(minutes=10)


def _attachments(value: Sequence[Mapping[str, Any]] | None) -> list[Attachment] | None:
    from eliza_sessions_api.models import Attachment  # generated models load on first use: see _sessions.py

    if value is None:
        return None
    items = validate_attachments(value)
    result = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str) or not isinstance(item.get("url"), str):
            raise ValidationError(
                "an attachment must be an object with string 'type' and 'url'",
                field=f"attachments[{index}]",
                rule="shape",
            )
        result.append(Attachment.from_dict(item))
    return result


@attrs.frozen
class _Reconciled:
    """A send that failed ambiguously, whose message was then found stored."""

    message: Message
    failure: APIError

    def reply_error(self, client_message_id: str, session_id: str) -> APIError:
        """What ``send_and_wait``/``stream`` raise: the server's own error when it answered (an agent failure is
        a 5xx after the message was stored), else ``ReplyLostError`` (the connection took the reply with it)."""
        if isinstance(self.failure, APIStatusError):
            return self.failure
        error = ReplyLostError(sent_message=self.message, client_message_id=client_message_id, session_id=session_id)
        error.__cause__ = self.failure
        return error


class Sender:
    """The three send methods of ``client.sessions``, sharing validation and exactly-once delivery."""

    def __init__(
        self,
        transport: Transport,
        options: RequestOptions,
        reply_options: RequestOptions,
        history: Callable[[str, Deadline | None], FetchPage],
    ) -> None:
        self._transport = transport
        self._options = options
        self._reply_options = reply_options
        self._history = history

    def _request_body(
        self,
        content: str,
        transport: str,
        attachments: Sequence[Mapping[str, Any]] | None,
        metadata: Mapping[str, Any] | None,
        client_message_id: str | None,
    ) -> tuple[SendMessageRequest, str]:
        from eliza_sessions_api.models import Metadata, SendMessageRequest, SendMessageRequestTransport

        content = validate_content(content)
        if client_message_id is None:
            client_message_id = str(uuid.uuid4())
        elif not isinstance(client_message_id, str) or not client_message_id:
            raise ValidationError(
                "client_message_id must be a non-empty string", field="client_message_id", rule="type"
            )
        # Validated before it is copied: a non-mapping must be a ValidationError, not coerced by dict().
        tagged = validate_metadata(metadata) if metadata is not None else {}
        existing = tagged.get(CLIENT_MESSAGE_ID_KEY)
        if existing is not None and existing != client_message_id:
            raise ValidationError(
                f"metadata[{CLIENT_MESSAGE_ID_KEY!r}] and client_message_id disagree",
                field="metadata",
                rule="client_message_id",
            )
        tagged[CLIENT_MESSAGE_ID_KEY] = client_message_id
        # Size is checked with the id included: the server limits what it receives.
        body = SendMessageRequest(content=content, transport=SendMessageRequestTransport(transport))
        body.metadata = Metadata.from_dict(validate_metadata(tagged))
        converted = _attachments(attachments)
        if converted is not None:
            body.attachments = converted
        return body, client_message_id

    def _deliver(
        self, session_id: str, body: SendMessageRequest, client_message_id: str, options: RequestOptions, stream: bool
    ) -> Answer | OpenStream | _Reconciled:
        """Send until the server answers 2xx, or return the stored message found by reconciling (with the failure
        that made reconciling necessary). Every attempt, backoff and history read shares one deadline."""
        from eliza_sessions_api.api.sessions import send_message

        started = datetime.now(UTC)
        deadline = Deadline(options.timeout.total)
        attempts = 0
        path = f"/api/messaging/sessions/{session_id}/messages"
        send = self._transport.open_stream if stream else self._transport.request
        while True:
            try:
                return send(
                    "send",
                    send_message,
                    options,
                    path=path,
                    deadline=deadline,
                    attempts_before=attempts,
                    can_reconcile=True,
                    session_id=session_id,
                    body=body,
                )
            except OutcomeUnknown as unknown:
                attempts = unknown.attempt
                found = self._reconcile(session_id, client_message_id, started, unknown.error, deadline)
                if found is not None:
                    logger.info("send: message %s was stored despite the failure; not resending", client_message_id)
                    return _Reconciled(found, unknown.error)
                if not unknown.decision.retry:
                    raise unknown.error from None
                logger.info(
                    "send: attempt %d failed (%s); message %s not stored, resending in %.2f s",
                    attempts,
                    unknown.error.message,
                    client_message_id,
                    unknown.decision.delay,
                )
                self._transport.sleep(unknown.decision.delay)

    def _reconcile(
        self, session_id: str, client_message_id: str, started: datetime, cause: APIError, deadline: Deadline
    ) -> Message | None:
        oldest = started - RECONCILE_WINDOW
        try:
            history = MessageIterator(
                self._history(session_id, deadline), page_size=100, oldest_first=False, before=None, after=None
            )
            for scanned, message in enumerate(history):
                if message.client_message_id == client_message_id:
                    return message
                if scanned >= RECONCILE_SCAN_LIMIT or message.created_at < oldest:
                    break
        except SessionGoneError:
            raise
        except APIError as err:
            raise DeliveryUnknownError(client_message_id=client_message_id, session_id=session_id) from cause or err
        return None

    def _json(self, response: Answer) -> dict[str, Any]:
        try:
            data = json.loads(response.content)
        except (ValueError, RecursionError) as err:
            raise ResponseValidationError(
                "send: the response is not JSON", status_code=response.status_code, operation="send"
            ) from err
        if not isinstance(data, dict) or "userMessage" not in data:
            raise ResponseValidationError(
                "send: the response has no userMessage",
                status_code=response.status_code,
                field="userMessage",
                operation="send",
            )
        return data

    def _parts(self, response: Answer) -> tuple[Message, SessionStatus | None, dict[str, Any]]:
        data = self._json(response)
        status = response.status_code
        message = structure(data["userMessage"], BusMessage, operation="send", status_code=status)
        raw_status = data.get("sessionStatus")
        session_status = (
            None if raw_status is None else structure(raw_status, SessionStatus, operation="send", status_code=status)
        )
        return message, session_status, data

    def _submit(
        self,
        transport: str,
        session_id: str,
        content: str,
        attachments: Sequence[Mapping[str, Any]] | None,
        metadata: Mapping[str, Any] | None,
        client_message_id: str | None,
    ) -> tuple[Answer | OpenStream | _Reconciled, str, str]:
        """Validate, send exactly once, and return (outcome, client message id, session id)."""
        session_id = validate_session_id(session_id)
        body, cmid = self._request_body(content, transport, attachments, metadata, client_message_id)
        # The websocket transport answers at once; http and sse wait for the agent (a longer read timeout).
        options = self._options if transport == "websocket" else self._reply_options
        return self._deliver(session_id, body, cmid, options, stream=transport == "sse"), cmid, session_id

    def send(
        self,
        session_id: str,
        content: str,
        *,
        attachments: Sequence[Mapping[str, Any]] | None,
        metadata: Mapping[str, Any] | None,
        client_message_id: str | None,
    ) -> SendResult:
        outcome, _, _ = self._submit("websocket", session_id, content, attachments, metadata, client_message_id)
        if isinstance(outcome, _Reconciled):
            return SendResult(message=outcome.message, session_status=None)
        assert isinstance(outcome, Answer)
        message, session_status, _ = self._parts(outcome)
        return SendResult(message=message, session_status=session_status)

    def send_and_wait(
        self,
        session_id: str,
        content: str,
        *,
        attachments: Sequence[Mapping[str, Any]] | None,
        metadata: Mapping[str, Any] | None,
        client_message_id: str | None,
    ) -> Reply:
        outcome, cmid, session_id = self._submit("http", session_id, content, attachments, metadata, client_message_id)
        if isinstance(outcome, _Reconciled):
            raise outcome.reply_error(cmid, session_id)
        assert isinstance(outcome, Answer)
        message, session_status, data = self._parts(outcome)
        raw_reply = data.get("agentResponse")
        agent_response = (
            None
            if raw_reply is None
            else structure(raw_reply, AgentResponse, operation="send", status_code=outcome.status_code)
        )
        return Reply(message=message, agent_response=agent_response, session_status=session_status)

    def stream(
        self,
        session_id: str,
        content: str,
        *,
        attachments: Sequence[Mapping[str, Any]] | None,
        metadata: Mapping[str, Any] | None,
        client_message_id: str | None,
    ) -> MessageStream:
        outcome, cmid, session_id = self._submit("sse", session_id, content, attachments, metadata, client_message_id)
        if isinstance(outcome, _Reconciled):
            raise outcome.reply_error(cmid, session_id)
        if not isinstance(outcome, OpenStream):
            raise ResponseValidationError(
                "stream: the server did not answer with an event stream",
                status_code=outcome.status_code,
                operation="stream",
            )
        idle = self._reply_options.timeout.read
        return MessageStream(outcome, idle_timeout=idle, max_event_bytes=self._transport.limits.max_event_bytes)
