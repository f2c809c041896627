"""MessageStream: the agent's reply to an ``sse`` send, as typed events, read as they arrive.

The response is read with ``stream=True`` and decoded incrementally (``_streaming``), so each event reaches the
caller as soon as its bytes do. The connection is released when the stream ends (``done``/``error``), when the
caller stops early and closes it (``with`` block or ``close()``), or when it is garbage-collected.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Self

import requests

from ._converter import BusMessage, structure
from ._errors import APIConnectionError, ResponseValidationError, StreamConsumedError
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
from ._streaming import ServerSentEvent, iter_sse_events_from_chunks
from ._transport import connection_error

__all__ = ["MessageStream"]

_OPERATION = "stream"


class MessageStream:
    """An iterator of :data:`StreamEvent` (``UserMessageEvent``, ``ChunkEvent``…, then ``DoneEvent`` or
    ``ErrorEvent``; ``UnknownEvent`` for event types a newer server may add), and a context manager.

    ``message`` is the stored user message once its event has been read; ``response`` the agent's complete
    reply once ``done`` has been read; ``text`` the chunks received so far, joined. ``until_done()`` reads the
    rest and returns the reply. The events can be read once.

    Raises (while iterating): :class:`APIConnectionError` / :class:`APITimeoutError` if the connection breaks,
    :class:`ResponseValidationError` if an event's data is malformed, :class:`StreamConsumedError` when iterated
    again after it ended or was closed.
    """

    def __init__(self, response: requests.Response) -> None:
        self._response = response
        self._events = self._read()
        self._iterating = False
        self._finished = False
        self.message: Message | None = None
        self.response: AgentResponse | None = None
        self.error: str | None = None
        self._chunks: list[str] = []

    @property
    def text(self) -> str:
        """The reply's text received so far (all chunks, or the final text once ``done`` arrived)."""
        if self.response is not None and self.response.text is not None:
            return self.response.text
        return "".join(self._chunks)

    def _read(self) -> Iterator[StreamEvent]:
        try:
            for sse in iter_sse_events_from_chunks(self._response.iter_content(chunk_size=None)):
                event = self._convert(sse)
                yield event
                if isinstance(event, DoneEvent | ErrorEvent):
                    return
        except requests.RequestException as exc:
            raise connection_error(exc, _OPERATION, deadline_passed=False) from exc
        finally:
            self.close()

    def _data(self, sse: ServerSentEvent) -> Any:
        try:
            return json.loads(sse.data)
        except ValueError as err:
            raise ResponseValidationError(
                f"stream: the {sse.event!r} event's data is not JSON",
                status_code=self._response.status_code,
                field=sse.event,
                body=sse.data[:500],
                operation=_OPERATION,
            ) from err

    def _convert(self, sse: ServerSentEvent) -> StreamEvent:
        status = self._response.status_code
        if sse.event == "user_message":
            self.message = structure(self._data(sse), BusMessage, operation=_OPERATION, status_code=status)
            return UserMessageEvent(message=self.message)
        if sse.event == "chunk":
            data = self._data(sse)
            if not isinstance(data, dict) or not isinstance(data.get("chunk"), str):
                raise ResponseValidationError(
                    "stream: a chunk event has no text", status_code=status, field="chunk", operation=_OPERATION
                )
            index = data.get("index")
            message_id = data.get("messageId")
            self._chunks.append(data["chunk"])
            return ChunkEvent(
                text=data["chunk"],
                index=index if isinstance(index, int) and not isinstance(index, bool) else len(self._chunks) - 1,
                message_id=message_id if isinstance(message_id, str) else None,
            )
        if sse.event == "done":
            self.response = structure(self._data(sse), AgentResponse, operation=_OPERATION, status_code=status)
            return DoneEvent(response=self.response)
        if sse.event == "error":
            data = self._data(sse)
            error = data.get("error") if isinstance(data, dict) else None
            self.error = error if isinstance(error, str) else json.dumps(data)
            return ErrorEvent(error=self.error)
        return UnknownEvent(event=sse.event, data=sse.data)

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
            APIConnectionError: the stream ended with an ``error`` event (its text is the message) or without
                a ``done`` event.
        """
        for _ in self:
            pass
        if self.response is None:
            reason = self.error or "the stream ended without a done event"
            raise APIConnectionError(f"stream: {reason}", request_sent=True, operation=_OPERATION)
        return self.response

    def close(self) -> None:
        """Release the connection; later iteration ends at once. Safe to call more than once."""
        self._finished = True
        self._response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __del__(self) -> None:
        # A stream dropped without close() must not keep a pooled connection busy.
        response = self.__dict__.get("_response")
        if response is not None:
            response.close()
