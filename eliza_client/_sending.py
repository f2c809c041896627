"""Sending a message exactly once, over a server that cannot recognise a repeated request.

The 1.7.2 server stores a message as soon as it accepts it and has no idempotency key, so a send whose answer is
lost (connection dropped after the request went out, read timeout, 5xx, an acknowledgement that cannot be read or
names another message) may or may not have been stored. Repeating it blindly can store it twice; giving up can lose
it. So every send carries a client message id in ``metadata["clientMessageId"]`` (one id for all attempts, and for
the caller's own retries when the caller chooses it), and nothing is sent again until the history says the message
is not there:

* **Evidence, not one look.** After an ambiguous failure the history is read, and read again, until either the
  message is found (success), or a read that *started after the settle time* still does not show it. The settle
  time is ``reconcile_window`` (35 s: the server's 30 s request timeout and a margin) after the failed attempt was
  sent when the request may still be held by the server (no answer came back, or a gateway answered 408/502/504),
  and a short ``RESETTLE`` after the first read when the server itself answered (its handler is done). Re-reads
  make a stale first read (a lagging replica) harmless. Only then is the message resent, within ``max_retries``.
  If the call's deadline comes first: ``DeliveryUnknownError`` with the id.
* **No clock agreement needed.** A read scans the newest messages, at most ``RECONCILE_SCAN_LIMIT``, and stops at
  messages older than the server's own time (its ``Date`` header) minus the time since the first attempt and a
  margin: both ends of that comparison are the server's clock.
* **The caller's retry is idempotent.** A ``client_message_id`` the caller passes is looked up before anything is
  sent: found with the same content, the stored message is the answer (no second copy); found with other content,
  ``IdempotencyConflictError``. That costs one history read (more only for sessions with hundreds of messages).
* **Acknowledgements are checked.** A 2xx whose message does not carry our id, or whose body cannot be read, is
  ambiguous and reconciled like a failure.
* **Every error says what is known.** An error raised after the request may have reached the server carries
  ``client_message_id`` and ``delivery`` (``"stored"``, ``"not_stored"``, ``"unknown"``); ``send_and_wait`` and
  ``stream`` raise ``ReplyLostError`` when the message is stored but its reply is lost.
"""

from __future__ import annotations

import email.utils
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from eliza_sessions_api.types import UNSET

from ._bodies import send_message_body
from ._constants import CLIENT_MESSAGE_ID_KEY, DEFAULT_RECONCILE_WINDOW, DEFAULT_REPLY_READ_TIMEOUT, SendTransport
from ._converter import structure
from ._deadline import Deadline
from ._errors import (
    AgentError,
    APIConnectionError,
    APIError,
    APIStatusError,
    ClientClosedError,
    DeliveryState,
    DeliveryUnknownError,
    ElizaError,
    IdempotencyConflictError,
    PaginationError,
    ReplyLostError,
    ResponseTooLargeError,
    ResponseValidationError,
    SessionGoneError,
    ValidationError,
)
from ._logs import get_logger
from ._message_stream import MessageStream
from ._models import AgentResponse, Message, Reply, SendResult, SessionStatus
from ._pagination import FetchPage, MessageIterator
from ._releases import REPLIES_IN_HISTORY, SendAnswer, read_send_answer, read_server_version
from ._replies import HistoryReplies
from ._retries import OperationSafety, backoff_delay
from ._transport import Answer, OpenStream, OutcomeUnknown, RequestOptions, Transport
from ._validation import validate_content, validate_metadata, validate_session_id

if TYPE_CHECKING:
    from eliza_sessions_api.models import SendMessageRequest

__all__ = ["DEFAULT_RECONCILE_WINDOW", "RECONCILE_SCAN_LIMIT", "Sender"]

logger = get_logger()
E = TypeVar("E", bound=ElizaError)

#: How many of the newest messages one history read searches for a client message id.
RECONCILE_SCAN_LIMIT: Final = 1000
#: When the server answered (its handler is done), a second read this long after the first confirms "not stored".
RESETTLE: Final = 0.5
#: Messages older than the server's time minus the time since the first attempt minus this are never ours
#: (covers the 1-second resolution of ``Date`` and a proxy's clock).
SERVER_TIME_MARGIN: Final = timedelta(seconds=60)
#: Consecutive failed history reads after which the outcome is reported unknown.
MAX_FAILED_READS: Final = 3
#: A status from a gateway that may still be waiting for the server: the request may be in flight.
_IN_FLIGHT_STATUSES: Final = frozenset({408, 502, 504})


#: The transport each public send method asks for: ``websocket`` answers at once, the others wait for the agent.
_TRANSPORT_OF: Final[Mapping[str, SendTransport]] = {
    "send_message": "websocket",
    "send_and_wait": "http",
    "stream": "sse",
}


def _tag(error: E, client_message_id: str, delivery: DeliveryState) -> E:
    """Attach what is known about the message to an error a send raises."""
    error.client_message_id = client_message_id
    error.delivery = delivery
    return error


def _may_be_in_flight(error: BaseException | None) -> bool:
    """Whether the failed attempt's request may still be held by the server (no handler answered it)."""
    if isinstance(error, APIStatusError):
        return error.status_code in _IN_FLIGHT_STATUSES
    return isinstance(error, APIConnectionError) and error.request_sent


@attrs.frozen
class _Stored:
    """The message was found stored; ``failure`` is why it had to be looked for (None: found before sending)."""

    message: Message
    failure: ElizaError | None


@attrs.frozen
class _Acknowledged:
    """A 2xx answer that names our message, taken apart (whichever release wrote it)."""

    answer: Answer
    parsed: SendAnswer


@attrs.define
class PreparedSend:
    """One public send call: what was asked (validated, with its body built), and what has been learnt so far."""

    operation: str  # the public method: send_message, send_and_wait or stream
    session_id: str
    body: SendMessageRequest  # with the field(s) the server's release reads for the transport asked (_releases)
    client_message_id: str
    content: str
    caller_id: bool  # the caller chose the id: it may already be in the history
    deadline: Deadline
    first_sent: float | None = None  # time.monotonic() of the first attempt


class Sender:
    """The three send methods of ``client.sessions``, sharing validation and exactly-once delivery."""

    def __init__(
        self,
        transport: Transport,
        options: RequestOptions,
        reply_options: RequestOptions,
        history: Callable[[str, str, Deadline | None, Callable[[Answer], None] | None], FetchPage],
        *,
        reconcile_window: float = DEFAULT_RECONCILE_WINDOW,
        reply_timeout: float = DEFAULT_REPLY_READ_TIMEOUT,
    ) -> None:
        self._transport = transport
        self._options = options
        self._reply_options = reply_options
        self._history = history
        self._window = reconcile_window
        self._replies = HistoryReplies(transport, reply_timeout, history)

    # --- the request ------------------------------------------------------------------------------------------

    def prepare(
        self,
        operation: str,
        session_id: str,
        content: str,
        attachments: Sequence[Mapping[str, Any]] | None,
        metadata: Mapping[str, Any] | None,
        client_message_id: str | None,
    ) -> PreparedSend:
        """Validate one public send call's arguments (``operation`` is its name) and build its request body.

        Raises: :class:`ValidationError` naming the argument.
        """
        transport = _TRANSPORT_OF[operation]
        session_id = validate_session_id(session_id)
        content = validate_content(content)
        if client_message_id is not None and (not isinstance(client_message_id, str) or not client_message_id):
            raise ValidationError(
                "client_message_id must be a non-empty string", field="client_message_id", rule="type"
            )
        # Validated before it is copied: a non-mapping must be a ValidationError, not coerced by dict().
        tagged = validate_metadata(metadata) if metadata is not None else {}
        existing = tagged.get(CLIENT_MESSAGE_ID_KEY)
        if existing is not None and client_message_id is not None and existing != client_message_id:
            raise ValidationError(
                f"metadata[{CLIENT_MESSAGE_ID_KEY!r}] and client_message_id disagree",
                field="metadata",
                rule="client_message_id",
            )
        if client_message_id is None and isinstance(existing, str) and existing:
            client_message_id = existing  # chosen by the caller through the metadata
        caller_id = client_message_id is not None
        cmid = client_message_id if client_message_id is not None else str(uuid.uuid4())
        tagged[CLIENT_MESSAGE_ID_KEY] = cmid
        # Size is checked with the id included: the server limits what it receives.
        transport_field, mode_field = self._transport.release.send_fields(transport)
        body = send_message_body(content, transport_field, mode_field, validate_metadata(tagged), attachments)
        # The websocket transport answers at once; http and sse wait for the agent (and get more time).
        options = self._options if transport == "websocket" else self._reply_options
        return PreparedSend(operation, session_id, body, cmid, content, caller_id, Deadline(options.timeout.total))

    # --- delivery ---------------------------------------------------------------------------------------------

    def _deliver(
        self, send: PreparedSend, options: RequestOptions, stream: bool
    ) -> _Acknowledged | OpenStream | _Stored:
        """Send until the server acknowledges our message, or return the stored message found in the history.

        Raises: the final error, tagged with the id and what is known of the message (``DeliveryUnknownError`` when
        nothing is), ``IdempotencyConflictError``.
        """
        from eliza_sessions_api.api.sessions import send_message

        if self._transport.closed:
            # Before anything: this call sends nothing (an earlier call with a caller's id may have stored it).
            raise _tag(ClientClosedError(), send.client_message_id, "unknown" if send.caller_id else "not_stored")
        if send.caller_id:
            try:
                found = self._find(send, settle=None)
            except IdempotencyConflictError:
                raise
            except ClientClosedError as err:
                _tag(err, send.client_message_id, "unknown")  # nothing sent by this call; an earlier one may have
                raise
            except ElizaError as err:
                # Nothing was sent by this call, but whether an earlier one stored the message could not be read.
                raise self._unknown(send, None, err) from err
            if found is not None:
                logger.info(
                    "%s: message %s is already stored; not sending it again", send.operation, send.client_message_id
                )
                return _Stored(found, None)
        attempts = 0
        submit = self._transport.open_stream if stream else self._transport.request
        session_id, body = send.session_id, send.body
        while True:
            sent_at = time.monotonic()
            if send.first_sent is None:
                send.first_sent = sent_at
            try:
                outcome = submit(
                    send.operation,
                    lambda raw: send_message.sync_raw(session_id, body=body, **raw),
                    options,
                    safety=OperationSafety.UNSAFE,
                    deadline=send.deadline,
                    attempts_before=attempts,
                    can_reconcile=True,
                )
            except OutcomeUnknown as unknown:
                attempts = unknown.attempt
                failure: ElizaError = unknown.error
                retry, delay = unknown.decision.retry, unknown.decision.delay
                sent_at = unknown.sent_at
            except ClientClosedError as err:
                # Closed under an attempt that may have reached the server: there is no client left to look.
                cause = err.__cause__
                maybe_stored = _may_be_in_flight(cause) or isinstance(cause, ResponseTooLargeError)
                delivery: DeliveryState = "unknown" if maybe_stored else "not_stored"
                _tag(err, send.client_message_id, delivery)
                raise
            except ElizaError as err:
                # Refused (4xx), or never sent: nothing was stored. (Raised as is: its __cause__ is the evidence.)
                _tag(err, send.client_message_id, "not_stored")
                raise
            else:
                if isinstance(outcome, OpenStream):
                    return outcome
                acknowledged = self._acknowledged(outcome, send)
                if acknowledged is not None:
                    return _Acknowledged(outcome, acknowledged)
                # A 2xx that is not ours, or cannot be read: ambiguous, but the server's handler is done.
                attempts = outcome.attempt
                failure = ResponseValidationError(
                    f"{send.operation}: the acknowledgement does not name this message",
                    status_code=outcome.status_code,
                    body=outcome.content,
                    operation=send.operation,
                )
                retry = attempts <= options.max_retries
                delay = backoff_delay(attempts - 1)
            settle = sent_at + self._window if _may_be_in_flight(failure) else None
            found = self._find(send, settle=settle, failure=failure)
            if found is not None:
                logger.info(
                    "%s: message %s was stored despite the failure; not resending",
                    send.operation,
                    send.client_message_id,
                )
                return _Stored(found, failure)
            if not retry:
                raise _tag(failure, send.client_message_id, "not_stored")
            remaining = send.deadline.remaining()
            if remaining is not None and delay >= remaining:
                raise _tag(failure, send.client_message_id, "not_stored")
            logger.info(
                "%s: attempt %d failed (%s); message %s not stored, resending in %.2f s",
                send.operation,
                attempts,
                getattr(failure, "message", failure),
                send.client_message_id,
                delay,
            )
            self._transport.sleep(delay)

    def _acknowledged(self, answer: Answer, send: PreparedSend) -> SendAnswer | None:
        """The answer taken apart if it acknowledges our message (the stored message carries our id), else None.

        An acknowledgement in any release's shape teaches the client the server's send dialect.
        """
        from eliza_sessions_api import wire

        try:
            parsed = read_send_answer(answer.json())
            metadata = parsed.message.get(wire.BusMessage.metadata) if parsed is not None else None
            ours = isinstance(metadata, dict) and metadata.get(CLIENT_MESSAGE_ID_KEY) == send.client_message_id
        except ResponseValidationError:
            return None
        if parsed is None or not ours:
            return None
        self._transport.release.learn(parsed.dialect, source="send answer")
        return parsed

    # --- reconciliation ---------------------------------------------------------------------------------------

    def _find(self, send: PreparedSend, *, settle: float | None, failure: ElizaError | None = None) -> Message | None:
        """Look for the message until there is evidence either way; return it if stored, None if not.

        ``failure`` is None for the look-up before the first attempt of a caller-chosen id (one read, no time
        bound). Otherwise reads repeat until the message is found or a read that started at or after ``settle``
        (never earlier than ``RESETTLE`` after the first read) misses it.

        Raises: ``DeliveryUnknownError`` (the deadline passed, or the history could not be read),
        ``IdempotencyConflictError``, ``SessionGoneError``, ``ClientClosedError`` (tagged unknown).
        """
        if failure is None:
            return self._read_once(send, bounded=False)
        first_read = time.monotonic()
        # Never fewer than two reads RESETTLE apart: one read may come from a lagging replica or cache, and a
        # settle time already past (a request that failed long after it was sent) would otherwise trust it.
        settle = first_read + RESETTLE if settle is None else max(settle, first_read + RESETTLE)
        reads = failed = 0
        last_error: ElizaError | None = None
        # Waits grow like the retry backoff (0.25, 0.5, 1, 2, 4, 4 … s); they are slept through the transport's
        # sleep, and "when the read started" is counted in the time actually waited, so the schedule is the same
        # whether sleeping is real or skipped (tests).
        waited = 0.0
        while True:
            started = first_read + waited
            try:
                found = self._read_once(send, bounded=True)
            except (SessionGoneError, IdempotencyConflictError, ClientClosedError) as err:
                # (Closed while looking: the message may be stored, and there is no client left to look with.)
                raise _tag(err, send.client_message_id, "unknown") from failure
            except (APIError, ResponseValidationError, PaginationError) as err:
                failed += 1
                last_error = err
                found = None
                if failed >= MAX_FAILED_READS:
                    raise self._unknown(send, failure, err) from err
            else:
                failed = 0
                reads += 1
                if found is not None:
                    return found
                if started >= settle:
                    return None  # a read that began after the settle time did not see it: not stored
            delay = min(4.0, 0.25 * 2 ** min(reads + failed - 1, 4))
            delay = max(delay, min(settle - started, 0.25)) if started < settle else delay
            remaining = send.deadline.remaining()
            if remaining is not None and delay >= remaining:
                raise self._unknown(send, failure, last_error) from (last_error or failure)
            self._transport.sleep(delay)
            waited += delay

    def _unknown(
        self, send: PreparedSend, failure: ElizaError | None, lookup_error: ElizaError | None
    ) -> DeliveryUnknownError:
        """Both reasons are kept: why the outcome was in doubt (``send_error``) and why the history could not settle
        it (``lookup_error``: a read failed; None when the deadline came first)."""
        error = DeliveryUnknownError(
            client_message_id=send.client_message_id, session_id=send.session_id, operation=send.operation
        )
        error.send_error = failure
        error.lookup_error = lookup_error
        return error

    def _read_once(self, send: PreparedSend, *, bounded: bool) -> Message | None:
        """One newest-first scan of the history for our id (raises what the reads raise)."""
        server_now: list[datetime] = []

        def note_date(answer: Answer) -> None:
            if not server_now:
                date = answer.headers.get("Date")
                try:
                    parsed = email.utils.parsedate_to_datetime(date) if date else None
                except (TypeError, ValueError, IndexError, OverflowError):
                    parsed = None
                if parsed is not None and parsed.tzinfo is not None:
                    server_now.append(parsed)

        history = MessageIterator(
            self._history(send.operation, send.session_id, send.deadline, note_date),
            page_size=100,
            oldest_first=False,
            before=None,
            after=None,
        )
        floor: datetime | None = None
        for scanned, message in enumerate(history):
            if floor is None and bounded and server_now and send.first_sent is not None:
                since_first = timedelta(seconds=time.monotonic() - send.first_sent)
                floor = server_now[0] - since_first - SERVER_TIME_MARGIN
            if message.client_message_id == send.client_message_id:
                if message.content != send.content:
                    raise IdempotencyConflictError(
                        stored_message=message,
                        client_message_id=send.client_message_id,
                        session_id=send.session_id,
                        operation=send.operation,
                    )
                return message
            if scanned + 1 >= RECONCILE_SCAN_LIMIT or (floor is not None and message.created_at < floor):
                break
        return None

    # --- the three send methods -------------------------------------------------------------------------------

    def _parts(self, acked: _Acknowledged, send: PreparedSend) -> tuple[Message, SessionStatus | None]:
        parsed = acked.parsed  # names our message (checked by _acknowledged)
        status = acked.answer.status_code
        try:
            message = structure(parsed.message, parsed.message_type, operation=send.operation, status_code=status)
            raw_status = parsed.session_status
            session_status = (
                None
                if raw_status is None
                else structure(raw_status, SessionStatus, operation=send.operation, status_code=status)
            )
        except ResponseValidationError as err:
            # It names our message, so it is stored; only its shape is off.
            raise _tag(err, send.client_message_id, "stored") from None
        return message, session_status

    def _reply_error(self, stored: _Stored, send: PreparedSend) -> APIError:
        """What ``send_and_wait``/``stream`` raise when the message is stored but its reply cannot be had."""
        failure = stored.failure
        if isinstance(failure, AgentError):  # a stream's error event, and the message turned out to be stored
            failure.sent_message = stored.message
            return _tag(failure, send.client_message_id, "stored")
        if isinstance(failure, APIStatusError) and failure.status_code >= 500 and not _may_be_in_flight(failure):
            # The server's own handler answered an error after storing the message: the agent failed.
            agent_error = AgentError(
                failure.message,
                operation=send.operation,
                client_message_id=send.client_message_id,
                session_id=send.session_id,
                sent_message=stored.message,
                status_code=failure.status_code,
            )
            # What `except InternalServerError` code read before this error had its own class.
            agent_error.code, agent_error.body = failure.code, failure.body
            agent_error.headers, agent_error.details = failure.headers, failure.details
            agent_error.__cause__ = failure
            return agent_error
        if isinstance(failure, APIStatusError) and not _may_be_in_flight(failure):
            # Any other answered error after the store: raised as it is, tagged stored.
            return _tag(failure, send.client_message_id, "stored")
        error = ReplyLostError(
            sent_message=stored.message,
            client_message_id=send.client_message_id,
            session_id=send.session_id,
            operation=send.operation,
        )
        error.__cause__ = failure
        return error

    def _reply_in_history(self, error: APIError, send: PreparedSend) -> bool:
        """Whether the reply to a message that is stored (its answer lost, or an error) can be read from the history:
        the release stores every reply. Not known yet (no answer was read): the version endpoint is asked, once."""
        if not isinstance(error, ReplyLostError | AgentError):
            return False
        dialect = self._transport.release.dialect
        if dialect is None:
            try:
                read_server_version(self._transport, self._options, operation=send.operation, deadline=send.deadline)
            except ElizaError as err:
                logger.info("%s: could not read the server's release (%s)", send.operation, err)
            dialect = self._transport.release.dialect
        if dialect == "1.6.5":
            # 1.6.5's handler never involves the agent: after the store, an error (even a 5xx) is not the agent's.
            return True
        return dialect in REPLIES_IN_HISTORY and isinstance(error, ReplyLostError)

    @staticmethod
    def _waited(parsed: SendAnswer, send: PreparedSend) -> bool:
        """Whether the release that wrote the answer read the field asking it to wait (or stream)."""
        if parsed.dialect == "1.6.5":
            return False  # reads no field
        if parsed.dialect == "1.7.0":
            return send.body.mode is not UNSET  # reads only mode
        return send.body.transport is not UNSET or send.body.mode is not UNSET

    def _stream_from_history(self, send: PreparedSend, message: Message) -> MessageStream:
        """The stream of a stored message whose reply the release puts in the history (see ``_replies``)."""
        return MessageStream.from_history(
            message,
            lambda: self._replies.wait(send, message),
            client_message_id=send.client_message_id,
            session_id=send.session_id,
        )

    def send(self, send: PreparedSend) -> SendResult:
        """``send_message``: deliver exactly once over the websocket transport."""
        outcome = self._deliver(send, self._options, stream=False)
        if isinstance(outcome, _Stored):
            return SendResult(message=outcome.message, session_status=None)
        assert isinstance(outcome, _Acknowledged)
        message, session_status = self._parts(outcome, send)
        return SendResult(message=message, session_status=session_status)

    def send_and_wait(self, send: PreparedSend) -> Reply:
        """``send_and_wait``: deliver exactly once over the http transport and return the agent's reply.

        A release that answers at once whatever is asked (1.6.5, or 1.7.0 sent a ``transport`` it does not read)
        stores the reply in the history instead: it is read from there, within the reply timeout.
        """
        outcome = self._deliver(send, self._reply_options, stream=False)
        if isinstance(outcome, _Stored):
            error = self._reply_error(outcome, send)
            if not self._reply_in_history(error, send):
                raise error
            # Stored, its answer lost; this release also stores the reply in the history: read it there.
            reply = self._replies.wait(send, outcome.message)
            return Reply(message=outcome.message, agent_response=reply, session_status=None)
        assert isinstance(outcome, _Acknowledged)
        message, session_status = self._parts(outcome, send)
        if not self._waited(outcome.parsed, send):
            reply = self._replies.wait(send, message)
            return Reply(message=message, agent_response=reply, session_status=session_status)
        raw_reply = outcome.parsed.agent_response
        try:
            agent_response = (
                None
                if raw_reply is None
                else structure(
                    raw_reply, AgentResponse, operation=send.operation, status_code=outcome.answer.status_code
                )
            )
        except ResponseValidationError as err:
            raise _tag(err, send.client_message_id, "stored") from None
        return Reply(message=message, agent_response=agent_response, session_status=session_status)

    def stream(self, send: PreparedSend) -> MessageStream:
        """``stream``: deliver exactly once over the sse transport and return the open event stream."""
        outcome = self._deliver(send, self._reply_options, stream=True)
        if isinstance(outcome, _Stored):
            error = self._reply_error(outcome, send)
            if not self._reply_in_history(error, send):
                raise error
            return self._stream_from_history(send, outcome.message)
        if not isinstance(outcome, OpenStream):
            # JSON where a stream was expected, naming our message: stored, but there is no reply to read.
            failure = ResponseValidationError(
                f"{send.operation}: the server did not answer with an event stream",
                status_code=outcome.answer.status_code,
                operation=send.operation,
            )
            message, _ = self._parts(outcome, send)
            if not self._waited(outcome.parsed, send):
                # The release answered at once (it cannot stream, or did not read the field): the reply is stored
                # in the history, and the stream is made of it.
                return self._stream_from_history(send, message)
            raise self._reply_error(_Stored(message, failure), send)

        # The server flushes the stream's headers before its handler stores the message: a stream that breaks
        # before the user_message event may still be followed by the store, as long as any held request.
        settle = time.monotonic() + self._window

        def resolve(failure: ElizaError, stored: Message | None) -> ElizaError:
            """The stream broke or ended without a reply: say whether the message is stored."""
            if stored is None:
                # An error event is the server's handler answering: no request is left in flight, so the short
                # re-read suffices; a broken stream may still be followed by the store, for as long as any request.
                settle_at = None if isinstance(failure, AgentError) else settle
                try:
                    stored = self._find(send, settle=settle_at, failure=failure)
                except DeliveryUnknownError as unknown:
                    return unknown
            if stored is None:
                return _tag(failure, send.client_message_id, "not_stored")
            return self._reply_error(_Stored(stored, failure), send)

        idle = self._reply_options.timeout.read
        return MessageStream(
            outcome,
            idle_timeout=idle,
            max_event_bytes=self._transport.limits.max_event_bytes,
            client_message_id=send.client_message_id,
            session_id=send.session_id,
            resolve=resolve,
        )
