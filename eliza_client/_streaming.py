"""A server-sent events decoder (WHATWG HTML "event stream interpretation"), fed from raw byte chunks.

Why a line splitter of our own: ``requests.Response.iter_lines`` splits each chunk with ``str.splitlines``
and so, when a ``\\r\\n`` straddles two chunks, reports an extra empty line - which in SSE means "dispatch
the event now" (psf/requests#3980). It also splits on characters SSE does not treat as line ends (``\\x0b``,
``\\x1c``, ...). :func:`iter_lines_from_chunks` splits on exactly CRLF, LF and CR, across chunk boundaries,
and yields each line as soon as its terminator arrives (it never waits for the next chunk to see whether a
CR is followed by LF).

The elizaOS server sends ``event:``/``data:`` pairs with single-line JSON data and no ``id``/``retry``
fields or comments, but the decoder implements the whole format so that a proxy or a future server cannot
confuse it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Final

import attrs

__all__ = [
    "EventTooLarge",
    "ServerSentEvent",
    "iter_lines_from_chunks",
    "iter_sse_events",
    "iter_sse_events_from_chunks",
]

_LINE_END: Final = re.compile(rb"[\r\n]")
_CR: Final = 0x0D
_LF: Final = 0x0A
_BOM: Final = "\ufeff"
_DIGITS: Final = re.compile(r"[0-9]+", re.ASCII)


class EventTooLarge(ValueError):
    """A line, or an event's data, grew past the caller's cap before it ended (``what`` says which)."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"{what} longer than {limit} bytes")
        self.what = what
        self.limit = limit


@attrs.frozen
class ServerSentEvent:
    """One dispatched event.

    ``event``: the event type (``"message"`` when the stream named none). ``data``: the data lines joined
    by ``"\\n"``. ``id``: the stream's last event id at dispatch time (it persists across events, per the
    spec), ``None`` when none was set or it was reset by an empty ``id:``. ``retry``: the reconnection time
    in milliseconds most recently announced by the stream, ``None`` if never.
    """

    event: str
    data: str
    id: str | None = None
    retry: int | None = None


def iter_lines_from_chunks(chunks: Iterable[bytes], *, max_line: int | None = None) -> Iterator[bytes]:
    """Split a byte stream into lines on CRLF, LF or CR, whatever the chunk boundaries; terminators are not
    included. A final line without a terminator is yielded at the end of the input.

    Each line is yielded as soon as its terminator has been received. Memory is bounded by the longest
    line (and by ``max_line`` plus one chunk, when given), and a long line arriving in many chunks is scanned
    once (not once per chunk).

    Raises: :class:`EventTooLarge` when a line passes ``max_line`` bytes; whatever iterating ``chunks`` raises.
    """
    buffer = bytearray()
    scanned = 0  # bytes of ``buffer`` already known to hold no line end
    skip_lf = False  # the previous chunk ended with CR: a leading LF of the next one belongs to it
    for chunk in chunks:
        if not chunk:
            continue
        if skip_lf:
            skip_lf = False
            buffer += chunk[1:] if chunk[0] == _LF else chunk
        else:
            buffer += chunk
        start = 0
        while (match := _LINE_END.search(buffer, max(start, scanned))) is not None:
            end = match.start()
            yield bytes(buffer[start:end])
            if buffer[end] == _CR:
                if end + 1 == len(buffer):
                    skip_lf = True
                    start = end + 1
                else:
                    start = end + 2 if buffer[end + 1] == _LF else end + 1
            else:
                start = end + 1
        del buffer[:start]
        scanned = len(buffer)
        if max_line is not None and scanned > max_line:
            raise EventTooLarge("a line of the event stream", max_line)
    if buffer:
        yield bytes(buffer)


def iter_sse_events(lines: Iterable[bytes], *, max_event: int | None = None) -> Iterator[ServerSentEvent]:
    """Decode server-sent events from lines (as produced by :func:`iter_lines_from_chunks`).

    Implements the WHATWG rules: ``field: value`` lines with one optional space after the colon; ``event``,
    ``data`` (lines joined by ``\\n``), ``id`` (ignored if it contains NUL; persists across events) and
    ``retry`` (ASCII digits only, else ignored); lines starting with ``:`` are comments; unknown fields are
    ignored; a blank line dispatches the event, unless no ``data`` was received; the default type is
    ``message``; a leading byte-order mark is skipped; bytes are decoded as UTF-8 with replacement. An event
    not terminated by a blank line before the input ends is discarded, as the spec requires.

    ``max_event`` caps the data of one event (bytes as received, line terminators not counted).

    Raises: :class:`EventTooLarge` when an event's data passes ``max_event``; whatever iterating ``lines`` raises.
    """
    event_type = ""
    data: list[str] = []
    size = 0
    last_id = ""
    retry: int | None = None
    first = True
    for raw in lines:
        # Tolerate lines that still carry their terminator (e.g. from a file's readline()).
        line = raw.rstrip(b"\r\n").decode("utf-8", "replace")
        if first:
            first = False
            line = line.removeprefix(_BOM)
        if not line:
            if data:
                yield ServerSentEvent(
                    event=event_type or "message", data="\n".join(data), id=last_id or None, retry=retry
                )
            event_type = ""
            data = []
            size = 0
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "event":
            event_type = value
        elif name == "data":
            size += len(raw)
            if max_event is not None and size > max_event:
                raise EventTooLarge("an event of the event stream", max_event)
            data.append(value)
        elif name == "id":
            if "\0" not in value:
                last_id = value
        elif name == "retry" and _DIGITS.fullmatch(value):
            retry = int(value)


def iter_sse_events_from_chunks(chunks: Iterable[bytes], *, max_event: int | None = None) -> Iterator[ServerSentEvent]:
    """:func:`iter_sse_events` over :func:`iter_lines_from_chunks` - feed it the body's chunks as they arrive.

    ``max_event`` caps both one line and one event's data.

    Raises: :class:`EventTooLarge`; whatever iterating ``chunks`` raises.
    """
    return iter_sse_events(iter_lines_from_chunks(chunks, max_line=max_event), max_event=max_event)
