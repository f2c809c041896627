"""The public data model: frozen, slotted attrs classes with snake_case fields and aware UTC datetimes.

The server speaks several dialects (camelCase sessions, a snake_case "bus" message with epoch-millisecond
timestamps in send replies, camelCase ISO-dated messages in the history, float-second uptimes, millisecond
durations). None of that reaches these classes: `_converter.py` turns every dialect into one shape, so a
`Message` is a `Message` whether it came from a send reply, a stream or a history page.

Forward compatibility: keys the server adds later are kept in each model's ``extra`` mapping rather than
dropped, and open-ended strings (health ``status``, ``source_type``) are plain ``str``, never enums.

Mappings (``metadata``, ``extra``) are plain dicts typed as read-only ``Mapping`` and excluded from hashing,
so models stay hashable and picklable; treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from ._constants import CLIENT_MESSAGE_ID_KEY

__all__ = [
    "AgentResponse",
    "ChunkEvent",
    "DoneEvent",
    "ErrorEvent",
    "Health",
    "Message",
    "MessagePage",
    "Reply",
    "SendResult",
    "ServerVersion",
    "Session",
    "SessionList",
    "SessionStats",
    "SessionStatus",
    "SessionTimeoutConfig",
    "SessionTimeoutSettings",
    "StreamEvent",
    "UnknownEvent",
    "UserMessageEvent",
]


def _mapping() -> Any:
    # Open-ended JSON objects: compared by value, left out of the hash (a dict is unhashable).
    return attrs.field(factory=dict, hash=False, repr=False)


@attrs.frozen(kw_only=True)
class SessionTimeoutConfig:
    """A session's timeout configuration, as the server stores it.

    ``auto_renew`` is always a ``bool`` here: the server echoes whatever JSON value a session was created
    with and then treats it by JavaScript truthiness, so that is how a non-boolean is read.
    """

    timeout_minutes: float
    auto_renew: bool
    max_duration_minutes: float
    warning_threshold_minutes: float


@attrs.frozen(kw_only=True)
class SessionTimeoutSettings:
    """Timeout settings to send: for ``sessions.create`` (``None`` = the server's default) and
    ``sessions.update_timeout`` (``None`` = keep the session's current value)."""

    timeout_minutes: float | None = None
    auto_renew: bool | None = None
    max_duration_minutes: float | None = None
    warning_threshold_minutes: float | None = None


@attrs.frozen(kw_only=True)
class Session:
    """A session: one user talking to one agent.

    ``time_remaining`` and ``is_near_expiration`` are as the server computed them when it answered.
    ``sessions.create`` fills ``last_activity``, ``renewal_count``, ``time_remaining`` and
    ``is_near_expiration`` from the creation reply, which lacks them, with the values the server defines for a
    new session (``last_activity == created_at``, ``renewal_count == 0``).
    """

    id: str
    channel_id: str
    agent_id: str
    user_id: str
    created_at: datetime
    last_activity: datetime
    expires_at: datetime
    timeout_config: SessionTimeoutConfig
    renewal_count: int
    time_remaining: timedelta
    is_near_expiration: bool
    metadata: Mapping[str, Any] = _mapping()
    extra: Mapping[str, Any] = _mapping()


@attrs.frozen(kw_only=True)
class SessionStats:
    """Counts over every session in the server's memory (``total`` includes expired, unswept ones)."""

    total: int
    active: int
    expired: int


@attrs.frozen(kw_only=True)
class SessionList:
    """Every active session on the server (all users; the server does not paginate or filter)."""

    sessions: tuple[Session, ...]
    total: int
    stats: SessionStats
    extra: Mapping[str, Any] = _mapping()


@attrs.frozen(kw_only=True)
class Health:
    """The sessions subsystem's health. ``status`` is an open string (``"healthy"`` today)."""

    status: str
    active_sessions: int
    expiring_soon: int
    invalid_sessions: int = 0
    timestamp: datetime
    uptime: timedelta
    extra: Mapping[str, Any] = _mapping()


@attrs.frozen(kw_only=True)
class ServerVersion:
    """The server's release, from ``GET /api/system/version`` (``client.server_version()``).

    ``version`` is the ``@elizaos/server`` package version (``"1.7.2"``, ``"1.7.3-alpha.4"``; ``"unknown"`` when the
    server cannot read it); the other fields describe the server process and are None when absent.
    """

    version: str
    source: str | None = None
    timestamp: datetime | None = None
    environment: str | None = None
    uptime: timedelta | None = None
    extra: Mapping[str, Any] = _mapping()


@attrs.frozen(kw_only=True)
class Message:
    """One message of a conversation, from a send reply, a stream, or the history.

    ``client_message_id`` is the id this client tags every send with (in ``metadata``), used to send
    exactly once; it is None for messages sent by other clients and for the agent's replies. ``attachments``
    are only known for a message this client just sent (the server's history does not return them), and
    ``channel_id`` only for such messages too.
    """

    id: str
    content: str
    author_id: str
    is_agent: bool
    created_at: datetime
    metadata: Mapping[str, Any] = _mapping()
    channel_id: str | None = None
    attachments: tuple[Mapping[str, Any], ...] | None = attrs.field(default=None, hash=False, repr=False)
    extra: Mapping[str, Any] = _mapping()

    @property
    def client_message_id(self) -> str | None:
        """The client-side id this message was sent with, if any."""
        value = self.metadata.get(CLIENT_MESSAGE_ID_KEY)
        return value if isinstance(value, str) else None


@attrs.frozen(kw_only=True)
class SessionStatus:
    """The session's state right after a send.

    The server's ``isNearExpiration`` in send replies is always false (a server bug), so it is not offered
    here; ``sessions.get`` reports it correctly.
    """

    expires_at: datetime
    renewal_count: int
    was_renewed: bool
    extra: Mapping[str, Any] = _mapping()


@attrs.frozen(kw_only=True)
class AgentResponse:
    """What the agent answered. Every field may be missing; unknown keys are kept in ``extra``."""

    text: str | None = None
    thought: str | None = None
    actions: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    simple: bool | None = None
    response_id: str | None = None
    in_reply_to: str | None = None
    extra: Mapping[str, Any] = _mapping()


@attrs.frozen(kw_only=True)
class SendResult:
    """The outcome of ``sessions.send_message``: the stored message and the session's state.

    ``session_status`` is None when the message was recovered by reconciling against the history after an
    ambiguous failure (the history does not carry it).
    """

    message: Message
    session_status: SessionStatus | None


@attrs.frozen(kw_only=True)
class Reply:
    """The outcome of ``sessions.send_and_wait``: the stored message and the agent's reply.

    ``agent_response`` is None when the agent chose not to answer. The server does not store replies sent
    this way: they never appear in the history.
    """

    message: Message
    agent_response: AgentResponse | None
    session_status: SessionStatus | None


@attrs.frozen(kw_only=True)
class MessagePage:
    """One page of history, newest first.

    From ``sessions.messages(session_id)`` or ``…(cursor=…)``: ``next_cursor`` continues with the older messages
    (None: there are none), ``newer_cursor`` with the messages newer than this page's newest, both exactly (no
    message skipped or repeated, also when many share a millisecond), from any process and after any delay;
    ``has_more`` is ``next_cursor is not None``. ``before``/``after`` are the oldest and newest ``created_at`` on
    the page (None when it is empty).

    From ``messages(before=…)`` or ``messages(after=…)``: the server's raw page, as it answered. ``has_more`` then
    only means the page was full, ``before``/``after`` are the server's tie-blind cursors, and both cursors
    here are None.
    """

    messages: tuple[Message, ...]
    has_more: bool
    before: datetime | None
    after: datetime | None
    extra: Mapping[str, Any] = _mapping()
    next_cursor: str | None = None
    newer_cursor: str | None = None


@attrs.frozen(kw_only=True)
class UserMessageEvent:
    """The stream's first event: the user's message, as stored."""

    message: Message


@attrs.frozen(kw_only=True)
class ChunkEvent:
    """A piece of the agent's reply (``index`` counts from 0)."""

    text: str
    index: int
    message_id: str | None = None


@attrs.frozen(kw_only=True)
class DoneEvent:
    """The stream's last event on success: the agent's whole reply (``agent_response``, as on :class:`Reply`)."""

    agent_response: AgentResponse

    @property
    def response(self) -> AgentResponse:
        """Deprecated alias of ``agent_response`` (the name ``Reply`` uses too)."""
        import warnings

        warnings.warn("DoneEvent.response is deprecated; use .agent_response", DeprecationWarning, stacklevel=2)
        return self.agent_response


@attrs.frozen(kw_only=True)
class ErrorEvent:
    """The stream's last event on failure: the server's error text."""

    error: str


@attrs.frozen(kw_only=True)
class UnknownEvent:
    """An event type this client does not know (a newer server); ``data`` is the raw text."""

    event: str
    data: str


StreamEvent = UserMessageEvent | ChunkEvent | DoneEvent | ErrorEvent | UnknownEvent
