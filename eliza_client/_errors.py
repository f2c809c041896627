"""Every exception eliza_client raises, and the parser that turns any error response into one of them.

::

    ElizaError                          base of everything this library raises on purpose
    ├── ValidationError                 bad input, raised before any request (also a ValueError)
    ├── ClientClosedError               the client was used after close() (also a RuntimeError)
    ├── StreamConsumedError             a stream was iterated twice (also a RuntimeError)
    ├── ResponseValidationError         a 2xx body that could not be parsed into a model
    │   └── ResponseTooLargeError       a body, event or line larger than the client's Limits
    ├── PaginationError                 a history walk cannot go on exactly (crowded millisecond, broken page)
    └── APIError                        anything that happened while talking to the server
        ├── APIConnectionError          no (complete) answer: refused, reset, DNS, a broken body ...
        │   ├── APITimeoutError         the connect, read or total timeout ran out
        │   ├── TLSError                the TLS handshake or certificate check failed (never retried)
        │   └── LocalRequestError       the request could not be built here (never sent, never retried)
        ├── DeliveryUnknownError        a send whose outcome stayed unknown after reconciling
        ├── ReplyLostError              a send_and_wait/stream message was stored, but its reply was lost
        ├── AgentError                  a send_and_wait/stream message was stored, but the agent failed to answer
        ├── IdempotencyConflictError    a caller's client_message_id already names a different message
        └── APIStatusError              the server answered 4xx/5xx
            ├── BadRequestError         400 (VALIDATION_ERROR, SESSION_RENEWAL_FAILED, INVALID_CONTENT_TYPE)
            ├── AuthenticationError     401 missing or wrong X-API-KEY (or bearer token)
            ├── NotFoundError           404 (also an unknown route)
            │   ├── SessionNotFoundError    404 SESSION_NOT_FOUND (also a SessionGoneError)
            │   └── AgentNotFoundError      404 AGENT_NOT_FOUND
            ├── SessionGoneError        the session is gone: expired (410) or unknown (404); create a new one
            │   ├── SessionExpiredError     410 SESSION_EXPIRED
            │   └── SessionNotFoundError    (also a NotFoundError)
            ├── RateLimitError          429; .retry_after is the wait the server asked for
            ├── InternalServerError     5xx
            └── RedirectError           3xx: never followed (the API key stays with the configured origin)

(A test walks the subclasses and fails when this tree and the code disagree.)

Why ``SessionGoneError``: the server answers the first request after expiry with 410 and every later one with
404 (the first request deleted the session), and a background sweep can turn the 410 into a 404 at any time.
Callers who want "session gone, start a new one" catch ``SessionGoneError`` and get both.

Secrets: the server attaches a full ``stack`` (server file paths) to every sessions error in 1.7.2. No
``stack`` key, at any depth, ever reaches ``.body``, ``.details``, ``str()`` or ``repr()``; non-JSON bodies
are scrubbed of ``"stack": ...`` members and JavaScript stack-frame lines too. Request headers are never
stored, response headers are stored without credential headers, and every stored text is scrubbed of the
API keys registered in :mod:`._logs`.

Errors pickle (Celery ships exceptions between processes), keeping their attributes.
"""

from __future__ import annotations

import http
import re
import reprlib
from collections.abc import Mapping
from typing import Any, ClassVar, Final, Literal

from ._constants import ERROR_TEXT_MAX_LENGTH
from ._headers import parse_retry_after
from ._json import MalformedJSON
from ._json import parse as parse_json
from ._logs import is_sensitive_header, scrub

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AgentError",
    "AgentNotFoundError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "DeliveryState",
    "DeliveryUnknownError",
    "ElizaError",
    "IdempotencyConflictError",
    "InternalServerError",
    "LocalRequestError",
    "NotFoundError",
    "PaginationError",
    "RateLimitError",
    "RedirectError",
    "ReplyLostError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "SessionExpiredError",
    "SessionGoneError",
    "SessionNotFoundError",
    "StreamConsumedError",
    "TLSError",
    "TimeoutPhase",
    "ValidationError",
    "error_from_response",
]

TimeoutPhase = Literal["connect", "read", "total"]
#: What a send's error knows about the message: stored (do not resend), not stored (safe to resend), or unknown.
DeliveryState = Literal["stored", "not_stored", "unknown"]

_UNSET: Final[Any] = object()
_REMOVED: Final = "<removed>"
_VALUE_REPR = reprlib.Repr()
_VALUE_REPR.maxstring = 60
_VALUE_REPR.maxother = 60
_VALUE_REPR.maxlong = 40


def _rebuild(cls: type[ElizaError], args: tuple[Any, ...], state: dict[str, Any]) -> ElizaError:
    # Errors take keyword-only arguments, which Exception's default pickling (cls(*args)) cannot replay.
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


def _truncate(text: str, limit: int = ERROR_TEXT_MAX_LENGTH) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ElizaError(Exception):
    """Base of every exception eliza_client raises on purpose.

    ``except ElizaError`` catches all of them; bugs in the caller's code and ``KeyboardInterrupt`` are not
    wrapped.
    """

    # Attributes shown by __repr__, in order; subclasses extend it.
    _repr_fields: ClassVar[tuple[str, ...]] = ()

    #: Set on every error a send method raises once its request may have reached the server: the message's
    #: ``metadata.clientMessageId``, and what is known about it (``"stored"``, ``"not_stored"``, ``"unknown"``).
    client_message_id: str | None = None
    delivery: DeliveryState | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))

    def __repr__(self) -> str:
        parts = [f"{name}={getattr(self, name, None)!r}" for name in self._repr_fields]
        if not parts:
            parts = [repr(str(self))]
        if self.delivery is not None and "client_message_id" not in self._repr_fields:
            parts.append(f"client_message_id={self.client_message_id!r}, delivery={self.delivery!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class ValidationError(ElizaError, ValueError):
    """An argument failed a client-side check; no request was sent.

    Attributes: ``field`` (the argument, dotted for nested values, e.g. ``"timeout.connect"`` or
    ``"metadata.tags[2]"``), ``rule`` (a short machine-readable name such as ``"type"``, ``"range"``,
    ``"max_length"``, ``"format"``, ``"naive_datetime"``), ``message`` (for humans) and ``value_repr`` (a
    short ``repr`` of the offending value, or ``None`` when the value may be large or private, such as
    message content or metadata).
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("field", "rule", "message")

    def __init__(self, message: str, *, field: str, rule: str, value: object = _UNSET) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.rule = rule
        self.value_repr: str | None = None if value is _UNSET else _VALUE_REPR.repr(value)


class ClientClosedError(ElizaError, RuntimeError):
    """The client (or the ``requests.Session`` it owns) was used after ``close()``."""

    def __init__(self, message: str = "This ElizaClient is closed; create a new one.") -> None:
        super().__init__(message)
        self.message = message


class StreamConsumedError(ElizaError, RuntimeError):
    """A stream of server-sent events was iterated a second time; its events can only be read once."""

    def __init__(self, message: str = "This stream has already been consumed or closed.") -> None:
        super().__init__(message)
        self.message = message


class ResponseValidationError(ElizaError):
    """The server answered 2xx but the body could not be parsed into the expected model.

    Attributes: ``status_code``, ``field`` (the wire field that failed, when known), ``body`` (the body as
    text, truncated and scrubbed, or ``None``), ``operation``, ``message``.
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("status_code", "field", "operation", "message")

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        field: str | None = None,
        body: bytes | str | None = None,
        operation: str | None = None,
    ) -> None:
        message = _truncate(scrub(message))
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.field = field
        self.body = _sanitize_text(body) if body else None
        self.operation = operation


class ResponseTooLargeError(ResponseValidationError):
    """A response body (after decompression), one server-sent event or line, or a whole event stream was larger
    than the client's :class:`~eliza_client.Limits` allow. Reading stopped there and the connection was closed.

    ``limit`` is the cap in bytes that was passed.
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("status_code", "limit", "operation", "message")

    def __init__(self, message: str, *, status_code: int, limit: int, operation: str | None = None) -> None:
        super().__init__(message, status_code=status_code, operation=operation)
        self.limit = limit


class PaginationError(ElizaError):
    """A history walk cannot go on without risking a skipped, repeated or misplaced message.

    ``reason`` says why:

    * ``"crowded_millisecond"`` — 100 or more messages share one millisecond: every query returns the same 100 of
      them, so any others are out of reach. ``millisecond`` is that epoch-millisecond timestamp and ``seen`` how
      many of its messages were yielded before giving up.
    * ``"page_too_long"``, ``"out_of_order"``, ``"outside_bounds"``, ``"duplicate_id"`` — a page broke the
      server's contract (more messages than asked for; not newest first; a message outside the ``before``/``after``
      bounds asked for; one message twice). Nothing of that page was yielded; ``millisecond`` is the offending
      message's timestamp when there is one. A broken proxy or cache, or a server bug: retrying will not help.
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("reason", "millisecond", "seen", "message")

    def __init__(
        self, message: str, *, reason: str = "crowded_millisecond", millisecond: int | None = None, seen: int = 0
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.millisecond = millisecond
        self.seen = seen


class APIError(ElizaError):
    """Something went wrong while talking to the server (no answer, or an error answer).

    Attributes: ``message`` and ``operation`` (the public method, e.g. ``"send_message"``, when known).
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("operation", "message")

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        message = scrub(message)
        super().__init__(message)
        self.message = message
        self.operation = operation


class APIConnectionError(APIError):
    """No complete answer came back: connection refused or reset, DNS or TLS failure, a dropped stream.

    ``request_sent`` is ``False`` only when the request provably never reached the server (the connection
    was never established), which makes repeating it safe for every operation. ``True`` means it may have
    been received and acted upon.
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("operation", "request_sent", "message")
    #: Whether repeating the request can help (false for TLS and local failures).
    retryable: ClassVar[bool] = True

    def __init__(
        self, message: str = "Connection error.", *, request_sent: bool = True, operation: str | None = None
    ) -> None:
        super().__init__(message, operation=operation)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """A timeout ran out. ``phase`` says which: ``"connect"`` (the request was never sent), ``"read"`` (the
    server went silent after the request was sent) or ``"total"`` (the overall deadline across attempts).
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("operation", "phase", "request_sent", "message")

    def __init__(
        self,
        message: str | None = None,
        *,
        phase: TimeoutPhase,
        request_sent: bool | None = None,
        operation: str | None = None,
    ) -> None:
        if request_sent is None:
            request_sent = phase != "connect"
        super().__init__(
            message or f"Request timed out ({phase} timeout).", request_sent=request_sent, operation=operation
        )
        self.phase: TimeoutPhase = phase


class TLSError(APIConnectionError):
    """The TLS handshake or the certificate check failed: no request was sent, and repeating it cannot help
    (check ``verify=`` and the server's certificate)."""

    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        super().__init__(message, request_sent=False, operation=operation)


class LocalRequestError(APIConnectionError):
    """The request could not be built or written here (an invalid URL, header or body): it was never sent, and
    repeating it cannot help. A bug or a configuration the client did not catch at construction."""

    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        super().__init__(message, request_sent=False, operation=operation)


class DeliveryUnknownError(APIError):
    """A message send failed ambiguously and reconciling against history could not tell whether the server
    stored it. Resending risks a duplicate, not resending risks a loss; the caller decides.

    ``client_message_id`` is the id carried in the message's ``metadata["clientMessageId"]``; look for it in
    the session's history later before resending. ``send_error`` is the failure that put the outcome in doubt,
    ``lookup_error`` the history read that failed (if one did); ``__cause__`` is the latter, else the former.
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("operation", "session_id", "client_message_id", "message")

    def __init__(
        self,
        message: str | None = None,
        *,
        client_message_id: str,
        session_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(
            message
            or (
                f"Could not determine whether message {client_message_id} was stored; look for "
                f"metadata.clientMessageId == {client_message_id!r} in the session history before resending."
            ),
            operation=operation,
        )
        self.client_message_id = client_message_id
        self.session_id = session_id
        self.delivery = "unknown"
        #: Why the outcome was in doubt (the send's ambiguous failure; None for the look-up of a caller's id).
        self.send_error: ElizaError | None = None
        #: Why the history could not settle it (the last failed read; None when the deadline came first).
        self.lookup_error: ElizaError | None = None


class ReplyLostError(APIError):
    """A message sent with ``send_and_wait`` or ``stream`` was stored, but the connection failed before the
    agent's reply arrived (the client found the message in the history while making sure it was not lost).

    Do not resend it: it is in the conversation. The server never stores replies given over the ``http`` and
    ``sse`` transports, so the reply cannot be recovered. ``sent_message`` is the stored message.

    On releases that store every reply in the history instead of answering with it (1.6.5), it is also what
    ``send_and_wait`` and ``stream`` raise when no reply appears there within the reply timeout.
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("operation", "session_id", "client_message_id", "message")

    def __init__(
        self,
        message: str | None = None,
        *,
        sent_message: Any,
        client_message_id: str,
        session_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(
            message or f"Message {client_message_id} was stored, but the agent's reply was lost with the connection.",
            operation=operation,
        )
        self.sent_message = sent_message
        self.client_message_id = client_message_id
        self.session_id = session_id
        self.delivery = "stored"


class AgentError(APIError):
    """The message is stored, but the agent failed to answer it — the same error from ``send_and_wait`` (the
    server's 5xx after it stored the message) and from a ``stream`` (its ``error`` event, or an end without the
    ``done`` event, seen by ``until_done()``).

    Do not resend: the message is in the conversation (``delivery`` is ``"stored"``); a retry would only store it
    again. (The one exception: a stream's ``error`` event before its stored-message event, when the history shows
    the message is not there — ``delivery`` is then ``"not_stored"``.) Not an :class:`APIConnectionError` — code that
    retries network trouble must not repeat this. ``reason`` is the server's text (scrubbed), ``sent_message`` the
    stored message when it is known, ``status_code`` the HTTP status of the answer that carried the failure (200
    for a stream); from ``send_and_wait``, ``code``, ``body``, ``headers`` and ``details`` are the server's 5xx
    answer's, as on the :class:`InternalServerError` that is its ``__cause__`` (None from a stream).
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("operation", "session_id", "client_message_id", "reason")

    def __init__(
        self,
        reason: str,
        *,
        operation: str,
        client_message_id: str | None,
        session_id: str | None = None,
        sent_message: Any = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(f"{operation}: the agent did not answer: {reason}", operation=operation)
        self.reason = reason
        self.client_message_id = client_message_id
        self.session_id = session_id
        self.sent_message = sent_message
        self.status_code = status_code
        self.delivery = "stored"
        self.code: str | int | None = None
        self.body: Any = None
        self.headers: Mapping[str, str] = {}
        self.details: Any = None


class IdempotencyConflictError(APIError):
    """A ``client_message_id`` the caller passed is already in the session's history with different content.

    Raised before anything is sent: the id identifies one message, so reusing it for another would make a retry
    of either ambiguous. ``stored_message`` is the message already stored under that id.
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("operation", "session_id", "client_message_id", "message")

    def __init__(
        self, *, stored_message: Any, client_message_id: str, session_id: str, operation: str | None = None
    ) -> None:
        super().__init__(
            f"client_message_id {client_message_id!r} was already used for a different message in this session; "
            "use a new id for new content",
            operation=operation,
        )
        self.stored_message = stored_message
        self.client_message_id = client_message_id
        self.session_id = session_id
        self.delivery = "not_stored"


class APIStatusError(APIError):
    """The server answered with a 4xx or 5xx status.

    Attributes: ``status_code``; ``code`` (the server's error code: a string such as ``"SESSION_NOT_FOUND"``,
    a number for some middleware errors, or ``None``); ``message``; ``details`` (the server's ``details``, if
    any); ``body`` (the parsed JSON body, or the text truncated to 500 characters, or ``None``); ``headers``
    (response headers with lower-case names, credential headers removed); ``operation``.

    ``str(err)`` reads like ``404 SESSION_NOT_FOUND: Session with ID '…' not found``.
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("status_code", "code", "operation", "message")

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | int | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        details: Any = None,
        operation: str | None = None,
    ) -> None:
        message = _truncate(scrub(message))
        super().__init__(message, operation=operation)
        self.args = (_status_line(status_code, code, message),)
        self.status_code = status_code
        self.code = code
        # Sanitised here rather than only in error_from_response so that errors built by hand are safe too.
        self.body = _sanitize_text(body) if isinstance(body, bytes | str) else _sanitize_json_or_none(body)
        self.details = _sanitize_json_or_none(details)
        self.headers = _safe_headers(headers)


def _status_line(status_code: int, code: str | int | None, message: str) -> str:
    head = str(status_code)
    # A numeric code equal to the status (the 404/500 fallbacks) adds nothing.
    if code is not None and str(code) != head:
        head = f"{head} {code}"
    return f"{head}: {message}"


class BadRequestError(APIStatusError):
    """400: the server rejected the request (``code`` is usually ``VALIDATION_ERROR``)."""


class AuthenticationError(APIStatusError):
    """401: the ``X-API-KEY`` header is missing or wrong, or (a data-isolation server, 1.7.3 and later) the
    ``Authorization: Bearer`` JWT is.

    ``credential`` names which one the server refused: ``"api_key"``, ``"bearer_token"`` (then ``details`` is the
    server's reason, such as ``"JWT verification failed: signature verification failed"``), or None when the
    body does not say (a proxy's 401).
    """

    credential: Literal["api_key", "bearer_token"] | None = None


class NotFoundError(APIStatusError):
    """404: an unknown session or agent, or a route the server does not have."""


class SessionGoneError(APIStatusError):
    """The session no longer exists: it expired (410) or is unknown (404, which is also what follows a 410,
    a server restart or a deletion). Create a new session.
    """


class SessionNotFoundError(NotFoundError, SessionGoneError):
    """404 ``SESSION_NOT_FOUND``: no such session (never existed, deleted, expired and swept, or lost in a
    server restart).
    """


class AgentNotFoundError(NotFoundError):
    """404 ``AGENT_NOT_FOUND``: the agent id is well-formed but no such agent is loaded on the server."""


class SessionExpiredError(SessionGoneError):
    """410 ``SESSION_EXPIRED``: the session timed out (the server deletes it; later calls get 404)."""


class RateLimitError(APIStatusError):
    """429: too many requests (1000 per 15 minutes per client IP by default).

    ``retry_after`` is the wait in seconds the server asked for (``retry-after-ms``, ``Retry-After`` or
    ``RateLimit-Reset``), or ``None`` when it named none.
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("status_code", "code", "retry_after", "operation", "message")

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """5xx: the server failed. For a send, the message may nevertheless have been stored."""


class RedirectError(APIStatusError):
    """3xx: the server (or a proxy in front of it) redirected the request. Redirects are never followed, so the
    API key never travels to another origin; point ``base_url`` at the final address instead. ``location`` is the
    ``Location`` header (without user-info or query), or ``None``."""

    _repr_fields: ClassVar[tuple[str, ...]] = ("status_code", "location", "operation", "message")

    def __init__(self, message: str, *, location: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location = location


# --- sanitising ----------------------------------------------------------------------------------------

_STACK_KEY_RE: Final = re.compile(r'"stack"\s*:\s*', re.IGNORECASE)
_JS_FRAME_LINE_RE: Final = re.compile(r"^[ \t]*at [^\n]*(?:\n|$)", re.MULTILINE)


def _skip_json_value(text: str, pos: int) -> int:
    """Index just past the (possibly truncated, possibly invalid) JSON value starting at ``pos``."""
    n = len(text)
    if pos >= n:
        return pos
    depth = 0
    in_string = False
    i = pos
    while i < n:
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
                if depth == 0:
                    return i + 1
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            if depth == 0:
                return i
            depth -= 1
            if depth == 0:
                return i + 1
        elif depth == 0 and (ch == "," or ch.isspace()):
            return i
        i += 1
    return n


def _remove_stack_members(text: str) -> str:
    """Replace the value of every ``"stack": …`` member in JSON-ish text, even malformed or truncated."""
    out: list[str] = []
    pos = 0
    while True:
        match = _STACK_KEY_RE.search(text, pos)
        if match is None:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos : match.end()])
        out.append(f'"{_REMOVED}"')
        pos = max(_skip_json_value(text, match.end()), match.end())


def _sanitize_text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    text = _JS_FRAME_LINE_RE.sub("", _remove_stack_members(text))
    return _truncate(scrub(text))


def _sanitize_json(value: Any) -> Any:
    """Copy parsed JSON without ``stack`` keys (any case, any depth) and with secrets scrubbed."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {
            scrub(str(k)): _sanitize_json(v)
            for k, v in value.items()
            if not (isinstance(k, str) and k.lower() == "stack")
        }
    if isinstance(value, list | tuple):
        return [_sanitize_json(v) for v in value]
    return value


def _sanitize_json_or_none(value: Any) -> Any:
    if value is None:
        return None
    try:
        return _sanitize_json(value)
    except RecursionError:
        # Absurdly deep data cannot be walked to remove secrets, so it is not kept at all.
        return None


def _safe_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    if not isinstance(headers, Mapping):
        return {}
    safe: dict[str, str] = {}
    for name, value in headers.items():
        key = str(name).lower()
        if key in _URL_HEADERS:
            safe[key] = _redact_location(str(value)) or ""
        elif not is_sensitive_header(key):
            safe[key] = scrub(str(value))
    return safe


# A redirect target may carry credentials in its user-info or query.
_URL_HEADERS: Final = frozenset({"location", "content-location"})


# --- parsing -------------------------------------------------------------------------------------------


def _reason_phrase(status_code: int) -> str:
    try:
        return http.HTTPStatus(status_code).phrase
    except ValueError:
        return f"HTTP status {status_code}"


def _normalize_code(code: Any) -> str | int | None:
    if isinstance(code, bool):
        return None
    if isinstance(code, str):
        return code or None
    if isinstance(code, int):
        return code
    if isinstance(code, float) and code.is_integer():
        return int(code)
    return None


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _fields_from_json(body: Any) -> tuple[str | int | None, str | None, Any]:
    """Read ``(code, message, details)`` from any of the server's JSON error shapes (the spec's error schemas)."""
    from eliza_sessions_api import wire  # on the error path only: it is not needed to build a client

    if not isinstance(body, Mapping):
        return None, None, None
    error = body.get(wire.SessionError.error)  # the same key in every envelope of the spec
    if isinstance(error, Mapping):
        # (1) sessions envelope {"error": {code, message, timestamp, details?, stack?}} and
        # (2) middleware envelope {"success": false, "error": {code: str | int, message}}.
        detail = wire.SessionErrorDetail
        return (
            _normalize_code(error.get(detail.code)),
            _text_or_none(error.get(detail.message)),
            error.get(detail.details),
        )
    top_message = _text_or_none(body.get(wire.AuthError.message))
    if isinstance(error, str) and error:
        # (3) the API-key 401 {"error": "API key required", "message": "..."} (and the JWT variants), and
        # (4) plain-string failures {"success": false, "error": "Failed to process message in HTTP transport"}.
        message = error if top_message is None or top_message == error else f"{error} ({top_message})"
        return None, message, body.get(wire.SessionErrorDetail.details)
    # (5) no envelope the spec describes (a proxy's or a newer server's JSON): the names the spec's envelopes use,
    # at the top level.
    return (
        _normalize_code(body.get(wire.SessionErrorDetail.code)),
        top_message,
        body.get(wire.SessionErrorDetail.details),
    )


def _message_from_text(text: str, status_code: int) -> str:
    # A short single-line text body (the old text/plain 401) is the message; HTML pages and long text
    # are kept in .body only.
    stripped = text.strip()
    if stripped and "\n" not in stripped and not stripped.startswith("<") and len(stripped) <= 200:
        return stripped
    return _reason_phrase(status_code)


def _status_class(status_code: int, code: str | int | None) -> type[APIStatusError]:
    if status_code == 400:
        return BadRequestError
    if status_code == 401:
        return AuthenticationError
    if status_code == 404:
        if code == "SESSION_NOT_FOUND":
            return SessionNotFoundError
        if code == "AGENT_NOT_FOUND":
            return AgentNotFoundError
        return NotFoundError
    if status_code == 410:
        return SessionExpiredError
    if status_code == 429:
        return RateLimitError
    if 500 <= status_code <= 599:
        return InternalServerError
    if 300 <= status_code <= 399:
        return RedirectError
    return APIStatusError


def error_from_response(
    status_code: int,
    headers: Mapping[str, str] | None,
    body: bytes | None,
    *,
    operation: str | None = None,
) -> APIStatusError:
    """Build the typed error for an error response, whatever shape its body has.

    Understands the sessions envelope, the middleware envelope (string, numeric or missing ``code``), the
    API-key 401, the plain-string ``error`` of a failed ``http`` send, the 429 with its rate-limit headers,
    and non-JSON or empty bodies (the ``text/plain`` 401 of older servers, proxy HTML pages). The class is
    chosen by status and code (see the module docstring).

    Raises: nothing. Any status and any bytes give an ``APIStatusError``; the function is total so that the
    error path can never itself blow up.
    """
    raw = body or b""
    parsed: Any = _UNSET
    if raw.strip():
        try:
            parsed = _sanitize_json(parse_json(raw))
        except (MalformedJSON, RecursionError):  # (RecursionError: too deep to sanitize)
            parsed = _UNSET

    code: str | int | None
    if parsed is _UNSET:
        text = _sanitize_text(raw) if raw else ""
        code, message, details = None, _message_from_text(text, status_code), None
        stored_body: Any = text or None
    else:
        code, message_or_none, details = _fields_from_json(parsed)
        message = message_or_none or _reason_phrase(status_code)
        stored_body = parsed

    cls = _status_class(status_code, code)
    kwargs: dict[str, Any] = {
        "status_code": status_code,
        "code": code,
        "body": stored_body,
        "headers": headers,
        "details": details,
        "operation": operation,
    }
    if cls is AuthenticationError:
        error = AuthenticationError(message, **kwargs)
        error.credential = _credential_of(parsed)
        return error
    if cls is RateLimitError:
        kwargs["retry_after"] = parse_retry_after(headers)
    elif cls is RedirectError:
        kwargs["location"] = _location(headers)
        message = f"redirected{' to ' + kwargs['location'] if kwargs['location'] else ''}; redirects are not followed"
    return cls(message, **kwargs)


#: The ``error`` texts of the 401 bodies, and the credential each refuses.
_CREDENTIAL_OF_401: Final[Mapping[str, Literal["api_key", "bearer_token"]]] = {
    "API key required": "api_key",
    "JWT token required for data isolation": "bearer_token",
    "Invalid JWT token": "bearer_token",
}


def _credential_of(body: Any) -> Literal["api_key", "bearer_token"] | None:
    from eliza_sessions_api import wire

    error = body.get(wire.AuthError.error) if isinstance(body, Mapping) else None
    return _CREDENTIAL_OF_401.get(error) if isinstance(error, str) else None


def _location(headers: Mapping[str, str] | None) -> str | None:
    value = None
    if isinstance(headers, Mapping):
        value = next((str(v) for k, v in headers.items() if str(k).lower() == "location"), None)
    return _redact_location(value) if value else None


def _redact_location(value: str) -> str | None:
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(value.strip())
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return None
    # No user-info and no query: both may carry credentials.
    return scrub(urlunsplit((parts.scheme, netloc, parts.path, "", "")))
