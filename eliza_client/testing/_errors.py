"""The sessions router's error classes and the body its error middleware writes.

1.7.2 sends ``{"error": {"code", "message", "timestamp", "details"?, "stack"}}`` for every error thrown inside a
sessions handler: ``details`` whenever the error carries some, and always a Node.js ``stack`` string (server file
paths, roughly 900 characters). The stack here is fake but shaped like the real one so that a client which
(wrongly) echoes it into logs or exception text gets caught by its tests.
"""

from __future__ import annotations

from typing import Any

from ._js import UNDEFINED, iso_from_ms, js_typeof

__all__ = [
    "NO_DETAILS",
    "SessionError",
    "agent_not_found",
    "internal_error",
    "invalid_content",
    "invalid_metadata",
    "invalid_pagination",
    "invalid_timeout_config",
    "invalid_uuid",
    "missing_fields",
    "session_expired",
    "session_not_found",
    "session_renewal_failed",
]


#: Marker for an error without a ``details`` key (``None`` would be sent as ``null``): JS ``undefined``.
NO_DETAILS: Any = UNDEFINED

# The ten frames (Node's default stackTraceLimit) an async sessions handler's error carries in 1.7.2: the
# handler, the asyncHandler wrapper, then Express 5's router. Only the install path differs between machines.
_INSTALL = "/home/node/.bun/install/global/node_modules"
_FRAMES = (
    "    at file://{root}/@elizaos/server/dist/index.js:{line}:13",
    "    at file://{root}/@elizaos/server/dist/index.js:25629:21",
    "    at Layer.handleRequest ({root}/router/lib/layer.js:169:33)",
    "    at next ({root}/router/lib/route.js:163:13)",
    "    at Route.dispatch ({root}/router/lib/route.js:123:3)",
    "    at handle ({root}/router/index.js:449:11)",
    "    at Layer.handleRequest ({root}/router/lib/layer.js:169:33)",
    "    at {root}/router/index.js:309:15",
    "    at param ({root}/router/index.js:637:14)",
    "    at param ({root}/router/index.js:647:14)",
)


def fake_stack(js_name: str, message: str, line: int) -> str:
    """A Node.js stack trace shaped like the one 1.7.2 puts in every sessions error body."""
    frames = [frame.format(root=_INSTALL, line=line) for frame in _FRAMES]
    return "\n".join([f"{js_name}: {message}", *frames])


class SessionError(Exception):
    """An error raised by a sessions handler, rendered by the router's error middleware."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        js_name: str,
        details: Any = NO_DETAILS,
        line: int = 25740,
        stack_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.js_name = js_name
        self.details = details
        self.line = line
        # A foreign error (a TypeError, say) keeps its own message in the stack, not the generic text.
        self.stack_message = message if stack_message is None else stack_message

    def body(self, now_ms: int) -> dict[str, Any]:
        """The JSON body: code, message, timestamp, details (when present) and stack, in that order."""
        error: dict[str, Any] = {"code": self.code, "message": self.message, "timestamp": iso_from_ms(now_ms)}
        if self.details is not NO_DETAILS:
            error["details"] = self.details
        error["stack"] = fake_stack(self.js_name, self.stack_message, self.line)
        return {"error": error}


def session_not_found(session_id: str) -> SessionError:
    """404 ``SESSION_NOT_FOUND``."""
    return SessionError(404, "SESSION_NOT_FOUND", f"Session with ID '{session_id}' not found", "SessionNotFoundError")


def session_expired(session_id: str, expires_at_ms: int) -> SessionError:
    """410 ``SESSION_EXPIRED``."""
    message = f"Session '{session_id}' expired at {iso_from_ms(expires_at_ms)}"
    return SessionError(410, "SESSION_EXPIRED", message, "SessionExpiredError")


def agent_not_found(agent_id: str) -> SessionError:
    """404 ``AGENT_NOT_FOUND``."""
    return SessionError(
        404, "AGENT_NOT_FOUND", f"Agent with ID '{agent_id}' not found", "AgentNotFoundError", line=25686
    )


def invalid_uuid(field: str, value: Any) -> SessionError:
    """400 ``VALIDATION_ERROR`` for a malformed agentId/userId (the details wrongly promise "UUID v4")."""
    return SessionError(
        400,
        "VALIDATION_ERROR",
        f"Invalid UUID format for field '{field}'",
        "InvalidUuidError",
        {"providedValue": value, "expectedFormat": "UUID v4"},
        line=25679,
    )


def missing_fields() -> SessionError:
    """400 ``VALIDATION_ERROR``: always lists both fields, whichever is missing or mistyped."""
    return SessionError(
        400,
        "VALIDATION_ERROR",
        "Missing required fields: agentId, userId",
        "MissingFieldsError",
        {"missingFields": ["agentId", "userId"]},
        line=25673,
    )


def invalid_content(reason: str) -> SessionError:
    """400 ``VALIDATION_ERROR`` prefixed ``Invalid content:`` (also used for transport problems)."""
    return SessionError(
        400, "VALIDATION_ERROR", f"Invalid content: {reason}", "InvalidContentError", {"reason": reason}, line=25760
    )


def invalid_metadata(metadata: Any) -> SessionError:
    """400 ``VALIDATION_ERROR`` for metadata over 10 240 serialized characters (called "bytes")."""
    reason = "Metadata exceeds maximum size of 10240 bytes"
    return SessionError(
        400,
        "VALIDATION_ERROR",
        f"Invalid metadata: {reason}",
        "InvalidMetadataError",
        {"reason": reason, "providedMetadata": metadata},
        line=25558,
    )


def invalid_pagination(parameter: str, value: str, reason: str) -> SessionError:
    """400 ``VALIDATION_ERROR`` for a ``before``/``after`` the server cannot read."""
    return SessionError(
        400,
        "VALIDATION_ERROR",
        f"Invalid pagination parameter '{parameter}': {reason}",
        "InvalidPaginationError",
        {"parameter": parameter, "value": value, "reason": reason},
        line=25893,
    )


def invalid_timeout_config(reason: str, provided: Any) -> SessionError:
    """400 ``VALIDATION_ERROR`` from PATCH …/timeout (``provided`` is NO_DETAILS when there was no body)."""
    details: dict[str, Any] = {"reason": reason}
    if provided is not NO_DETAILS:
        details["providedConfig"] = provided
    return SessionError(
        400,
        "VALIDATION_ERROR",
        f"Invalid timeout configuration: {reason}",
        "InvalidTimeoutConfigError",
        details,
        line=26010,
    )


def session_renewal_failed(session_id: str, details: dict[str, Any]) -> SessionError:
    """400 ``SESSION_RENEWAL_FAILED`` (practically unreachable: the expiry check answers 410 first)."""
    return SessionError(
        400,
        "SESSION_RENEWAL_FAILED",
        f"Cannot renew session '{session_id}': Maximum duration reached",
        "SessionRenewalError",
        details,
        line=25990,
    )


def internal_error(js_error: str, js_message: str) -> SessionError:
    """500 ``INTERNAL_SERVER_ERROR``: any non-session error; details is the original message string."""
    return SessionError(
        500,
        "INTERNAL_SERVER_ERROR",
        "An unexpected error occurred",
        js_error,
        js_message,
        line=25758,
        stack_message=js_message,
    )


def undefined_property_error(prop: str, value: Any) -> SessionError:
    """The TypeError Node raises when a handler reads ``body.<prop>`` and ``body`` is undefined or null."""
    holder = "undefined" if value is NO_DETAILS else ("null" if value is None else js_typeof(value))
    return internal_error("TypeError", f"Cannot read properties of {holder} (reading '{prop}')")


# PostgreSQL cannot store U+0000 in text or jsonb: the real server validates nothing about it and fails when it
# writes the row. The original error is the database driver's ("Failed query: insert into ...").
_NUL_DB_ERROR = (
    'Failed query: insert into "{table}" ... \nparams: ...\ncause: unsupported Unicode escape sequence '
    "(\\u0000 cannot be converted to text)"
)


def session_creation_failed(table: str = "channels") -> SessionError:
    """500 ``SESSION_CREATION_FAILED``: the channel row could not be written (e.g. a NUL in the metadata)."""
    return SessionError(
        500,
        "SESSION_CREATION_FAILED",
        "Failed to create session: Failed to create channel or add participants",
        "SessionCreationError",
        {"originalError": _NUL_DB_ERROR.format(table=table)},
    )


def message_send_failed(session_id: str) -> SessionError:
    """500 ``MESSAGE_SEND_FAILED``: the message row could not be written (e.g. a NUL in content or metadata)."""
    return SessionError(
        500,
        "MESSAGE_SEND_FAILED",
        f"Failed to send message in session '{session_id}': Failed to create message in database",
        "MessageSendError",
        {"originalError": _NUL_DB_ERROR.format(table="central_messages")},
    )
