"""3xx is never success, and transport failures are classified by what they prove (one table, `transport_error`)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from eliza_client import (
    APIConnectionError,
    APITimeoutError,
    ElizaClient,
    LocalRequestError,
    RedirectError,
    Timeout,
    TLSError,
)

from .conftest import SESSION_ID, make_client
from .server import Conn, HostileServer, head, respond, session_json


@pytest.mark.parametrize("status", [300, 301, 302, 303, 307, 308])
def test_a_redirect_is_never_success_and_never_followed(hostile: HostileServer, status: int) -> None:
    target = f"http://user:hunter2@127.0.0.1:{hostile.port}/followed?token=abc"
    body = json.dumps(session_json()).encode()
    hostile.script = respond(status, body, {"Location": target})
    with make_client(hostile, max_retries=2) as client:
        for call in (
            lambda: client.sessions.delete(SESSION_ID),
            lambda: client.sessions.get(SESSION_ID),  # a 302 carrying a session's JSON is no answer either
            lambda: client.sessions.renew(SESSION_ID),
            lambda: client.sessions.send_message(SESSION_ID, "hi"),
        ):
            with pytest.raises(RedirectError) as info:
                call()
            error = info.value
            assert error.status_code == status
            # No user-info and no query (both may carry credentials); the path is kept.
            assert error.location == f"http://127.0.0.1:{hostile.port}/followed"
            assert "hunter2" not in repr(error) + str(error) + repr(vars(error))
    assert all(path != "/followed?token=abc" for _, path, _ in hostile.requests)
    assert len(hostile.requests) == 4  # not retried, not followed


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_was_never_sent_is_retried_and_chained() -> None:
    port = closed_port()
    slept: list[float] = []
    with ElizaClient(f"http://127.0.0.1:{port}", max_retries=2) as client:
        client._transport.sleep = slept.append
        with pytest.raises(APIConnectionError) as info:
            client.sessions.create("219704e1-586e-5373-9adc-602e9713c0ab", "9d8c7b6a-5f4e-4d3c-8b2a-190f8e7d6c5b")
    error = info.value
    assert type(error) is APIConnectionError
    assert error.request_sent is False
    assert len(slept) == 2
    assert f"127.0.0.1:{port}" in error.message
    assert "connection refused" in error.message
    assert error.__cause__ is not None
    assert "object at 0x" not in error.message


@pytest.fixture
def not_tls() -> Iterator[int]:
    """A server that answers a TLS ClientHello with plain HTTP."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    accepted: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(1)
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    listener.close()
    assert len(accepted) == 1  # a TLS failure is never retried


def test_a_tls_failure_is_raised_at_once_without_retry(not_tls: int) -> None:
    with ElizaClient(f"https://127.0.0.1:{not_tls}", max_retries=3, timeout=Timeout(2, 2, 5)) as client:
        client._transport.sleep = lambda seconds: None
        with pytest.raises(TLSError) as info:
            client.sessions.get(SESSION_ID)
    error = info.value
    assert error.request_sent is False
    assert error.retryable is False
    assert f"127.0.0.1:{not_tls}" in error.message
    assert error.__cause__ is not None


@pytest.fixture
def stalled_tls() -> Iterator[tuple[int, list[bytes]]]:
    """A server that starts a TLS handshake and never finishes it: after the ClientHello it announces a 16 KiB
    handshake record and drips it one byte every 0.3 s (each byte resets a per-recv timeout)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def drip(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.5)
            try:
                received.append(conn.recv(4096))  # the ClientHello (all this server ever reads)
                conn.sendall(bytes([0x16, 0x03, 0x03, 0x40, 0x00]))
                for _ in range(100):
                    if stop.wait(0.3):
                        return
                    conn.sendall(b"\x02")
            except OSError:
                return

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], received
    stop.set()
    thread.join(5)
    listener.close()


def test_a_tls_handshake_that_times_out_is_a_connect_timeout_never_sent(
    stalled_tls: tuple[int, list[bytes]],
) -> None:
    # urllib3 reports it as a *read* timeout; classified by that, a send would be "maybe stored" and reconciled.
    port, received = stalled_tls
    with ElizaClient(
        f"https://127.0.0.1:{port}", timeout=Timeout(connect=1, read=1, total=10), max_retries=0, verify=False
    ) as client:
        with pytest.raises(APITimeoutError) as info:
            client.sessions.get(SESSION_ID)
        assert info.value.phase == "connect"
        assert info.value.request_sent is False
        assert "TLS handshake" in info.value.message
        assert info.value.__cause__ is not None
        with pytest.raises(APITimeoutError) as sent:
            client.sessions.send_message(SESSION_ID, "hello")
        assert sent.value.delivery == "not_stored"
        assert sent.value.request_sent is False
    assert all(hello[:1] == b"\x16" for hello in received)  # only ever a ClientHello, never an HTTP request


def test_a_read_timeout_on_a_fresh_plain_connection_was_sent(hostile: HostileServer) -> None:
    # Plain HTTP connects lazily, from inside the request: that connect must not make the request "never sent".
    hostile.script = lambda conn: conn.hold(2)
    with make_client(hostile, timeout=Timeout(connect=2, read=0.3, total=5)) as client:
        with pytest.raises(APITimeoutError) as info:
            client.sessions.get(SESSION_ID)
    assert info.value.phase == "read"
    assert info.value.request_sent is True
    assert len(hostile.requests) == 1


def test_a_request_that_cannot_be_built_is_a_local_error_never_retried(hostile: HostileServer) -> None:
    session = requests.Session()
    session.headers["X-Broken"] = "line\nbreak"  # the caller's own session: not validated by the client
    with ElizaClient(hostile.url, session=session, max_retries=3) as client:
        with pytest.raises(LocalRequestError) as info:
            client.sessions.get(SESSION_ID)
    assert info.value.request_sent is False
    assert info.value.__cause__ is not None
    assert hostile.connections == 0
    session.close()


def test_a_connection_closed_without_an_answer_is_ambiguous(hostile: HostileServer) -> None:
    hostile.script = lambda conn: False  # read the request, close without a word
    with make_client(hostile, max_retries=1) as client:
        with pytest.raises(APIConnectionError) as info:
            client.sessions.get(SESSION_ID)
    error = info.value
    assert not isinstance(error, APITimeoutError)
    assert error.request_sent is True
    assert "closed the connection without answering" in error.message
    assert len(hostile.requests) == 2  # a safe operation is retried


def test_a_body_cut_short_is_ambiguous_and_names_the_reason(hostile: HostileServer) -> None:
    def cut(conn: Conn) -> bool:
        conn.send(head(200, {"Content-Type": "application/json", "Content-Length": "500"}) + b'{"sessionId": ')
        return False

    hostile.script = cut
    with make_client(hostile) as client:
        with pytest.raises(APIConnectionError) as info:
            client.sessions.get(SESSION_ID)
    assert info.value.request_sent is True
    assert "before the whole body arrived" in info.value.message
    assert info.value.__cause__ is not None
