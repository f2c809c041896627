"""``client.sessions``: every operation of the Sessions API, with the server's oddities smoothed away.

Each method validates its arguments first (mirroring the server's rules, so a mistake costs no request and
names the field), builds the request body with the generated models (``_bodies``), calls one generated endpoint
through the transport — as a typed ``lambda raw: endpoint.sync_raw(..., **raw)``, so mypy checks every argument
against the generated signature — and structures the decoded reply with the one converter. Sending lives in
``_sending.py`` (exactly-once delivery), history walking in ``_pagination.py``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from ._bodies import create_session_body, update_timeout_body
from ._constants import (
    DEFAULT_REPLY_READ_TIMEOUT,
    PAGE_LIMIT_DEFAULT,
    PAGE_LIMIT_MAX,
    QUERY_MAX_MS,
    QUERY_MIN_MS,
    TIMEOUT_MINUTES_MAX,
    TIMEOUT_MINUTES_MIN,
)
from ._converter import CreatedSession, structure
from ._cursors import CursorWindow, UncarriableIdError, decode_cursor, encode_cursor
from ._deadline import Deadline
from ._errors import ResponseValidationError, SessionGoneError, ValidationError
from ._logs import get_logger
from ._message_stream import MessageStream
from ._models import (
    Health,
    Message,
    MessagePage,
    Reply,
    SendResult,
    Session,
    SessionList,
    SessionTimeoutConfig,
    SessionTimeoutSettings,
)
from ._pagination import FetchPage, MessageIterator, window_page
from ._retries import OperationSafety
from ._sending import DEFAULT_RECONCILE_WINDOW, Sender
from ._timestamps import to_epoch_ms
from ._transport import Answer, RawCall, RequestOptions, Transport
from ._types import Timeout
from ._validation import (
    validate_limit,
    validate_metadata,
    validate_session_id,
    validate_timeout_config,
    validate_uuid,
)

__all__ = ["SessionsResource"]

# The generated endpoint modules are imported inside the methods that use them: importing the generated package
# loads all of its models, which would add much of the cost of `import requests` to `import eliza_client`.
# After the first call each of these imports is a dictionary lookup.

T = TypeVar("T")
logger = get_logger()
_TIMEOUT_FIELDS = ("timeout_minutes", "auto_renew", "max_duration_minutes", "warning_threshold_minutes")


def _timeout_settings(
    settings: SessionTimeoutSettings | SessionTimeoutConfig | Mapping[str, Any] | None,
) -> dict[str, Any]:
    if settings is None:
        return {}
    if isinstance(settings, SessionTimeoutSettings | SessionTimeoutConfig):
        return {name: getattr(settings, name) for name in _TIMEOUT_FIELDS}
    if isinstance(settings, Mapping):
        unknown = set(settings) - set(_TIMEOUT_FIELDS)
        if unknown:
            raise ValidationError(
                f"unknown timeout setting(s): {', '.join(sorted(map(str, unknown)))}",
                field="timeout_config",
                rule="keys",
            )
        return dict(settings)
    raise ValidationError(
        f"timeout_config must be a SessionTimeoutSettings or a mapping, got {type(settings).__name__}",
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


def _uncarriable(message_id: str, page: tuple[Message, ...]) -> ResponseValidationError:
    # The id is named by its place in the page when it is there (a page's edge may also reach into the messages
    # read ahead, which the caller never sees).
    index = next((i for i, message in enumerate(page) if message.id == message_id), None)
    return ResponseValidationError(
        f"the history gave a message the id {message_id!r}, not a UUID in the form every elizaOS release writes "
        "(lowercase 8-4-4-4-12 hexadecimal, as the spec's Message.id): a cursor cannot carry it exactly. "
        "iter_messages() and messages(before=..., after=...) read such a history without cursors",
        status_code=200,
        field="id" if index is None else f"messages[{index}].id",
        operation="messages",
    )


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
            transport,
            self._options,
            self._reply_options,
            self._history_fetcher,
            reconcile_window=reconcile_window,
            reply_timeout=read,
        )

    # --- plumbing -------------------------------------------------------------------------------------------

    def _call(
        self,
        operation: str,
        call: RawCall,
        cls: type[T],
        *,
        safety: OperationSafety = OperationSafety.IDEMPOTENT,
        deadline: Deadline | None = None,
        on_answer: Callable[[Answer], None] | None = None,
    ) -> T:
        answer = self._transport.request(operation, call, self._options, safety=safety, deadline=deadline)
        if on_answer is not None:
            on_answer(answer)
        return structure(answer.json(), cls, operation=operation, status_code=answer.status_code)

    def _history_fetcher(
        self,
        operation: str,
        session_id: str,
        deadline: Deadline | None = None,
        on_answer: Callable[[Answer], None] | None = None,
    ) -> FetchPage:
        """Pages of one session's history for the public method ``operation``; with ``deadline``, every page is
        bounded by that call's deadline; ``on_answer`` sees each page's answer (its headers) before it is parsed."""
        from eliza_sessions_api.api.sessions import list_messages
        from eliza_sessions_api.types import UNSET

        def fetch(limit: int, before: int | None, after: int | None) -> MessagePage:
            return self._call(
                operation,
                lambda raw: list_messages.sync_raw(
                    session_id,
                    limit=limit,
                    before=UNSET if before is None else before,
                    after=UNSET if after is None else after,
                    **raw,
                ),
                MessagePage,
                deadline=deadline,
                on_answer=on_answer,
            )

        return fetch

    # --- lifecycle ------------------------------------------------------------------------------------------

    def health(self) -> Health:
        """The sessions subsystem's health (active sessions, uptime, …)."""
        from eliza_sessions_api.api.sessions import get_sessions_health

        return self._call("health", lambda raw: get_sessions_health.sync_raw(**raw), Health)

    def create(
        self,
        agent_id: str,
        user_id: str,
        *,
        metadata: Mapping[str, Any] | None = None,
        timeout_config: SessionTimeoutSettings | SessionTimeoutConfig | Mapping[str, Any] | None = None,
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

        agent_id = validate_uuid(agent_id, field="agent_id")
        user_id = validate_uuid(user_id, field="user_id")
        settings = validate_timeout_config(**_timeout_settings(timeout_config), **self._timeout_bounds)
        body = create_session_body(
            agent_id, user_id, None if metadata is None else validate_metadata(metadata), settings
        )
        return self._call(
            "create",
            lambda raw: create_session.sync_raw(body=body, **raw),
            CreatedSession,
            safety=OperationSafety.UNSAFE,
        )

    def get(self, session_id: str) -> Session:
        """The session's current state. Not counted as activity (does not renew it).

        Raises:
            SessionExpiredError / SessionNotFoundError: the session is gone (both are ``SessionGoneError``).
        """
        from eliza_sessions_api.api.sessions import get_session

        session_id = validate_session_id(session_id)
        return self._call("get", lambda raw: get_session.sync_raw(session_id, **raw), Session)

    def list(self) -> SessionList:
        """Every active session on the server, of every user (the server offers no filter or pagination)."""
        from eliza_sessions_api.api.sessions import list_sessions

        return self._call("list", lambda raw: list_sessions.sync_raw(**raw), SessionList)

    def delete(self, session_id: str) -> None:
        """End the session (its messages stay on the server).

        Raises:
            SessionNotFoundError: there is no such session (also when it was already deleted).
        """
        from eliza_sessions_api.api.sessions import delete_session

        session_id = validate_session_id(session_id)
        self._transport.request("delete", lambda raw: delete_session.sync_raw(session_id, **raw), self._options)

    def renew(self, session_id: str) -> Session:
        """Extend the session's lifetime now (works even when auto-renew is off).

        Raises:
            SessionExpiredError / SessionNotFoundError: the session is gone.
            BadRequestError: code ``SESSION_RENEWAL_FAILED`` if the maximum duration was reached.
        """
        from eliza_sessions_api.api.sessions import renew_session

        session_id = validate_session_id(session_id)
        return self._call("renew", lambda raw: renew_session.sync_raw(session_id, **raw), Session)

    def heartbeat(self, session_id: str) -> Session:
        """Mark the session active. With auto-renew on this renews it; with auto-renew off it only moves
        ``last_activity`` (use ``renew`` to extend it).

        Raises:
            SessionExpiredError / SessionNotFoundError: the session is gone.
        """
        from eliza_sessions_api.api.sessions import send_heartbeat

        session_id = validate_session_id(session_id)
        return self._call("heartbeat", lambda raw: send_heartbeat.sync_raw(session_id, **raw), Session)

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

        operation = "update_timeout"
        session_id = validate_session_id(session_id)
        changes = validate_timeout_config(
            timeout_minutes=timeout_minutes,
            auto_renew=auto_renew,
            max_duration_minutes=max_duration_minutes,
            warning_threshold_minutes=warning_threshold_minutes,
            **self._timeout_bounds,
        )
        if changes is None:
            raise ValidationError("pass at least one timeout setting to change", field="timeout_config", rule="empty")
        # One call, one deadline: the read and the write share it.
        deadline = Deadline(self._options.timeout.total)
        current = self._call(
            operation, lambda raw: get_session.sync_raw(session_id, **raw), Session, deadline=deadline
        ).timeout_config
        # Only the caller's values are checked: the session's current ones are the server's own (and may lie
        # outside this client's bounds on a server configured with other limits).
        merged = SessionTimeoutConfig(
            **{
                name: getattr(current, name) if getattr(changes, name) is None else getattr(changes, name)
                for name in _TIMEOUT_FIELDS
            }
        )
        if merged.max_duration_minutes < merged.timeout_minutes:
            # The server would raise the max duration to the timeout: a change the caller did not ask for.
            raise ValidationError(
                f"timeout_minutes {merged.timeout_minutes:g} exceeds the session's max_duration_minutes "
                f"{merged.max_duration_minutes:g}; pass a max_duration_minutes as well",
                field="max_duration_minutes" if max_duration_minutes is not None else "timeout_minutes",
                rule="order",
            )
        body = update_timeout_body(merged)
        return self._call(
            operation,
            lambda raw: update_session_timeout.sync_raw(session_id, body=body, **raw),
            Session,
            deadline=deadline,
        )

    @contextlib.contextmanager
    def open(
        self,
        agent_id: str,
        user_id: str,
        *,
        metadata: Mapping[str, Any] | None = None,
        timeout_config: SessionTimeoutSettings | SessionTimeoutConfig | Mapping[str, Any] | None = None,
    ) -> Iterator[Session]:
        """Create a session for a ``with`` block and delete it when the block ends (even on an exception).

        A session that is already gone when the block ends (expired, or deleted inside the block) is fine. When the
        block raises, that exception is what propagates: a failing delete is logged (WARNING) and added to it as a
        note, never raised in its place.

        Raises: what ``create`` raises; after a block that ended normally, what ``delete`` raises.
        """
        session = self.create(agent_id, user_id, metadata=metadata, timeout_config=timeout_config)
        try:
            yield session
        except BaseException as failure:
            # The block's exception is what the caller needs: a failing cleanup is logged and attached, never raised
            # in its place.
            try:
                self._end(session.id)
            except Exception as cleanup:
                logger.warning("sessions.open: deleting session %s failed: %s", session.id, cleanup)
                failure.add_note(f"(while handling it, deleting session {session.id} failed too: {cleanup})")
            raise
        else:
            self._end(session.id)

    def _end(self, session_id: str) -> None:
        with contextlib.suppress(SessionGoneError):
            self.delete(session_id)

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
        sender = self._sender
        return sender.send(
            sender.prepare("send_message", session_id, content, attachments, metadata, client_message_id)
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

        Raises: what ``send_message`` raises, plus :class:`ReplyLostError` (the reply was lost with the
        connection) and :class:`AgentError` (the agent failed; the message is stored) — do not resend after
        either.
        """
        sender = self._sender
        return sender.send_and_wait(
            sender.prepare("send_and_wait", session_id, content, attachments, metadata, client_message_id)
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

        Raises: what ``send_and_wait`` raises (before the stream starts); while iterating, what a broken
        connection resolves to (:class:`ReplyLostError` when the message is stored, the connection error when it
        is not, :class:`DeliveryUnknownError` when that cannot be told); ``until_done()`` raises
        :class:`AgentError` when the agent failed, as ``send_and_wait`` does.
        """
        sender = self._sender
        return sender.stream(sender.prepare("stream", session_id, content, attachments, metadata, client_message_id))

    # --- history ----------------------------------------------------------------------------------------------

    def messages(
        self,
        session_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        before: datetime | str | int | None = None,
        after: datetime | str | int | None = None,
    ) -> MessagePage:
        """One page of history, newest first, that a later call (in any process, after any delay) continues.

        ``limit`` is 1–100 (default 50). Without ``cursor``, the newest messages; with a page's ``next_cursor``,
        the next older ones; with its ``newer_cursor``, those newer than that page's newest message (for
        polling: at most ``limit``, newest first; when more came, that page's ``next_cursor`` walks down to the
        point polled from, and its ``newer_cursor`` is the next point to poll from). Exact: no message is skipped
        or repeated across pages, also when many share a millisecond, and the page's ``next_cursor`` is None
        exactly when nothing older is left (one message more than the page is read to know it).

        ``before``/``after`` instead ask the server for one raw page (exclusive bounds: an aware ``datetime``, an
        ISO-8601 string with a zone, or epoch milliseconds): its answer as is, tie-blind at the page boundary
        (messages sharing the boundary millisecond are skipped by a walk that follows its cursors), with no
        cursors of ours; they cannot be combined with ``cursor``.

        Raises:
            ValidationError: ``limit`` out of range (rejected, not clamped); a ``cursor`` that is not one this
                client issued for this session (damaged, edited, cut, from another session, another version),
                or combined with ``before``/``after``; a naive datetime or zone-less string, a value outside
                the years 1-9999.
            PaginationError: 100 or more messages share one millisecond at the page's edge (unreachable for the
                server's cursors), or a page broke the server's contract (see ``iter_messages``).
            ResponseValidationError: a message at the page's edge has an id that is not a lowercase UUID (every
                release writes UUIDs; a cursor carries them as 16 bytes). ``iter_messages`` reads such a history.
            SessionExpiredError / SessionNotFoundError: the session is gone.
        """
        session_id = validate_session_id(session_id)
        page_limit = PAGE_LIMIT_DEFAULT if limit is None else validate_limit(limit)
        fetch = self._history_fetcher("messages", session_id)
        if before is not None or after is not None:
            if cursor is not None:
                raise ValidationError(
                    "cursor cannot be combined with before/after (raw server bounds)", field="cursor", rule="exclusive"
                )
            return fetch(page_limit, _cursor(before, "before"), _cursor(after, "after"))
        window = CursorWindow() if cursor is None else decode_cursor(cursor, session_id)
        answers: list[MessagePage] = []

        def recorded(limit: int, before: int | None, after: int | None) -> MessagePage:
            answers.append(fetch(limit, before, after))
            return answers[-1]

        page, older, newer = window_page(recorded, window, page_limit)
        try:
            next_cursor = None if older is None else encode_cursor(older, session_id)
            newer_cursor = encode_cursor(newer, session_id)
        except UncarriableIdError as err:
            raise _uncarriable(err.message_id, page) from None
        return MessagePage(
            extra=answers[0].extra,
            messages=page,
            has_more=older is not None,
            before=page[-1].created_at if page else None,
            after=page[0].created_at if page else None,
            next_cursor=next_cursor,
            newer_cursor=newer_cursor,
        )

    def iter_pages(
        self, session_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Iterator[MessagePage]:
        """``messages`` page after page, older each time, from ``cursor`` (default: the newest) to the oldest.

        Lazy: each page is requested when the previous one has been taken. The first page is yielded even when
        empty; the walk ends with the page whose ``next_cursor`` is None. Raises what ``messages`` raises
        (``limit`` and ``cursor`` are checked at once, before any request).
        """
        session_id = validate_session_id(session_id)
        page_limit = PAGE_LIMIT_DEFAULT if limit is None else validate_limit(limit)
        if cursor is not None:
            decode_cursor(cursor, session_id)

        def pages() -> Iterator[MessagePage]:
            token = cursor
            while True:
                page = self.messages(session_id, limit=page_limit, cursor=token)
                yield page
                if page.next_cursor is None:
                    return
                token = page.next_cursor

        return pages()

    def iter_messages(
        self,
        session_id: str,
        *,
        oldest_first: bool = False,
        cursor: str | None = None,
        before: datetime | str | int | None = None,
        after: datetime | str | int | None = None,
        page_size: int = PAGE_LIMIT_MAX,
    ) -> MessageIterator:
        """Every message of the session (optionally only those between ``after`` and ``before``), lazily.

        Newest first by default; ``oldest_first=True`` for chronological order, the exact reverse (it reads the
        history twice, see the README). ``cursor`` (a page's ``next_cursor`` or ``newer_cursor``) continues
        from there, newest first; it cannot be combined with ``before``/``after`` or ``oldest_first`` (an
        oldest-first walk cannot be resumed cheaply: the server pages forwards only within its newest
        min(1000, 20 × limit) messages, so each resumed oldest-first page would re-read the history from the
        newest message down). Messages sharing a millisecond come in the server's order, which the server
        does not define (no tie-breaker). Complete and exact: no message is skipped or repeated at page
        boundaries, even when several share one millisecond. Memory stays constant; requests are made as you
        iterate (``itertools.islice`` works).

        Raises (while iterating): what ``messages`` raises, and :class:`PaginationError` when more messages share
        one millisecond than the server's cursors can reach (100 or more), or when a page breaks the server's
        contract (too long, not newest first, outside the bounds asked for, an id twice): nothing of such a page
        is yielded, so no message is dropped without an error.
        """
        session_id = validate_session_id(session_id)
        size = validate_limit(page_size, field="page_size")
        if not isinstance(oldest_first, bool):
            raise ValidationError("oldest_first must be a bool", field="oldest_first", rule="type")
        fetch = self._history_fetcher("iter_messages", session_id)
        if cursor is not None:
            if before is not None or after is not None or oldest_first:
                raise ValidationError(
                    "cursor cannot be combined with before/after or oldest_first (a cursor walk is newest first)",
                    field="cursor",
                    rule="exclusive",
                )
            return MessageIterator.from_window(fetch, page_size=size, window=decode_cursor(cursor, session_id))
        return MessageIterator(
            fetch,
            page_size=size,
            oldest_first=oldest_first,
            before=_cursor(before, "before"),
            after=_cursor(after, "after"),
        )
