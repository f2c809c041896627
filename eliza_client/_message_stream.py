"""MessageStream: the agent's reply to an ``sse`` send, as typed events, read as they arrive.

The body is read piece by piece as it arrives (``_transport.OpenStream``) and decoded incrementally
(``_streaming``), so each event reaches the caller as soon as its bytes do. The connection is released when the
stream ends (``done``/``error``), when the caller stops early and closes it (``with`` block or ``close()``), or
when it is garbage-collected.

Two clocks bound a stream, both enforced by the stream's socket guard (``_deadline``), so neither keep-alive
comments, partial lines nor single dripped bytes can hold it open: the **idle limit** (the client's
``reply_timeout``) between *events*, re-armed after each one, and the call's **total deadline**. Hitting either
raises ``APITimeoutError`` (phase ``"read"`` or ``"total"``) and closes the connection.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, Self

from eliza_sessions_api import wire

from ._converter import BusMessage, LegacyUserMessage, structure
from ._errors import (
    AgentError,
    APIConnectionError,
    ElizaError,
    ResponseTooLargeError,
    ResponseValidationError,
    StreamConsumedError,
)
from ._logs import scrub
from ._models import (
    AgentResponse,
    ChunkEvent,
    DoneEvent,
    ErrorEvent,
    Message,
    StreamEvent,
    UnknownEvent,
    UserMessageEvent,
)
from ._streaming import EventTooLarge, ServerSentEvent, iter_sse_events_from_chunks
from ._transport import OpenStream, decode_json

__all__ = ["MessageStream"]

_OPERATION = "stream"


class MessageStream:
    """An iterator of :data:`StreamEvent` (``UserMessageEvent``, ``ChunkEvent``…, then ``DoneEvent`` or
    ``ErrorEvent``; ``UnknownEvent`` for event types a newer server may add), and a context manager.

    ``message`` is the stored user message once its event has been read; ``agent_response`` the agent's complete
    reply once ``done`` has been read (as on :class:`Reply`; ``response`` is a deprecated alias); ``text`` the
    chunks received so far, joined. ``until_done()`` reads the rest and returns the reply. The events can be read
    once.

    Raises (while iterating): :class:`APIConnectionError` / :class:`APITimeoutError` if the connection breaks
    (resolved, like a send, to :class:`ReplyLostError` when the message is stored),
    :class:`ResponseValidationError` if an event's data is malformed, :class:`StreamConsumedError` when iterated
    again after it ended or was closed.
    """

    def __init__(
        self,
        stream: OpenStream | None,
        *,
        idle_timeout: float | None,
        max_event_bytes: int,
        client_message_id: str | None = None,
        session_id: str | None = None,
        resolve: Callable[[ElizaError, Message | None], ElizaError] | None = None,
    ) -> None:
        self._stream = stream
        self.client_message_id = client_message_id
        self._session_id = session_id
        self._resolve = resolve
        self._idle = idle_timeout
        self._max_event = max_event_bytes
        self._events = self._read()
        self._iterating = False
        self._finished = False
        self.message: Message | None = None
        self.agent_response: AgentResponse | None = None
        self.error: str | None = None
        self._chunks: list[str] = []

    @classmethod
    def from_history(
        cls,
        message: Message,
        wait_for_reply: Callable[[], AgentResponse],
        *,
        client_message_id: str,
        session_id: str,
    ) -> MessageStream:
        """A stream for a release that answers a send at once and stores the reply in the history (1.6.5): the
        stored message's event at once, then, when asked for, ``done`` with the reply once it is stored (no
        chunks). ``wait_for_reply`` raises what waiting raises (``ReplyLostError`` when no reply comes)."""
        stream = cls(
            None, idle_timeout=None, max_event_bytes=0, client_message_id=client_message_id, session_id=session_id
        )

        def events() -> Iterator[StreamEvent]:
            try:
                stream.message = message
                yield UserMessageEvent(message=message)
                stream.agent_response = wait_for_reply()
                yield DoneEvent(agent_response=stream.agent_response)
            finally:
                stream._finished = True

        stream._events = events()
        return stream

    @property
    def text(self) -> str:
        """The reply's text received so far (all chunks, or the final text once ``done`` arrived)."""
        if self.agent_response is not None and self.agent_response.text is not None:
            return self.agent_response.text
        return "".join(self._chunks)

    @property
    def response(self) -> AgentResponse | None:
        """Deprecated alias of ``agent_response``."""
        import warnings

        warnings.warn("MessageStream.response is deprecated; use .agent_response", DeprecationWarning, stacklevel=2)
        return self.agent_response

    def _arm(self) -> None:
        """Start the idle clock now (never past the call's deadline)."""
        assert self._stream is not None
        total = self._stream.deadline.expires
        idle = None if self._idle is None else time.monotonic() + self._idle
        if idle is not None and (total is None or idle < total):
            self._stream.rearm(idle, "read")
        else:
            self._stream.rearm(total, "total")

    def _pause(self) -> None:
        """Stop the idle clock; only the call's deadline (if any) still applies."""
        assert self._stream is not None
        self._stream.rearm(self._stream.deadline.expires, "total")

    def _read(self) -> Iterator[StreamEvent]:
        try:
            yield from self._events_until_the_end()
        except ElizaError as failure:
            # The reply is lost; whether the message is stored decides what the caller may do (resend or not).
            if self._resolve is None:
                raise
            stored = self.message if self.message is not None and self._is_ours(self.message) else None
            outcome = self._resolve(failure, stored)
            if outcome is failure:
                raise
            raise outcome from failure
        finally:
            self.close()

    def _is_ours(self, message: Message) -> bool:
        return self.client_message_id is None or message.client_message_id == self.client_message_id

    def _events_until_the_end(self) -> Iterator[StreamEvent]:
        assert self._stream is not None
        try:
            self._arm()
            for sse in iter_sse_events_from_chunks(self._stream.chunks(), max_event=self._max_event):
                event = self._convert(sse)
                # The idle limit is the server's silence while the caller waits: it stops while the caller handles
                # the event (what arrives meanwhile waits in the socket), and starts again when the next is asked
                # for. The call's total deadline keeps running throughout.
                self._pause()
                yield event
                if isinstance(event, DoneEvent | ErrorEvent):
                    return
                self._arm()
        except EventTooLarge as err:
            self._stream.close(discard=True)
            raise ResponseTooLargeError(
                f"stream: {err}", status_code=self._stream.status_code, limit=err.limit, operation=_OPERATION
            ) from None
        if self.message is None:
            # Not even the stored user message: the answer is not the stream it claims to be.
            raise APIConnectionError(
                "stream: the stream ended without any event", request_sent=True, operation=_OPERATION
            )
        # After the user message, a clean end without ``done`` is the agent choosing not to answer: iteration ends
        # normally. ``until_done`` must return a reply, so it raises ``AgentError`` (``send_and_wait`` returns a
        # ``Reply`` whose ``agent_response`` is None in the same case).

    def _data(self, sse: ServerSentEvent) -> Any:
        assert self._stream is not None
        return decode_json(sse.data, operation=_OPERATION, status_code=self._stream.status_code, field=sse.event)

    def _convert(self, sse: ServerSentEvent) -> StreamEvent:
        assert self._stream is not None
        status = self._stream.status_code
        if sse.event == "user_message":
            data = self._data(sse)
            # 1.7.0 sends the camelCase message of its send answers; 1.7.2 the snake_case bus message.
            legacy = (
                isinstance(data, dict)
                and wire.LegacyUserMessage.created_at in data
                and wire.BusMessage.created_at not in data
            )
            message_type = LegacyUserMessage if legacy else BusMessage
            self.message = structure(data, message_type, operation=_OPERATION, status_code=status)
            return UserMessageEvent(message=self.message)
        if sse.event == "chunk":
            data = self._data(sse)
            text = data.get(wire.SseChunk.chunk) if isinstance(data, dict) else None
            if not isinstance(text, str):
                raise ResponseValidationError(
                    "stream: a chunk event has no text",
                    status_code=status,
                    field=wire.SseChunk.chunk,
                    operation=_OPERATION,
                )
            index = data.get(wire.SseChunk.index)
            message_id = data.get(wire.SseChunk.message_id)
            self._chunks.append(text)
            return ChunkEvent(
                text=text,
                index=index if isinstance(index, int) and not isinstance(index, bool) else len(self._chunks) - 1,
                message_id=message_id if isinstance(message_id, str) else None,
            )
        if sse.event == "done":
            self.agent_response = structure(self._data(sse), AgentResponse, operation=_OPERATION, status_code=status)
            return DoneEvent(agent_response=self.agent_response)
        if sse.event == "error":
            data = self._data(sse)
            error = data.get(wire.SseError.error) if isinstance(data, dict) else None
            # Scrubbed: the server's text may echo a key, and it ends up in logs and error messages.
            self.error = scrub(error if isinstance(error, str) else json.dumps(data))
            return ErrorEvent(error=self.error)
        return UnknownEvent(event=scrub(sse.event), data=scrub(sse.data))

    def __iter__(self) -> Iterator[StreamEvent]:
        if self._finished and not self._iterating:
            raise StreamConsumedError()
        self._iterating = True
        return self

    def __next__(self) -> StreamEvent:
        if self._finished:
            # Closed (or ended): never resume the reader, whose response has been released.
            raise StopIteration
        try:
            return next(self._events)
        except StopIteration:
            self._finished = True
            raise

    def until_done(self) -> AgentResponse:
        """Read the remaining events and return the agent's reply.

        Raises:
            AgentError: the stream ended with an ``error`` event (its text is the ``reason``) or without a ``done``
                event (an agent that chose not to answer; ``send_and_wait`` returns ``agent_response=None`` then)
                — the same error ``send_and_wait`` raises when the agent fails. ``delivery`` is ``"stored"``, or,
                when the error came before the stored message's event, what the history says (``"not_stored"``);
                :class:`DeliveryUnknownError` when that cannot be told.
        """
        for _ in self:
            pass
        if self.agent_response is None:
            error = AgentError(
                self.error or "the stream ended without a done event",
                operation=_OPERATION,
                client_message_id=self.client_message_id,
                session_id=self._session_id,
                sent_message=self.message,
                status_code=self._stream.status_code if self._stream is not None else None,
            )
            if self.message is None:
                # An error event before the user_message event: the server may have failed before storing it.
                # Say what the history says rather than "stored".
                if self._resolve is None:
                    error.delivery = "unknown"
                    raise error
                raise self._resolve(error, None)
            raise error
        return self.agent_response

    def close(self) -> None:
        """Release the connection; later iteration ends at once. Safe to call more than once."""
        self._finished = True
        if self._stream is not None:
            self._stream.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __del__(self) -> None:
        # A stream dropped without close() must not keep a pooled connection busy.
        stream = self.__dict__.get("_stream")
        if stream is not None:
            stream.close()
