"""``client.sessions``: every operation of the Sessions API, with the server's oddities smoothed away.

Each method validates its arguments first (mirroring the server's rules, so a mistake costs no request and
names the field), calls one generated endpoint through the transport, and structures the reply with the one
converter. Sending lives in ``_sending.py`` (exactly-once delivery), history walking in ``_pagination.py``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from ._constants import (
    DEFAULT_REPLY_READ_TIMEOUT,
    PAGE_LIMIT_DEFAULT,
    PAGE_LIMIT_MAX,
    QUERY_MAX_MS,
    QUERY_MIN_MS,
    TIMEOUT_MINUTES_MAX,
    TIMEOUT_MINUTES_MIN,
)
from ._converter import CreatedSession, decode_json, structure
from ._deadline import Deadline
from ._errors import SessionGoneError, ValidationError
from ._logs import get_logger
from ._message_stream import MessageStream
from ._models import Health, MessagePage, Reply, SendResult, Session, SessionList, TimeoutConfig, TimeoutSettings
from ._pagination import FetchPage, MessageIterator
from ._sending import DEFAULT_RECONCILE_WINDOW, Sender
from ._timestamps import to_epoch_ms
from ._transport import Answer, RequestOptions, Transport
from ._types import Timeout
from ._validation import validate_limit, validate_metadata, validate_session_id, validate_timeout_config, validate_uuid

__all__ = ["SessionsResource"]

# The generated endpoint modules and models are imported inside the methods that use them: importing the
# generated package loads all of its models, which would nearly double the cost of `import eliza_client`.
# After the first call each of these imports is a dictionary lookup.

T = TypeVar("T")
logger = get_logger()
_SESSIONS_PATH = "/api/messaging/sessions"


def _timeout_fields(settings: TimeoutSettings | TimeoutConfig | Mapping[str, Any] | None) -> dict[str, Any]:
    if settings is None:
        return {}
    if isinstance(settings, TimeoutSettings | TimeoutConfig):
        return {
            "timeout_minutes": settings.timeout_minutes,
            "auto_renew": settings.auto_renew,
            "max_duration_minutes": settings.max_duration_minutes,
            "warning_threshold_minutes": settings.warning_threshold_minutes,
        }
    if isinstance(settings, Mapping):
        allowed = {"timeout_minutes", "auto_renew", "max_duration_minutes", "warning_threshold_minutes"}
        unknown = set(settings) - allowed
        if unknown:
            raise ValidationError(
                f"unknown timeout setting(s): {', '.join(sorted(map(str, unknown)))}",
                field="timeout_config",
                rule="keys",
            )
        return dict(settings)
    raise ValidationError(
        f"timeout_config must be a TimeoutSettings or a mapping, got {type(settings).__name__}",
        field="timeout_config",
        rule="type",
    )


def _cursor(value: datetime | str | int | None, field: str) -> int | None:
    # Always sent as epoch ms: the server reads an ISO string as its leading integer (2026-… → 2026 ms).
    if value is None:
        return None
    ms = to_epoch_ms(value, field=field)
    if not QUERY_MIN_MS <= ms <= QUERY_MAX_MS:
        # The server accepts JavaScript's whole date range, then its database fails on years outside 1-9999
        # (a 500 after every retry): refuse up front.
        raise ValidationError(
            f"{field} must lie within the years 1-9999, got {ms} epoch ms", field=field, rule="range", value=ms
        )
    return ms


class SessionsResource:
    """Sessions, their messages and their lifetime (``client.sessions``).

    Every method raises :class:`ValidationError` for bad arguments (before any request),
    :class:`APIStatusError` subclasses for error answers (:class:`SessionGoneError` — 410 or 404 — when the
    session expired or does not exist), :class:`APIConnectionError` / :class:`APITimeoutError` when the server
    could not be reached, :class:`ResponseValidationError` when a reply does not have the documented shape, and
    :class:`ClientClosedError` after ``close()``.
    """

    def __init__(
        self,
        transport: Transport,
        options: RequestOptions,
        *,
        reply_timeout: float | None,
        timeout_minutes_range: tuple[float, float] = (TIMEOUT_MINUTES_MIN, TIMEOUT_MINUTES_MAX),
        reconcile_window: float = DEFAULT_RECONCILE_WINDOW,
    ) -> None:
        self._transport = transport
        self._options = options
        self._timeout_bounds = {"minimum": timeout_minutes_range[0], "maximum": timeout_minutes_range[1]}
        read = DEFAULT_REPLY_READ_TIMEOUT if reply_timeout is None else reply_timeout
        # http/sse sends wait for the agent: a longer read timeout, and the wait added to the call's deadline.
        total = options.timeout.total
        self._reply_options = RequestOptions(
            timeout=Timeout(
                options.timeout.connect, max(read, options.timeout.read or 0), None if total is None else total + read
            ),
            max_retries=options.max_retries,
            extra_headers=options.extra_headers,
        )
        self._sender = Sender(
            transport, self._options, self._reply_options, self._history_fetcher, reconcile_window=reconcile_window
        )

    # --- plumbing -------------------------------------------------------------------------------------------

    def _json(self, answer: Answer, operation: str) -> Any:
        return decode_json(answer.content, operation=operation, status_code=answer.status_code)

    def _call(
        self,
        operation: str,
        endpoint: Any,
        cls: type[T],
        *,
        path: str,
        deadline: Deadline | None = None,
        on_answer: Callable[[Answer], None] | None = None,
        **arguments: Any,
    ) -> T:
        answer = self._transport.request(operation, endpoint, self._options, path=path, deadline=deadline, **arguments)
        if on_answer is not None:
            on_answer(answer)
        return structure(self._json(answer, operation), cls, operation=operation, status_code=answer.status_code)

    def _history_fetcher(
        self,
        session_id: str,
        deadline: Deadline | None = None,
        on_answer: Callable[[Answer], None] | None = None,
    ) -> FetchPage:
        """Pages of one session's history; with ``deadline``, every page is bounded by that call's deadline;
        ``on_answer`` sees each page's answer (its headers) before it is parsed."""
        from eliza_sessions_api.api.sessions import list_messages

        def fetch(limit: int, before: int | None, after: int | None) -> MessagePage:
            return self._call(
                "list_messages",
                list_messages,
                MessagePage,
                path=f"{_SESSIONS_PATH}/{session_id}/messages",
                deadline=deadline,
                on_answer=on_answer,
                session_id=session_id,
                limit=limit,
                before=before,
                after=after,
            )

        return fetch

    # --- lifecycle ------------------------------------------------------------------------------------------

    def health(self) -> Health:
        """The sessions subsystem's health (active sessions, uptime, …)."""
        from eliza_sessions_api.api.sessions import get_sessions_health

        return self._call("health", get_sessions_health, Health, path=f"{_SESSIONS_PATH}/health")

    def create(
        self,
        agent_id: str,
        user_id: str,
        *,
        metadata: Mapping[str, Any] | None = None,
        timeout_config: TimeoutSettings | TimeoutConfig | Mapping[str, Any] | None = None,
    ) -> Session:
        """Open a session between a user and an agent.

        ``timeout_config`` fields left out (``None``) take the agent's or server's defaults. Unlike the server,
        which silently clamps out-of-range values, the client rejects them: timeout within the client's
        ``timeout_minutes_range`` (5–1440, the server's default bounds), max duration up to twice its maximum and
        not below the timeout, warning threshold at least 1.

        Creating is not retried after a failure that may have reached the server (a read timeout, a 5xx): the
        server has no way to recognise a repeat, and a retry could open a second session.

        Raises:
            ValidationError: a UUID, the metadata (a JSON object of at most 10 240 serialized characters) or a
                timeout setting is invalid.
            AgentNotFoundError: the agent is not loaded on the server.
        """
        from eliza_sessions_api.api.sessions import create_session
        from eliza_sessions_api.models import CreateSessionRequest, Metadata, TimeoutConfigInput

        body = CreateSessionRequest(
            agent_id=validate_uuid(agent_id, field="agent_id"), user_id=validate_uuid(user_id, field="user_id")
        )
        if metadata is not None:
            body.metadata = Metadata.from_dict(validate_metadata(metadata))
        config = validate_timeout_config(**_timeout_fields(timeout_config), **self._timeout_bounds)
        if config:
            body.timeout_config = TimeoutConfigInput.from_dict(config)
        return self._call("create", create_session, CreatedSession, path=_SESSIONS_PATH, body=body)

    def get(self, session_id: str) -> Session:
        """The session's current state. Not counted as activity (does not renew it).

        Raises:
            SessionExpiredError / SessionNotFoundError: the session is gone (both are ``SessionGoneError``).
        """
        from eliza_sessions_api.api.sessions import get_session

        session_id = validate_session_id(session_id)
        return self._call("get", get_session, Session, path=f"{_SESSIONS_PATH}/{session_id}", session_id=session_id)

    def list(self) -> SessionList:
        """Every active session on the server, of every user (the server offers no filter or pagination)."""
        from eliza_sessions_api.api.sessions import list_sessions

        return self._call("list", list_sessions, SessionList, path=_SESSIONS_PATH)

    def delete(self, session_id: str) -> None:
        """End the session (its messages stay on the server).

        Raises:
            SessionNotFoundError: there is no such session (also when it was already deleted).
        """
        from eliza_sessions_api.api.sessions import delete_session

        session_id = validate_session_id(session_id)
        self._transport.request(
            "delete", delete_session, self._options, path=f"{_SESSIONS_PATH}/{session_id}", session_id=session_id
        )

    def renew(self, session_id: str) -> Session:
        """Extend the session's lifetime now (works even when auto-renew is off).

        Raises:
            SessionExpiredError / SessionNotFoundError: the session is gone.
            BadRequestError: code ``SESSION_RENEWAL_FAILED`` if the maximum duration was reached.
        """
        from eliza_sessions_api.api.sessions import renew_session

        session_id = validate_session_id(session_id)
        return self._call(
            "renew", renew_session, Session, path=f"{_SESSIONS_PATH}/{session_id}/renew", session_id=session_id
        )

    def heartbeat(self, session_id: str) -> Session:
        """Mark the session active. With auto-renew on this renews it; with auto-renew off it only moves
        ``last_activity`` (use ``renew`` to extend it).

        Raises:
            SessionExpiredError / SessionNotFoundError: the session is gone.
        """
        from eliza_sessions_api.api.sessions import send_heartbeat

        session_id = validate_session_id(session_id)
        return self._call(
            "heartbeat", send_heartbeat, Session, path=f"{_SESSIONS_PATH}/{session_id}/heartbeat", session_id=session_id
        )

    def update_timeout(
        self,
        session_id: str,
        *,
        timeout_minutes: float | None = None,
        auto_renew: bool | None = None,
        max_duration_minutes: float | None = None,
        warning_threshold_minutes: float | None = None,
    ) -> Session:
        """Change only the timeout settings you pass; the others keep their current values.

        (The server's PATCH resets every omitted field to its default, so the client reads the session first and
        sends the complete configuration.) Note that the server may compute an ``expires_at`` in the past (e.g.
        a shorter timeout with auto-renew off on an old session): the session then expires at once.

        Raises:
            ValidationError: a setting is out of range (timeout within ``timeout_minutes_range``, max duration up
                to twice its maximum and not below the timeout, warning threshold ≥ 1) or no setting was given.
            SessionExpiredError / SessionNotFoundError: the session is gone.
        """
        from eliza_sessions_api.api.sessions import get_session, update_session_timeout
        from eliza_sessions_api.models import UpdateTimeoutRequest

        session_id = validate_session_id(session_id)
        changes = validate_timeout_config(
            timeout_minutes=timeout_minutes,
            auto_renew=auto_renew,
            max_duration_minutes=max_duration_minutes,
            warning_threshold_minutes=warning_threshold_minutes,
            **self._timeout_bounds,
        )
        if not changes:
            raise ValidationError("pass at least one timeout setting to change", field="timeout_config", rule="empty")
        # One call, one deadline: the read and the write share it.
        deadline = Deadline(self._options.timeout.total)
        path = f"{_SESSIONS_PATH}/{session_id}"
        current = self._call(
            "update_timeout", get_session, Session, path=path, deadline=deadline, session_id=session_id
        ).timeout_config
        # Only the caller's values are checked: the session's current ones are the server's own (and may lie
        # outside this client's bounds on a server configured with other limits).
        merged: dict[str, float | bool] = {
            "timeoutMinutes": current.timeout_minutes,
            "autoRenew": current.auto_renew,
            "maxDurationMinutes": current.max_duration_minutes,
            "warningThresholdMinutes": current.warning_threshold_minutes,
            **changes,
        }
        if merged["maxDurationMinutes"] < merged["timeoutMinutes"]:
            # The server would raise the max duration to the timeout: a change the caller did not ask for.
            raise ValidationError(
                f"timeout_minutes {merged['timeoutMinutes']:g} exceeds the session's max_duration_minutes "
                f"{merged['maxDurationMinutes']:g}; pass a max_duration_minutes as well",
                field="max_duration_minutes" if max_duration_minutes is not None else "timeout_minutes",
                rule="order",
            )
        return self._call(
            "update_timeout",
            update_session_timeout,
            Session,
            path=f"{path}/timeout",
            deadline=deadline,
            session_id=session_id,
            body=UpdateTimeoutRequest.from_dict(merged),
        )

    @contextlib.contextmanager
    def open(
        self,
        agent_id: str,
        user_id: str,
        *,
        metadata: Mapping[str, Any] | None = None,
        timeout_config: TimeoutSettings | TimeoutConfig | Mapping[str, Any] | None = None,
    ) -> Iterator[Session]:
        """Create a session for a ``with`` block and delete it when the block ends (even on an exception).

        A session that is already gone when the block ends (expired, or deleted inside the block) is fine.

        Raises: what ``create`` raises.
        """
        session = self.create(agent_id, user_id, metadata=metadata, timeout_config=timeout_config)
        try:
            yield session
        finally:
            with contextlib.suppress(SessionGoneError):
                self.delete(session.id)

    # --- sending ----------------------------------------------------------------------------------------------

    def send_message(
        self,
        session_id: str,
        content: str,
        *,
        attachments: Sequence[Mapping[str, Any]] | None = None,
        metadata: Mapping[str, Any] | None = None,
        client_message_id: str | None = None,
    ) -> SendResult:
        """Send a message (``websocket`` transport): returns at once with the stored message; the agent's reply
        is stored by the server shortly after and shows up in ``messages``/``iter_messages``.

        **Exactly once**: the message is tagged with ``client_message_id`` (a new UUID unless you pass one) in
        ``metadata["clientMessageId"]``. When a send fails in a way that may have reached the server (dropped
        connection, read timeout, 5xx, an acknowledgement that is not ours), the client looks for that id in the
        history — for up to ``reconcile_window`` when the server may still be holding the request — before it
        sends again, so the message is neither lost nor stored twice.

        Raises:
            ValidationError: content is not 1–4000 UTF-16 code units, metadata is not a JSON object of at most
                10 240 serialized characters, an attachment is not a ``{type, url}`` object.
            SessionExpiredError / SessionNotFoundError: the session is gone.
            DeliveryUnknownError: the send failed ambiguously and the history could not be checked in time.
            IdempotencyConflictError: your ``client_message_id`` already names a message with other content.

        Every error raised once the request may have reached the server carries ``client_message_id`` and
        ``delivery`` (``"stored"``, ``"not_stored"`` or ``"unknown"``). A ``client_message_id`` you pass is an
        idempotency key: sending again with it (and the same content) returns the stored message.
        """
        return self._sender.send(
            session_id, content, attachments=attachments, metadata=metadata, client_message_id=client_message_id
        )

    def send_and_wait(
        self,
        session_id: str,
        content: str,
        *,
        attachments: Sequence[Mapping[str, Any]] | None = None,
        metadata: Mapping[str, Any] | None = None,
        client_message_id: str | None = None,
    ) -> Reply:
        """Send a message and wait for the agent's reply (``http`` transport).

        The server does not store replies given this way. Delivery is exactly-once as in ``send_message``; if
        the message turns out to have been stored but the reply was lost with the connection,
        :class:`ReplyLostError` says so (do not resend).

        Raises: what ``send_message`` raises, plus :class:`ReplyLostError` and :class:`InternalServerError`
        (the agent failed; the message is stored).
        """
        return self._sender.send_and_wait(
            session_id, content, attachments=attachments, metadata=metadata, client_message_id=client_message_id
        )

    def stream(
        self,
        session_id: str,
        content: str,
        *,
        attachments: Sequence[Mapping[str, Any]] | None = None,
        metadata: Mapping[str, Any] | None = None,
        client_message_id: str | None = None,
    ) -> MessageStream:
        """Send a message and stream the agent's reply (``sse`` transport).

        Returns a :class:`MessageStream`: iterate it for :class:`UserMessageEvent`, :class:`ChunkEvent`\\ s and
        finally :class:`DoneEvent` (or :class:`ErrorEvent`), each as soon as it arrives. Use it in a ``with`` block
        (or call ``close()``) so the connection is released when you stop early.

        Raises: what ``send_and_wait`` raises (before the stream starts); while iterating,
        :class:`APIConnectionError` / :class:`APITimeoutError` if the connection breaks.
        """
        return self._sender.stream(
            session_id, content, attachments=attachments, metadata=metadata, client_message_id=client_message_id
        )

    # --- history ----------------------------------------------------------------------------------------------

    def messages(
        self,
        session_id: str,
        *,
        limit: int | None = None,
        before: datetime | str | int | None = None,
        after: datetime | str | int | None = None,
    ) -> MessagePage:
        """One page of history as the server returns it (newest first; see ``iter_messages`` to walk it all).

        ``limit`` is 1–100 (default: the server's, 50); ``before``/``after`` are exclusive bounds given as an
        aware ``datetime``, an ISO-8601 string with a zone, or epoch milliseconds — always sent as epoch
        milliseconds.

        Raises:
            ValidationError: ``limit`` out of range (rejected, not clamped), a naive datetime or zone-less
                string, a value outside the years 1-9999.
            SessionExpiredError / SessionNotFoundError: the session is gone.
        """
        session_id = validate_session_id(session_id)
        page_limit = PAGE_LIMIT_DEFAULT if limit is None else validate_limit(limit)
        return self._history_fetcher(session_id)(page_limit, _cursor(before, "before"), _cursor(after, "after"))

    def iter_messages(
        self,
        session_id: str,
        *,
        oldest_first: bool = False,
        before: datetime | str | int | None = None,
        after: datetime | str | int | None = None,
        page_size: int = PAGE_LIMIT_MAX,
    ) -> MessageIterator:
        """Every message of the session (optionally only those between ``after`` and ``before``), lazily.

        Newest first by default; ``oldest_first=True`` for chronological order (it reads the history twice, see
        the README). Complete and exact: no message is skipped or repeated at page boundaries, even when several
        share one millisecond. Memory stays constant; requests are made as you iterate (``itertools.islice``
        works).

        Raises (while iterating): what ``messages`` raises, and :class:`PaginationError` when more messages share
        one millisecond than the server's cursors can reach (100 or more), or when a page breaks the server's
        contract (too long, not newest first, outside the bounds asked for, an id twice): nothing of such a page
        is yielded, so no message is dropped without an error.
        """
        session_id = validate_session_id(session_id)
        size = validate_limit(page_size, field="page_size")
        if not isinstance(oldest_first, bool):
            raise ValidationError("oldest_first must be a bool", field="oldest_first", rule="type")
        return MessageIterator(
            self._history_fetcher(session_id),
            page_size=size,
            oldest_first=oldest_first,
            before=_cursor(before, "before"),
            after=_cursor(after, "after"),
        )
