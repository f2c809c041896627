"""Timeouts: connect and read separately, per-call overrides, and the longer read timeout of sends that wait for
the agent (``send_and_wait``, ``stream``)."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import pytest

from eliza_client import APIConnectionError, APITimeoutError, ElizaClient, Timeout
from eliza_client.testing import LocalSessionsServer

USER = "2b3c4d5e-6f70-4819-a2b3-c4d5e6f70819"
SHORT = Timeout(connect=1, read=0.2)


@pytest.fixture
def server() -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(rate_limit=None, reply_delay=0.01, chunk_delay=0.001) as running:
        yield running


@pytest.fixture
def client(server: LocalSessionsServer) -> Iterator[ElizaClient]:
    with ElizaClient(server.base_url, timeout=SHORT, reply_timeout=2, max_retries=0) as running:
        yield running


@pytest.fixture
def session_id(server: LocalSessionsServer, client: ElizaClient) -> str:
    return client.sessions.create(server.agent_id, USER).id


def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


def test_read_timeout_on_a_get(server: LocalSessionsServer, client: ElizaClient, session_id: str) -> None:
    server.faults.delay(0.5, route="get_session")
    with pytest.raises(APITimeoutError) as excinfo:
        client.sessions.get(session_id)
    error = excinfo.value
    assert error.phase == "read"
    assert error.request_sent is True
    assert error.operation == "get"
    assert isinstance(error, APIConnectionError)
    # The server is fine; only that answer was late.
    assert client.sessions.get(session_id).id == session_id


def test_refused_connection_was_never_sent_and_is_retried() -> None:
    slept: list[float] = []
    with ElizaClient(f"http://127.0.0.1:{closed_port()}", max_retries=2) as client:
        client._transport.sleep = slept.append
        with pytest.raises(APIConnectionError) as excinfo:
            client.sessions.create("219704e1-586e-5373-9adc-602e9713c0ab", USER)
    error = excinfo.value
    assert type(error) is APIConnectionError  # not a timeout
    assert error.request_sent is False
    assert error.operation == "create"
    # Even an unsafe operation is retried when the request provably never left.
    assert len(slept) == 2


def test_connect_timeout_is_its_own_phase() -> None:
    # A listening socket that never accepts, with its backlog full: further SYNs go unanswered.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.05)
        with ElizaClient(f"http://127.0.0.1:{port}", timeout=Timeout(connect=0.2, read=5), max_retries=0) as client:
            with pytest.raises(APITimeoutError) as excinfo:
                client.sessions.health()
        assert excinfo.value.phase == "connect"
        assert excinfo.value.request_sent is False
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_per_call_timeout_override(server: LocalSessionsServer, client: ElizaClient, session_id: str) -> None:
    patient = client.with_options(timeout=Timeout(connect=1, read=2))
    server.faults.delay(0.5, route="get_session")
    assert patient.sessions.get(session_id).id == session_id
    assert patient.timeout == Timeout(connect=1, read=2)
    assert client.timeout == SHORT  # the original is unchanged
    server.faults.delay(0.5, route="get_session")
    with pytest.raises(APITimeoutError):
        client.sessions.get(session_id)
    impatient = ElizaClient(server.base_url, max_retries=0)
    server.faults.delay(0.5, route="get_session")
    with pytest.raises(APITimeoutError) as excinfo:
        impatient.with_options(timeout=(1, 0.2)).sessions.get(session_id)
    assert excinfo.value.phase == "read"
    impatient.close()


def test_send_and_wait_uses_the_reply_timeout(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.delay(0.5, when="after_store", route="send_message")
    reply = client.sessions.send_and_wait(session_id, "take your time")
    assert reply.agent_response is not None
    assert reply.agent_response.text == "You said: take your time"
    # The same delay on a plain read of the same client fails.
    server.faults.delay(0.5, when="after_store", route="list_messages")
    with pytest.raises(APITimeoutError):
        client.sessions.messages(session_id)
    assert len(server.stored_messages(session_id)) == 1


def test_stream_uses_the_reply_timeout(server: LocalSessionsServer, client: ElizaClient, session_id: str) -> None:
    server.faults.delay(0.5, when="after_store", route="send_message")
    with client.sessions.stream(session_id, "slow start") as stream:
        assert stream.until_done().text == "You said: slow start"


def test_send_message_uses_the_normal_timeout(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    # websocket sends return at once, so they keep the short read timeout; a late answer is an unknown outcome,
    # reconciled against the history (the message was stored), never a duplicate.
    server.faults.delay(0.5, when="after_store", route="send_message")
    result = client.sessions.send_message(session_id, "[[agent:silent]] quick")
    assert result.session_status is None  # recovered from the history
    assert [m["id"] for m in server.stored_messages(session_id)] == [result.message.id]


def test_reply_timeout_is_not_shorter_than_the_read_timeout(server: LocalSessionsServer, session_id: str) -> None:
    with ElizaClient(server.base_url, timeout=Timeout(connect=1, read=2), reply_timeout=0.1, max_retries=0) as client:
        server.faults.delay(0.5, when="after_store", route="send_message")
        assert client.sessions.send_and_wait(session_id, "fine").agent_response is not None
