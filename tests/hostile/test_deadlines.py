"""One deadline per call, held while bytes keep arriving: dripped bodies, status lines, headers, endless 1xx."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from eliza_client import APITimeoutError, DeliveryUnknownError, ElizaClient, InternalServerError, Timeout

from .conftest import SESSION_ID, make_client
from .server import Conn, HostileServer, head, session_json

#: How far past its deadline a call may end (the issue's bound).
OVERSHOOT = 0.5


def timed(call: Callable[[], object]) -> tuple[BaseException, float]:
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        call()
    return info.value, time.monotonic() - started


def drip_body(conn: Conn) -> None:
    body = b'{"sessionId": "' + b"x" * 10_000 + b'"}'
    conn.send(head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))}))
    conn.drip(body, 0.05)


def drip_head(conn: Conn) -> None:
    conn.drip(head(200, {"Content-Type": "application/json", "X-Padding": "p" * 5000}), 0.05)


def endless_continue(conn: Conn) -> None:
    while conn.send(b"HTTP/1.1 100 Continue\r\n\r\n"):
        conn.hold(0.2)


def endless_headers(conn: Conn) -> None:
    conn.send(b"HTTP/1.1 200 OK\r\n")
    index = 0
    while conn.send(f"X-Header-{index}: {index}\r\n".encode()):
        index += 1
        conn.hold(0.05)


@pytest.mark.parametrize("script", [drip_body, drip_head, endless_continue, endless_headers])
def test_a_dripping_server_cannot_hold_a_call_past_its_total(
    hostile: HostileServer, script: Callable[[Conn], None]
) -> None:
    hostile.script = script
    with make_client(hostile, timeout=Timeout(connect=2, read=2, total=1.5)) as client:
        error, elapsed = timed(lambda: client.sessions.get(SESSION_ID))
    assert isinstance(error, APITimeoutError)
    assert error.phase == "total"
    assert error.request_sent is True
    assert 1.5 <= elapsed <= 1.5 + OVERSHOOT, elapsed


def test_a_send_against_a_drip_ends_at_its_deadline(hostile: HostileServer) -> None:
    hostile.script = drip_body
    with make_client(hostile, timeout=Timeout(connect=2, read=2, total=1.5), max_retries=2) as client:
        started = time.monotonic()
        with pytest.raises(DeliveryUnknownError) as info:
            client.sessions.send_message(SESSION_ID, "hello")
        elapsed = time.monotonic() - started
    # The send may have been stored and the deadline left no time to look: outcome unknown, with the id. The
    # reconciliation read is bounded by the same deadline, so nothing runs past it.
    assert elapsed <= 1.5 + OVERSHOOT, elapsed
    assert info.value.client_message_id is not None
    assert info.value.delivery == "unknown"
    assert isinstance(info.value.__cause__, APITimeoutError)
    assert info.value.__cause__.phase == "total"
    assert len(hostile.requests) == 1  # never resent


def test_the_deadline_spans_retries_and_backoff(hostile: HostileServer) -> None:
    def slow_503(conn: Conn) -> bool:
        conn.hold(0.4)
        conn.send(head(503, {"Content-Length": "2", "Content-Type": "application/json"}) + b"{}")
        return True

    hostile.script = slow_503
    with ElizaClient(hostile.url, timeout=Timeout(connect=2, read=2, total=1.0), max_retries=10) as client:
        started = time.monotonic()
        # Either the last 503 (no retry could start before the deadline) or the deadline itself.
        with pytest.raises((InternalServerError, APITimeoutError)):
            client.sessions.get(SESSION_ID)
        elapsed = time.monotonic() - started
    assert elapsed <= 1.0 + OVERSHOOT, elapsed
    assert len(hostile.requests) >= 2  # it did retry while there was time


def test_a_read_timeout_while_reading_the_body_is_a_read_timeout(hostile: HostileServer) -> None:
    def stall(conn: Conn) -> None:
        conn.send(head(200, {"Content-Type": "application/json", "Content-Length": "100"}) + b'{"sessionId"')
        conn.hold(5)

    hostile.script = stall
    with make_client(hostile, timeout=Timeout(connect=2, read=0.5, total=4)) as client:
        error, elapsed = timed(lambda: client.sessions.get(SESSION_ID))
    assert isinstance(error, APITimeoutError)
    assert error.phase == "read"
    assert error.__cause__ is not None
    assert elapsed < 2


def test_a_read_timeout_before_the_headers_is_a_read_timeout(hostile: HostileServer) -> None:
    hostile.script = lambda conn: conn.hold(5)
    with make_client(hostile, timeout=Timeout(connect=2, read=0.5, total=4)) as client:
        error, _ = timed(lambda: client.sessions.get(SESSION_ID))
    assert isinstance(error, APITimeoutError)
    assert error.phase == "read"


def test_no_deadline_when_asked_for_explicitly(hostile: HostileServer) -> None:
    # A drip that ends after ~1.2 s: with total=None it is read to its end and succeeds.
    def short_drip(conn: Conn) -> bool:
        import json

        body = json.dumps(session_json()).encode()
        conn.send(head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))}))
        conn.drip(body, 1.2 / (len(body) / 64), step=64)
        return True

    hostile.script = short_drip
    with make_client(hostile, timeout=Timeout(connect=2, read=2, total=None)) as client:
        assert client.sessions.get(SESSION_ID).id == SESSION_ID
    with make_client(hostile, timeout=Timeout(connect=2, read=2, total=0.6)) as client:
        error, _ = timed(lambda: client.sessions.get(SESSION_ID))
        assert error.phase == "total"


def test_by_default_no_call_can_be_held_indefinitely() -> None:
    client = ElizaClient("http://127.0.0.1:9")
    assert client.timeout.total == 60.0
    # Calls that wait for the agent: reply_timeout on top of the plain total.
    assert client.sessions._reply_options.timeout.total == 60.0 + 120.0
    assert ElizaClient("http://127.0.0.1:9", reply_timeout=10).sessions._reply_options.timeout.total == 70.0


def test_a_connection_cut_by_the_deadline_is_not_reused(hostile: HostileServer) -> None:
    scripts: list[Callable[[Conn], object]] = [drip_body]

    def dispatch(conn: Conn) -> object:
        if scripts:
            return scripts.pop()(conn)
        import json

        body = json.dumps(session_json()).encode()
        conn.send(head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))}) + body)
        return True

    hostile.script = dispatch  # type: ignore[assignment]
    with make_client(hostile, timeout=Timeout(connect=2, read=2, total=0.8)) as client:
        with pytest.raises(APITimeoutError):
            client.sessions.get(SESSION_ID)
        assert client.sessions.get(SESSION_ID).id == SESSION_ID
        assert client.sessions.get(SESSION_ID).id == SESSION_ID
    # The cut connection was replaced once; the next two calls shared one kept-alive connection.
    assert hostile.connections == 2
