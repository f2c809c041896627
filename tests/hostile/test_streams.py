"""Streams end: the idle limit is measured between events, the total deadline bounds the whole stream, and no
line, event or decompressed stream can grow past its cap."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from eliza_client import (
    AgentError,
    APITimeoutError,
    ElizaClient,
    Limits,
    ReplyLostError,
    ResponseTooLargeError,
    ResponseValidationError,
    Timeout,
)

from .conftest import SESSION_ID, make_client
from .server import Conn, HostileServer, chunked, gzip_bomb, head

SSE = {"Content-Type": "text/event-stream", "Transfer-Encoding": "chunked", "Cache-Control": "no-cache"}
CHUNK = b'event: chunk\ndata: {"chunk": "hi", "index": 0}\n\n'
CMID = "cmid-stream"
USER_MESSAGE = (
    b'event: user_message\ndata: {"id": "acb8246b-b08f-48d9-8bbe-eef0ba05a07f", "author_id": '
    b'"55006f1f-f88a-412e-a796-19424d7b00b9", "content": "hello", "created_at": 1796175295402, '
    b'"source_type": "user", "metadata": {"clientMessageId": "' + CMID.encode() + b'"}}\n\n'
)


def sse(body: Callable[[Conn], None], *, user_message: bool = True) -> Callable[[Conn], None]:
    """A send answered with an event stream (the stored user message first, then ``body``); a history read (the
    client's look-up of its caller-chosen id) answered with an empty page."""

    def script(conn: Conn) -> bool | None:
        if conn.method == "GET":
            page = b'{"messages":[],"hasMore":false}'
            conn.send(head(200, {"Content-Type": "application/json", "Content-Length": str(len(page))}) + page)
            return True
        conn.send(head(200, SSE))
        if user_message:
            conn.send(piece(USER_MESSAGE))
        body(conn)
        return None

    return script


def piece(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def read_stream(client: ElizaClient) -> tuple[BaseException, float, int]:
    """Read a stream to its end; return why the reply was lost, the time it took and the events seen.

    The user message arrived first, so the client knows it is stored: what ends the stream early is a
    ``ReplyLostError`` (do not resend) whose cause is the limit that was hit.
    """
    started = time.monotonic()
    events = 0
    lost: ReplyLostError | None = None
    try:
        with client.sessions.stream(SESSION_ID, "hello", client_message_id=CMID) as stream:
            for _ in stream:
                events += 1
    except ReplyLostError as err:
        lost = err
    elapsed = time.monotonic() - started
    assert lost is not None, f"the stream ended without losing its reply after {events} events"
    assert lost.client_message_id == CMID
    assert lost.delivery == "stored"
    assert lost.__cause__ is not None
    return lost.__cause__, elapsed, events


def keep_alive_comments(conn: Conn) -> None:
    conn.send(piece(CHUNK))
    while conn.send(piece(b": keep-alive\n\n")):
        conn.hold(0.2)


def only_comments(conn: Conn) -> None:
    while conn.send(piece(b": still thinking\n")):
        conn.hold(0.2)


def data_without_blank_line(conn: Conn) -> None:
    while conn.send(piece(b'data: {"chunk": "x"}\n')):
        conn.hold(0.2)


def one_event_dripped(conn: Conn) -> None:
    for byte in CHUNK * 3:
        if not conn.send(piece(bytes([byte]))):
            return
        conn.hold(0.05)


def silence(conn: Conn) -> None:
    conn.hold(10)  # headers, then nothing: the socket's own read timeout and the idle limit coincide


@pytest.mark.parametrize(
    "body", [keep_alive_comments, only_comments, data_without_blank_line, one_event_dripped, silence]
)
def test_the_idle_limit_is_measured_between_events(hostile: HostileServer, body: Callable[[Conn], None]) -> None:
    hostile.script = sse(body)
    # The idle limit is the reply read timeout: reply_timeout (or the read timeout, if longer).
    with make_client(hostile, timeout=Timeout(connect=2, read=0.5, total=10), reply_timeout=1.0) as client:
        error, elapsed, _ = read_stream(client)
    assert isinstance(error, APITimeoutError), repr(error)
    assert error.phase == "read"
    assert error.operation == "stream"
    # About one idle limit after the last event (or the start), never the total's 10 s.
    assert elapsed <= 1.0 + 1.0, elapsed


def test_a_caller_slower_than_the_idle_limit_still_gets_every_event(hostile: HostileServer) -> None:
    # The server sends an event every 0.6 s; the caller takes 0.8 s over each (renders it, writes it to a
    # database), longer than the 0.5 s idle limit. That limit measures the server's silence while the caller
    # waits (here it never waits: each next event is already there), not the caller's own work.
    done = b'event: done\ndata: {"text": "hi hi hi", "thought": null, "actions": []}\n\n'

    def prompt(conn: Conn) -> None:
        for _ in range(2):
            conn.hold(0.6)  # the next event comes after the idle limit would have passed, had it kept running
            conn.send(piece(CHUNK))
        conn.hold(0.6)
        conn.send(piece(done) + b"0\r\n\r\n")

    hostile.script = sse(prompt)
    with make_client(hostile, timeout=Timeout(connect=2, read=0.5, total=30), reply_timeout=0.5) as client:
        seen = []
        with client.sessions.stream(SESSION_ID, "hello", client_message_id=CMID) as stream:
            for event in stream:
                seen.append(type(event).__name__)
                time.sleep(0.8)
    assert seen == ["UserMessageEvent", "ChunkEvent", "ChunkEvent", "DoneEvent"]


def test_a_stream_cut_before_its_first_event_waits_for_a_late_store(hostile: HostileServer) -> None:
    # The server flushes the stream's headers, then its handler stores the message; here the connection breaks
    # at once and the store lands 1.2 s later (a slow database). Until the reconcile window has passed, a history
    # without the message proves nothing: "not_stored" would invite a resend, and a second copy.
    cut_at: list[float] = []
    reads: list[bool] = []

    def script(conn: Conn) -> bool | None:
        if conn.method == "GET":
            stored = bool(cut_at) and time.monotonic() - cut_at[0] >= 1.2
            reads.append(stored)
            messages = [stored_message()] if stored else []
            page = json.dumps({"messages": messages, "hasMore": False}).encode()
            conn.send(head(200, {"Content-Type": "application/json", "Content-Length": str(len(page))}) + page)
            return True
        conn.send(head(200, SSE))
        cut_at.append(time.monotonic())
        return False  # the connection closes before any event

    hostile.script = script
    with make_client(hostile, timeout=Timeout(connect=2, read=2, total=20), reconcile_window=3.0) as client:
        client._transport.sleep = time.sleep  # the store lands in real time: the look-ups must wait for real
        with pytest.raises(ReplyLostError) as info:
            with client.sessions.stream(SESSION_ID, "hello", client_message_id=CMID) as stream:
                list(stream)
    assert info.value.delivery == "stored"
    assert info.value.client_message_id == CMID
    assert reads[-1] is True
    assert False in reads  # it kept looking past the first misses


def stored_message() -> dict[str, object]:
    return {
        "id": "acb8246b-b08f-48d9-8bbe-eef0ba05a07f",
        "content": "hello",
        "authorId": "55006f1f-f88a-412e-a796-19424d7b00b9",
        "isAgent": False,
        "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "metadata": {"clientMessageId": CMID},
    }


def test_a_stream_of_events_obeys_the_total_deadline(hostile: HostileServer) -> None:
    def endless_events(conn: Conn) -> None:
        while conn.send(piece(CHUNK)):
            conn.hold(0.1)

    hostile.script = sse(endless_events)
    # total 1 s + reply_timeout 1 s: the stream's deadline is 2 s from the call's start.
    with make_client(hostile, timeout=Timeout(connect=2, read=2, total=1.0), reply_timeout=1.0) as client:
        error, elapsed, events = read_stream(client)
    assert isinstance(error, APITimeoutError), repr(error)
    assert error.phase == "total"
    assert events > 5  # events kept arriving: only the deadline could end it
    assert 2.0 <= elapsed <= 2.0 + 0.5, elapsed


def test_the_connection_is_released_when_the_idle_limit_fires(hostile: HostileServer) -> None:
    hostile.script = sse(only_comments)
    with make_client(hostile, timeout=Timeout(connect=2, read=0.5, total=10), reply_timeout=0.5) as client:
        error, _, _ = read_stream(client)
        assert isinstance(error, APITimeoutError)
        manager = client._transport.generated.get_requests_session().get_adapter(hostile.url).poolmanager
        (pool,) = manager.pools._container.values()
        # Nothing is left checked out, and the cut connection was closed (a pooled slot holds no open socket).
        assert pool.pool.qsize() == pool.pool.maxsize
        assert all(conn is None or conn.sock is None for conn in list(pool.pool.queue))


def test_one_endless_line_is_cut_at_the_event_cap(hostile: HostileServer) -> None:
    hostile.script = sse(lambda conn: conn.forever(piece(b"data: " + b"x" * 65536)))
    limits = Limits(max_response_bytes=64 * 1024**2, max_event_bytes=256 * 1024)
    with make_client(hostile, limits=limits, reply_timeout=5) as client:
        error, elapsed, _ = read_stream(client)
    assert isinstance(error, ResponseTooLargeError), repr(error)
    assert error.limit == 256 * 1024
    assert elapsed < 2
    assert hostile.bytes_sent < 32 * 1024**2  # stopped reading promptly (socket buffers aside)


def test_many_data_lines_are_one_event_and_are_cut_at_the_event_cap(hostile: HostileServer) -> None:
    hostile.script = sse(lambda conn: conn.forever(piece(b"data: " + b"y" * 1000 + b"\n")))
    limits = Limits(max_response_bytes=64 * 1024**2, max_event_bytes=128 * 1024)
    with make_client(hostile, limits=limits, reply_timeout=5) as client:
        error, _, _ = read_stream(client)
    assert isinstance(error, ResponseTooLargeError), repr(error)


def test_an_sse_gzip_bomb_is_cut_at_the_stream_cap(hostile: HostileServer) -> None:
    bomb = gzip_bomb(256)

    def script(conn: Conn) -> bool | None:
        if conn.method == "GET":
            page = b'{"messages":[],"hasMore":false}'
            conn.send(head(200, {"Content-Type": "application/json", "Content-Length": str(len(page))}) + page)
            return True
        conn.send(head(200, {**SSE, "Content-Encoding": "gzip"}))
        conn.send(piece(gzip.compress(USER_MESSAGE)))  # a gzip member of its own, then the bomb
        for part in chunked(iter([bomb[i : i + 65536] for i in range(0, len(bomb), 65536)])):
            if not conn.send(part):
                return

    hostile.script = script
    limits = Limits(max_response_bytes=4 * 1024**2, max_event_bytes=64 * 1024**2)
    with make_client(hostile, limits=limits, reply_timeout=5) as client:
        error, elapsed, _ = read_stream(client)
    assert isinstance(error, ResponseTooLargeError), repr(error)
    assert error.limit == 4 * 1024**2
    assert elapsed < 5


def test_a_done_event_nested_too_deep_is_a_validation_error(hostile: HostileServer) -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    hostile.script = sse(
        lambda conn: (conn.send(piece(b"event: done\ndata: " + deep + b"\n\n")), conn.send(b"0\r\n\r\n"))
    )
    limits = Limits(max_event_bytes=1024**2)
    with make_client(hostile, limits=limits, reply_timeout=5) as client:
        error, _, _ = read_stream(client)
    assert isinstance(error, ResponseValidationError), repr(error)
    assert error.field == "done"


def _error_first(history: list[dict[str, object]]) -> Callable[[Conn], bool | None]:
    """A stream whose first event is the server's ``error`` (it failed before storing, as the 1.7.2 server does
    when creating the message fails); history reads answer ``history`` once the send arrived (the look-up of the
    caller's id before sending sees an empty history)."""
    sent: list[bool] = []

    def script(conn: Conn) -> bool | None:
        if conn.method == "GET":
            page = json.dumps({"messages": history if sent else [], "hasMore": False}).encode()
            conn.send(head(200, {"Content-Type": "application/json", "Content-Length": str(len(page))}) + page)
            return True
        sent.append(True)
        conn.send(head(200, SSE))
        conn.send(piece(b'event: error\ndata: {"error": "Failed to create message"}\n\n'))
        conn.send(b"0\r\n\r\n")
        return None

    return script


def _stored(content: str) -> dict[str, object]:
    return {
        "id": "acb8246b-b08f-48d9-8bbe-eef0ba05a07f",
        "content": content,
        "authorId": "55006f1f-f88a-412e-a796-19424d7b00b9",
        "isAgent": False,
        "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "metadata": {"clientMessageId": CMID},
    }


@pytest.mark.parametrize(("history", "delivery"), [([], "not_stored"), ([_stored("hello")], "stored")])
def test_an_error_event_before_the_stored_message_says_what_the_history_says(
    hostile: HostileServer, history: list[dict[str, object]], delivery: str
) -> None:
    # Found by review: "AgentError means stored, do not resend" was told of a message the server never stored.
    hostile.script = _error_first(history)
    client = make_client(hostile, timeout=Timeout(connect=2, read=2, total=10))
    started = time.monotonic()
    with client, client.sessions.stream(SESSION_ID, "hello", client_message_id=CMID) as stream:
        with pytest.raises(AgentError) as excinfo:
            stream.until_done()
    error = excinfo.value
    assert (error.delivery, error.client_message_id, error.reason) == (delivery, CMID, "Failed to create message")
    assert (error.sent_message is not None) == (delivery == "stored")
    # The server answered (its handler is done): no waiting out the 35 s window for a request in flight.
    assert time.monotonic() - started < 5
