"""Sessions, channels and messages: the in-memory twin of the 1.7.2 sessions router and its database.

Every method here is one route handler, written to follow the real handler's order of checks and its quirks
(clamping instead of rejecting, PATCH resetting omitted fields, 410 once then 404, the ``after``-only window,
…). HTTP concerns (status lines, headers, transports) live in :mod:`._server`; this module takes parsed request
values (``UNDEFINED`` standing for JS ``undefined``) and returns JSON-ready dicts or raises :class:`SessionError`.
"""

from __future__ import annotations

import copy
import math
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs

from . import _errors as err
from ._agent import AgentOutcome, DeterministicAgent
from ._clock import Clock
from ._js import (
    UNDEFINED,
    iso_from_ms,
    js_parse_int,
    js_spread,
    js_stringify,
    js_to_number,
    js_to_string,
    js_truthy,
    js_typeof,
    jsonb_order,
    time_clip,
    utf16_len,
)
from ._releases import SendApi

__all__ = ["SendPrepared", "SendTransport", "SessionsState", "Settings"]

SendTransport = Literal["http", "sse", "websocket"]

#: ``validateUuid`` in @elizaos/core: any 8-4-4-4-12 hex string (any version, nil included), any case.
_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
MESSAGE_SERVER_ID = "00000000-0000-0000-0000-000000000000"
MAX_CONTENT_LENGTH = 4000
MAX_METADATA_SIZE = 10240
MAX_LIMIT = 100
DEFAULT_LIMIT = 50
#: The dates Postgres accepts from the server's ISO strings: 0001-01-01T00:00:00.000Z … 9999-12-31T23:59:59.999Z.
_DB_MIN_MS = -62_135_596_800_000
_DB_MAX_MS = 253_402_300_799_999
_TRANSPORTS: dict[str, SendTransport] = {"http": "http", "sse": "sse", "websocket": "websocket"}
_LEGACY_MODES: dict[str, SendTransport] = {"sync": "http", "stream": "sse", "websocket": "websocket"}
#: 1.7.0's RESPONSE_MODES, in order, and the transport each behaves like.
_RESPONSE_MODES: dict[str, SendTransport] = {"sync": "http", "stream": "sse", "websocket": "websocket"}
# `value in LEGACY_MODE_MAP` is also true for Object.prototype's keys; those fall through to websocket.
_PROTOTYPE_KEYS = frozenset(
    {
        "constructor",
        "__defineGetter__",
        "__defineSetter__",
        "hasOwnProperty",
        "__lookupGetter__",
        "__lookupSetter__",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toString",
        "valueOf",
        "__proto__",
        "toLocaleString",
    }
)


def safe_parse_int(value: str | None, fallback: int, low: int | None = None, high: int | None = None) -> int:
    """The router's ``safeParseInt``: integer-prefix parse, fallback on empty/NaN, then clamp."""
    if not value:
        return fallback
    parsed = js_parse_int(value)
    if math.isnan(parsed) or math.isinf(parsed):
        return fallback
    result = int(parsed)
    if low is not None and result < low:
        result = low
    if high is not None and result > high:
        result = high
    return result


def _tidy(value: float) -> int | float:
    # JS has one number type; keep integral values as int so Python-side consumers see 30, not 30.0.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _has_nul(value: Any) -> bool:
    """Whether a JSON value holds U+0000 in any string or key (which PostgreSQL text/jsonb cannot store)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in key or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


@attrs.frozen
class Settings:
    """The ``SESSION_*`` environment settings of §4.1, parsed and clamped like the real module does."""

    default_timeout: int = 30
    min_timeout: int = 5
    max_timeout: int = 1440
    max_duration: int = 720
    warning_threshold: int = 5
    cleanup_interval_minutes: int = 5

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read ``SESSION_DEFAULT_TIMEOUT_MINUTES`` and friends from ``env`` (missing → defaults)."""
        return cls(
            default_timeout=safe_parse_int(env.get("SESSION_DEFAULT_TIMEOUT_MINUTES"), 30, 1, 10080),
            min_timeout=safe_parse_int(env.get("SESSION_MIN_TIMEOUT_MINUTES"), 5, 1, 60),
            max_timeout=safe_parse_int(env.get("SESSION_MAX_TIMEOUT_MINUTES"), 1440, 60, 10080),
            max_duration=safe_parse_int(env.get("SESSION_MAX_DURATION_MINUTES"), 720, 60, 20160),
            warning_threshold=safe_parse_int(env.get("SESSION_WARNING_THRESHOLD_MINUTES"), 5, 1, 60),
            cleanup_interval_minutes=safe_parse_int(env.get("SESSION_CLEANUP_INTERVAL_MINUTES"), 5, 1, 60),
        )

    def agent_defaults(self) -> dict[str, Any]:
        """The agent-level timeout config (no agent settings configured): the global defaults."""
        return {
            "timeoutMinutes": self.default_timeout,
            "autoRenew": True,
            "maxDurationMinutes": self.max_duration,
            "warningThresholdMinutes": self.warning_threshold,
        }


@attrs.define
class Session:
    """One entry of the router's in-memory session map (times in epoch ms)."""

    id: str
    agent_id: str
    channel_id: str
    user_id: str
    metadata: Any
    created_at: int
    last_activity: int
    expires_at: int
    timeout_config: dict[str, Any]
    renewal_count: int = 0
    warned: bool = False


@attrs.define
class StoredMessage:
    """A row of the central messages table."""

    id: str
    channel_id: str
    author_id: str
    content: str
    created_at: int
    source_type: str
    raw_message: dict[str, Any]
    metadata: dict[str, Any]


@attrs.define
class Channel:
    """A DM channel created for a session; it and its messages outlive the session, as in the database."""

    id: str
    metadata: dict[str, Any]
    messages: list[StoredMessage] = attrs.Factory(list)


@attrs.frozen
class SendPrepared:
    """A user message that was validated and stored; the transport decides what happens next."""

    transport: SendTransport
    user_message: dict[str, Any]
    session_status: dict[str, Any]
    agent: DeterministicAgent
    channel_id: str
    content: str
    message_id: str


def validate_transport(value: Any) -> tuple[SendTransport, str | None]:
    """``validateTransport``: the transport to use, or an error reason."""
    if value is UNDEFINED or value is None:
        return "websocket", None
    if not isinstance(value, str):
        return "websocket", f'Invalid transport type "{js_typeof(value)}". Transport must be a string.'
    if value in _TRANSPORTS:
        return _TRANSPORTS[value], None
    if value in _LEGACY_MODES:
        return _LEGACY_MODES[value], None
    if value in _PROTOTYPE_KEYS:
        return "websocket", None
    return "websocket", f'Invalid transport "{value}". Must be one of: http, sse, websocket, sync, stream'


def _prop(obj: Any, key: str) -> Any:
    """``obj[key]`` for a parsed JSON value: only plain objects have our properties."""
    if isinstance(obj, dict):
        return obj.get(key, UNDEFINED)
    return UNDEFINED


class SessionsState:
    """All server-side state; thread-safe (one re-entrant lock around every operation)."""

    def __init__(self, settings: Settings, agents: Sequence[DeterministicAgent], clock: Clock, start_ms: int) -> None:
        self.settings = settings
        self.clock = clock
        self.agents = {agent.agent_id: agent for agent in agents}
        self._lock = threading.RLock()
        self._sessions: dict[str, Session] = {}
        self._channels: dict[str, Channel] = {}
        # Every session ever created → its channel, so tests can inspect messages after delete/expiry.
        self._session_channels: dict[str, str] = {}
        self._start_ms = start_ms
        self._sweeps_done = 0

    # ------------------------------------------------------------------------------------------ time rules

    def _expiration(self, created: int, last: int, config: Mapping[str, Any], now: int) -> int:
        """``calculateExpirationDate``: inactivity timeout from lastActivity (or createdAt), capped by max."""
        base = last if js_truthy(config.get("autoRenew")) else created
        timeout_minutes: Any = config.get("timeoutMinutes") or self.settings.default_timeout
        timeout_ms = timeout_minutes * 60_000
        max_minutes: Any = config.get("maxDurationMinutes")
        if js_truthy(max_minutes):
            max_ms = max_minutes * 60_000
            if (now - created) + timeout_ms > max_ms:
                return time_clip(created + max_ms) or 0
        return time_clip(base + timeout_ms) or 0

    def _warning_ms(self, session: Session) -> float:
        minutes = session.timeout_config.get("warningThresholdMinutes") or self.settings.warning_threshold
        return float(minutes) * 60_000

    def _should_warn(self, session: Session, now: int) -> bool:
        if session.warned:
            return False
        remaining = session.expires_at - now
        return 0 < remaining <= self._warning_ms(session)

    def _renew(self, session: Session, now: int) -> bool:
        """``renewSession``: only with a truthy autoRenew and while under the max duration."""
        if not js_truthy(session.timeout_config.get("autoRenew")):
            return False
        max_minutes = session.timeout_config.get("maxDurationMinutes") or self.settings.max_duration
        if now - session.created_at >= max_minutes * 60_000:
            return False
        session.last_activity = now
        session.renewal_count += 1
        session.expires_at = self._expiration(session.created_at, now, session.timeout_config, now)
        session.warned = False
        return True

    def _merge_timeout_config(self, requested: Any) -> dict[str, Any]:
        """``mergeTimeoutConfigs``: request values over the agent/global defaults, clamped, never rejected."""
        s = self.settings
        merged = s.agent_defaults()
        if not (js_truthy(requested) and isinstance(requested, dict)):
            return merged
        if "timeoutMinutes" in requested:
            value = js_to_number(requested["timeoutMinutes"])
            if math.isnan(value) or math.isinf(value):
                merged["timeoutMinutes"] = s.default_timeout
            else:
                merged["timeoutMinutes"] = _tidy(max(s.min_timeout, min(s.max_timeout, value)))
        if "autoRenew" in requested:
            merged["autoRenew"] = copy.deepcopy(requested["autoRenew"])  # verbatim, any JSON type
        if "maxDurationMinutes" in requested:
            value = js_to_number(requested["maxDurationMinutes"])
            if math.isnan(value) or math.isinf(value):
                merged["maxDurationMinutes"] = s.max_duration
            else:
                merged["maxDurationMinutes"] = _tidy(max(merged["timeoutMinutes"], min(s.max_timeout * 2, value)))
        if "warningThresholdMinutes" in requested:
            value = js_to_number(requested["warningThresholdMinutes"])
            if math.isnan(value) or math.isinf(value):
                merged["warningThresholdMinutes"] = s.warning_threshold
            else:
                merged["warningThresholdMinutes"] = _tidy(max(1, value))
        return merged

    # ------------------------------------------------------------------------------------------ sweeping

    def _maybe_sweep(self, now: int) -> None:
        # The real router sweeps on a setInterval from server start. Sweeping lazily "as of" the latest tick
        # that has passed gives the same observable result (nothing else changes state between requests) and
        # follows a ManualClock deterministically.
        interval = self.settings.cleanup_interval_minutes * 60_000
        ticks = (now - self._start_ms) // interval
        if ticks > self._sweeps_done:
            self._sweeps_done = ticks
            self._sweep(self._start_ms + ticks * interval)

    def _sweep(self, at: int) -> None:
        for session_id, session in list(self._sessions.items()):
            if session.expires_at <= at:
                del self._sessions[session_id]
            elif self._should_warn(session, at):
                session.warned = True

    def run_cleanup(self) -> None:
        """Run the periodic cleanup now: silently drop expired sessions (later calls get 404, never 410)."""
        with self._lock:
            self._sweep(self.clock.now_ms())

    def _live_session(self, session_id: str, now: int) -> Session:
        session = self._sessions.get(session_id)
        if session is None:
            raise err.session_not_found(session_id)
        if session.expires_at <= now:
            del self._sessions[session_id]
            raise err.session_expired(session_id, session.expires_at)
        return session

    # ------------------------------------------------------------------------------------------ responses

    def _info(self, session: Session) -> dict[str, Any]:
        """``createSessionInfoResponse``.

        It reads the clock again, as the real one does (its own ``Date.now()``, after the handler's): a millisecond
        that ticks between the two reads makes ``timeRemaining`` 1 ms short of the timeout right after a renewal,
        as the real 1.7.0 was seen answering.
        """
        remaining = max(0, session.expires_at - self.clock.now_ms())
        return {
            "sessionId": session.id,
            "channelId": session.channel_id,
            "agentId": session.agent_id,
            "userId": session.user_id,
            "createdAt": iso_from_ms(session.created_at),
            "lastActivity": iso_from_ms(session.last_activity),
            "metadata": session.metadata,
            "expiresAt": iso_from_ms(session.expires_at),
            "timeoutConfig": session.timeout_config,
            "renewalCount": session.renewal_count,
            "timeRemaining": remaining,
            "isNearExpiration": 0 < remaining <= self._warning_ms(session),
        }

    @staticmethod
    def _simplified(message: StoredMessage) -> dict[str, Any]:
        """A stored row as GET …/messages shows it (camelCase, ISO ``createdAt``)."""
        raw = message.raw_message if isinstance(message.raw_message, dict) else {}
        thought, actions = raw.get("thought", UNDEFINED), raw.get("actions", UNDEFINED)
        # {thought, actions} first, then all stored metadata with thought/actions forced to the raw values
        # (so a user's own "thought" metadata key disappears), undefined keys dropped by JSON.
        merged = {"thought": thought, "actions": actions}
        merged.update(message.metadata)
        merged["thought"], merged["actions"] = thought, actions
        metadata = {k: v for k, v in merged.items() if v is not UNDEFINED}
        return {
            "id": message.id,
            "content": message.content,
            "authorId": message.author_id,
            "isAgent": message.source_type == "agent_response",
            "createdAt": iso_from_ms(message.created_at),
            "metadata": metadata,
        }

    # ------------------------------------------------------------------------------------------ routes

    def health(self, uptime: float) -> dict[str, Any]:
        """GET /sessions/health."""
        now = self.clock.now_ms()
        with self._lock:
            self._maybe_sweep(now)
            active = expiring = 0
            for session in self._sessions.values():
                if session.expires_at > now:
                    active += 1
                    if self._should_warn(session, now):
                        expiring += 1
            return {
                "status": "healthy",
                "activeSessions": active,
                "timestamp": iso_from_ms(now),
                "expiringSoon": expiring,
                "uptime": uptime,
            }

    def create_session(self, body: Any) -> dict[str, Any]:
        """POST /sessions."""
        now = self.clock.now_ms()
        with self._lock:
            self._maybe_sweep(now)
            agent_id, user_id = _prop(body, "agentId"), _prop(body, "userId")
            if not (isinstance(agent_id, str) and isinstance(user_id, str)):
                raise err.missing_fields()
            if not _UUID_RE.fullmatch(agent_id):
                raise err.invalid_uuid("agentId", agent_id)
            if not _UUID_RE.fullmatch(user_id):
                raise err.invalid_uuid("userId", user_id)
            if agent_id not in self.agents:
                raise err.agent_not_found(agent_id)
            metadata = _prop(body, "metadata")
            self._check_metadata(metadata)
            config = self._merge_timeout_config(_prop(body, "timeoutConfig"))
            session_id, channel_id = str(uuid.uuid4()), str(uuid.uuid4())
            session_metadata = metadata if js_truthy(metadata) else {}
            channel_metadata = jsonb_order(
                copy.deepcopy(
                    {
                        "sessionId": session_id,
                        "agentId": agent_id,
                        "userId": user_id,
                        "timeoutConfig": config,
                        **js_spread(session_metadata),
                    }
                )
            )
            if _has_nul(channel_metadata):
                # The database rejects U+0000: the channel is not created, nor the session.
                raise err.session_creation_failed()
            self._channels[channel_id] = Channel(channel_id, channel_metadata)
            session = Session(
                id=session_id,
                agent_id=agent_id,
                channel_id=channel_id,
                user_id=user_id,
                metadata=session_metadata,
                created_at=now,
                last_activity=now,
                expires_at=self._expiration(now, now, config, now),
                timeout_config=config,
            )
            self._sessions[session_id] = session
            self._session_channels[session_id] = channel_id
            return {
                "sessionId": session_id,
                "channelId": channel_id,
                "agentId": agent_id,
                "userId": user_id,
                "createdAt": iso_from_ms(now),
                "metadata": session_metadata,
                "expiresAt": iso_from_ms(session.expires_at),
                "timeoutConfig": config,
            }

    @staticmethod
    def _check_metadata(metadata: Any) -> None:
        # Only objects/arrays are measured (a long string passes), by serialized UTF-16 length.
        measured = js_truthy(metadata) and isinstance(metadata, (dict, list))
        if measured and utf16_len(js_stringify(metadata)) > MAX_METADATA_SIZE:
            raise err.invalid_metadata(metadata)

    def get_session(self, session_id: str) -> dict[str, Any]:
        """GET /sessions/{id}: not activity."""
        now = self.clock.now_ms()
        with self._lock:
            self._maybe_sweep(now)
            return self._info(self._live_session(session_id, now))

    def list_sessions(self) -> dict[str, Any]:
        """GET /sessions: unexpired sessions in creation order, plus stats over everything in memory."""
        now = self.clock.now_ms()
        with self._lock:
            self._maybe_sweep(now)
            active = [self._info(s) for s in self._sessions.values() if s.expires_at > now]
            total = len(self._sessions)
            return {
                "sessions": active,
                "total": len(active),
                "stats": {
                    "totalSessions": total,
                    "activeSessions": len(active),
                    "expiredSessions": total - len(active),
                },
            }

    def delete_session(self, session_id: str) -> dict[str, Any]:
        """DELETE /sessions/{id}: no expiry check; the channel and its messages stay."""
        now = self.clock.now_ms()
        with self._lock:
            self._maybe_sweep(now)
            if self._sessions.pop(session_id, None) is None:
                raise err.session_not_found(session_id)
            return {"success": True, "message": f"Session {session_id} deleted successfully"}

    def send_message(self, session_id: str, body: Any, send_api: SendApi = "transport") -> SendPrepared:
        """POST /sessions/{id}/messages, up to and including storing the user message.

        ``send_api`` picks the release's way of choosing a transport (see :mod:`._releases`): ``transport``
        (1.7.2: ``transport ?? mode``), ``mode`` (1.7.0: ``mode || "websocket"``) or ``flat`` (1.6.5: none).
        """
        now = self.clock.now_ms()
        with self._lock:
            self._maybe_sweep(now)
            transport = self._choose_transport(body, send_api)
            content = _prop(body, "content")
            if not isinstance(content, str):
                raise err.invalid_content("Invalid message request format")
            session = self._live_session(session_id, now)
            length = utf16_len(content)
            if length == 0:
                raise err.invalid_content("Content cannot be empty")
            if length > MAX_CONTENT_LENGTH:
                raise err.invalid_content(f"Content exceeds maximum length of {MAX_CONTENT_LENGTH} characters")
            metadata = _prop(body, "metadata")
            self._check_metadata(metadata)

            was_renewed = self._renew(session, now)
            if not was_renewed and not js_truthy(session.timeout_config.get("autoRenew")):
                session.last_activity = now
            if self._should_warn(session, now):
                session.warned = True  # …which is why sessionStatus.isNearExpiration below is always false

            channel = self._channels[session.channel_id]
            merged = copy.deepcopy(channel.metadata)
            merged["sessionId"] = session_id
            merged.update(copy.deepcopy(js_spread(metadata if js_truthy(metadata) else {})))
            raw_message: dict[str, Any] = {"content": content}
            attachments = _prop(body, "attachments")
            if attachments is not UNDEFINED:
                raw_message["attachments"] = copy.deepcopy(attachments)
            if _has_nul(content) or _has_nul(merged) or _has_nul(raw_message):
                # The database rejects U+0000 when the row is written — after the session was renewed above.
                raise err.message_send_failed(session_id)
            # Stored in jsonb columns, and the reply is built from the stored row: keys come back reordered.
            message = StoredMessage(
                id=str(uuid.uuid4()),
                channel_id=channel.id,
                author_id=session.user_id,
                content=content,
                created_at=now,
                source_type="user",
                raw_message=jsonb_order(raw_message),
                metadata=jsonb_order(merged),
            )
            channel.messages.append(message)
            user_message = {
                "id": message.id,
                "channel_id": channel.id,
                "message_server_id": MESSAGE_SERVER_ID,
                "author_id": message.author_id,
                "content": content,
                "created_at": now,
                "source_type": "user",
                "raw_message": copy.deepcopy(message.raw_message),
                "metadata": copy.deepcopy(message.metadata),
            }
            if send_api != "transport":
                # 1.6.5/1.7.0 answer with the row's camelCase fields (createdAt a Date, so an ISO string in JSON).
                user_message = {
                    "id": message.id,
                    "content": content,
                    "authorId": message.author_id,
                    "createdAt": iso_from_ms(now),
                    "metadata": copy.deepcopy(message.metadata),
                }
            status = {
                "expiresAt": iso_from_ms(session.expires_at),
                "renewalCount": session.renewal_count,
                "wasRenewed": was_renewed,
                "isNearExpiration": self._should_warn(session, now),
            }
            return SendPrepared(
                transport=transport,
                user_message=user_message,
                session_status=status,
                agent=self.agents[session.agent_id],
                channel_id=channel.id,
                content=content,
                message_id=message.id,
            )

    @staticmethod
    def _choose_transport(body: Any, send_api: SendApi) -> SendTransport:
        """The first lines of the release's send handler: which transport, or the error they throw."""
        if send_api == "flat":
            return "websocket"  # 1.6.5 reads neither transport nor mode
        if body is UNDEFINED or body is None:
            # Express 5 leaves req.body undefined without a JSON body; the handler reads body.transport/mode.
            raise err.undefined_property_error("transport" if send_api == "transport" else "mode", body)
        if send_api == "mode":
            mode = _prop(body, "mode")
            if not js_truthy(mode):
                mode = "websocket"
            # RESPONSE_MODES.includes(mode): strict equality, so only these three strings pass.
            if not (isinstance(mode, str) and mode in _RESPONSE_MODES):
                raise err.invalid_content(
                    f'Invalid mode "{js_to_string(mode)}". Must be one of: {", ".join(_RESPONSE_MODES)}'
                )
            return _RESPONSE_MODES[mode]
        requested = _prop(body, "transport")
        if requested is UNDEFINED or requested is None:
            requested = _prop(body, "mode")
        transport, problem = validate_transport(requested)
        if problem is not None:
            raise err.invalid_content(problem)
        return transport

    def store_agent_reply(self, channel_id: str, agent: DeterministicAgent, outcome: AgentOutcome) -> None:
        """Store a websocket-transport agent reply (as the agent's callback to the server would)."""
        if outcome.kind != "reply" or outcome.content is None:
            return
        now = self.clock.now_ms()
        reply = outcome.content
        with self._lock:
            channel = self._channels.get(channel_id)
            if channel is None:
                return
            channel.messages.append(
                StoredMessage(
                    id=str(uuid.uuid4()),
                    channel_id=channel_id,
                    author_id=agent.agent_id,
                    content=reply["text"],
                    created_at=now,
                    source_type="agent_response",
                    raw_message=jsonb_order(
                        {"text": reply["text"], "thought": reply["thought"], "actions": reply["actions"]}
                    ),
                    # What 1.7.2 stores for an agent reply (isDm false and GROUP, although the channel is a DM).
                    metadata=jsonb_order(
                        {"isDm": False, "agent_id": agent.agent_id, "agentName": agent.name, "channelType": "GROUP"}
                    ),
                )
            )

    def _pagination_bound(self, name: str, raw: str | None) -> int | None:
        if not raw:
            return None
        stamp = js_parse_int(raw)
        if math.isnan(stamp) or math.isinf(stamp):
            raise err.invalid_pagination(name, raw, "Must be a valid timestamp")
        clipped = time_clip(stamp)
        if clipped is None:
            raise err.invalid_pagination(name, raw, "Invalid date from timestamp")
        return clipped

    @staticmethod
    def _newest(messages: list[StoredMessage], limit: int, before: int | None = None) -> list[StoredMessage]:
        # getMessagesForChannel: ORDER BY created_at DESC LIMIT n with no tie-breaker; equal timestamps keep
        # insertion order (a stable sort), which is deterministic and what an unindexed scan tends to give.
        candidates = messages if before is None else [m for m in messages if m.created_at < before]
        return sorted(candidates, key=lambda m: m.created_at, reverse=True)[:limit]

    def list_messages(self, session_id: str, query: Mapping[str, str]) -> dict[str, Any]:
        """GET /sessions/{id}/messages: newest first, exclusive epoch-ms cursors, the server's three modes."""
        now = self.clock.now_ms()
        with self._lock:
            self._maybe_sweep(now)
            session = self._live_session(session_id, now)
            limit = DEFAULT_LIMIT
            if query.get("limit"):
                limit = safe_parse_int(query["limit"], DEFAULT_LIMIT, 1, MAX_LIMIT)
            before = self._pagination_bound("before", query.get("before"))
            after = self._pagination_bound("after", query.get("after"))
            if before is not None and not _DB_MIN_MS <= before <= _DB_MAX_MS:
                # `before` reaches Postgres as Date#toISOString(); outside years 1-9999 ("+010000-…", "0000-…") the
                # query fails and 1.7.2 answers 500 (seen on the real server; `after` is filtered in JS, no error).
                raise err.internal_error("DrizzleQueryError", f"Failed query: … created_at < $2 … params: {before}")
            stored = self._channels[session.channel_id].messages
            if after is not None and before is not None:
                scanned = self._newest(stored, min(500, limit * 10), before)
                page = [m for m in scanned if after < m.created_at < before][:limit]
            elif after is not None:
                recent = self._newest(stored, min(1000, limit * 20))
                page = [m for m in recent if m.created_at > after]
                if len(page) > limit:
                    page = sorted(page, key=lambda m: m.created_at)[:limit]
                    page.reverse()
            else:
                page = self._newest(stored, limit, before)
            result: dict[str, Any] = {"messages": [self._simplified(m) for m in page], "hasMore": len(page) == limit}
            if page:
                result["cursors"] = {"before": page[-1].created_at, "after": page[0].created_at}
            return result

    def renew_session(self, session_id: str) -> dict[str, Any]:
        """POST /sessions/{id}/renew: renews even with autoRenew off (it is switched on for the call)."""
        now = self.clock.now_ms()
        with self._lock:
            self._maybe_sweep(now)
            session = self._live_session(session_id, now)
            previous = session.timeout_config.get("autoRenew", UNDEFINED)
            session.timeout_config["autoRenew"] = True
            renewed = self._renew(session, now)
            if previous is UNDEFINED:
                del session.timeout_config["autoRenew"]
            else:
                session.timeout_config["autoRenew"] = previous
            if not renewed:
                raise err.session_renewal_failed(
                    session_id,
                    {
                        "maxDuration": session.timeout_config.get("maxDurationMinutes"),
                        "createdAt": iso_from_ms(session.created_at),
                        "timeSinceCreation": now - session.created_at,
                    },
                )
            return self._info(session)

    def update_timeout(self, session_id: str, body: Any) -> dict[str, Any]:
        """PATCH /sessions/{id}/timeout: range-checked, merged over the defaults (omitted fields reset)."""
        now = self.clock.now_ms()
        with self._lock:
            self._maybe_sweep(now)
            session = self._live_session(session_id, now)
            if not self._valid_timeout_shape(body):
                raise err.invalid_timeout_config("Invalid timeout configuration format", body)
            minutes = _prop(body, "timeoutMinutes")
            if minutes is not UNDEFINED:
                value = js_to_number(minutes)
                s = self.settings
                if not (math.isnan(value) or math.isinf(value)) and not s.min_timeout <= value <= s.max_timeout:
                    raise err.invalid_timeout_config(
                        f"Timeout must be between {s.min_timeout} and {s.max_timeout} minutes", body
                    )
            session.timeout_config = self._merge_timeout_config(body)
            session.expires_at = self._expiration(
                session.created_at, session.last_activity, session.timeout_config, now
            )
            return self._info(session)

    @staticmethod
    def _valid_timeout_shape(body: Any) -> bool:
        """``isValidTimeoutConfig``: an object (arrays count) whose known fields have acceptable types."""
        if not js_truthy(body) or not isinstance(body, (dict, list)):
            return False

        def number_or_string(key: str) -> bool:
            value = _prop(body, key)
            return value is UNDEFINED or js_typeof(value) in ("number", "string")

        auto_renew = _prop(body, "autoRenew")
        return (
            number_or_string("timeoutMinutes")
            and (auto_renew is UNDEFINED or isinstance(auto_renew, bool))
            and number_or_string("maxDurationMinutes")
            and number_or_string("warningThresholdMinutes")
        )

    def heartbeat(self, session_id: str) -> dict[str, Any]:
        """POST /sessions/{id}/heartbeat: lastActivity always; a renewal only with autoRenew on."""
        now = self.clock.now_ms()
        with self._lock:
            self._maybe_sweep(now)
            session = self._live_session(session_id, now)
            session.last_activity = now
            if js_truthy(session.timeout_config.get("autoRenew")):
                self._renew(session, now)
            return self._info(session)

    # ------------------------------------------------------------------------------------------ inspection

    def stored_messages(self, session_id: str) -> list[dict[str, Any]]:
        """Everything stored in the session's channel, oldest first, as SimplifiedMessage dicts."""
        with self._lock:
            channel_id = self._session_channels.get(session_id)
            if channel_id is None:
                raise KeyError(f"no session {session_id!r} was ever created on this server")
            ordered = sorted(self._channels[channel_id].messages, key=lambda m: m.created_at)
            return copy.deepcopy([self._simplified(m) for m in ordered])
