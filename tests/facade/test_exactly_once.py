"""Sending exactly once: ambiguous failures never lose a message and never store it twice.

Each test arms one of the local server's faults on the send route and counts what the server really stored.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eliza_client import (
    AgentError,
    DeliveryUnknownError,
    ElizaClient,
    InternalServerError,
    ReplyLostError,
    SendResult,
    Timeout,
)
from eliza_client.testing import FAIL_MARKER, LocalSessionsServer

USER = "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"


@pytest.fixture
def server() -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(rate_limit=None, reply_delay=0.01) as running:
        yield running


@pytest.fixture
def client(server: LocalSessionsServer) -> Iterator[ElizaClient]:
    with ElizaClient(server.base_url, timeout=Timeout(connect=2, read=2)) as running:
        delays: list[float] = []
        running._transport.sleep = delays.append  # record backoff instead of sleeping
        yield running


@pytest.fixture
def session_id(client: ElizaClient, server: LocalSessionsServer) -> str:
    return client.sessions.create(server.agent_id, USER).id


def stored_user_messages(server: LocalSessionsServer, session_id: str, content: str) -> list[dict[str, object]]:
    return [m for m in server.stored_messages(session_id) if m["content"] == content and not m["isAgent"]]


def test_connection_dropped_after_store(server: LocalSessionsServer, client: ElizaClient, session_id: str) -> None:
    server.faults.drop_connection(when="after_store", route="send_message")
    result = client.sessions.send_message(session_id, "dropped after store")
    stored = stored_user_messages(server, session_id, "dropped after store")
    assert len(stored) == 1
    assert result.message.id == stored[0]["id"]
    assert result.message.client_message_id is not None
    assert result.session_status is None  # recovered from the history, which has no session status


def test_503_before_store_is_resent_once(server: LocalSessionsServer, client: ElizaClient, session_id: str) -> None:
    server.faults.fail_next(503, route="send_message")
    result = client.sessions.send_message(session_id, "503 before store")
    stored = stored_user_messages(server, session_id, "503 before store")
    assert len(stored) == 1
    assert result.message.id == stored[0]["id"]
    assert result.session_status is not None  # the resend's own reply


def test_read_timeout_after_store(server: LocalSessionsServer, session_id: str) -> None:
    with ElizaClient(server.base_url, timeout=Timeout(connect=2, read=0.3)) as impatient:
        impatient._transport.sleep = lambda _: None
        server.faults.delay(1.5, when="after_store", route="send_message")
        result = impatient.sessions.send_message(session_id, "timeout after store")
    stored = stored_user_messages(server, session_id, "timeout after store")
    assert len(stored) == 1
    assert result.message.id == stored[0]["id"]


def test_connection_dropped_before_handling_is_resent(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.drop_connection(when="before", route="send_message")
    result = client.sessions.send_message(session_id, "dropped before")
    stored = stored_user_messages(server, session_id, "dropped before")
    assert len(stored) == 1
    assert result.message.id == stored[0]["id"]


def test_every_attempt_failing_loses_nothing_and_stores_nothing(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.fail_next(503, count=10, route="send_message")
    with pytest.raises(InternalServerError) as excinfo:
        client.sessions.send_message(session_id, "never stored")
    assert excinfo.value.status_code == 503
    assert stored_user_messages(server, session_id, "never stored") == []
    assert server.faults.pending() == 10 - 3  # max_retries=2: three attempts, no more


def test_history_unreadable_while_reconciling(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.drop_connection(when="after_store", route="send_message")
    server.faults.fail_next(503, count=20, route="list_messages")
    with pytest.raises(DeliveryUnknownError) as excinfo:
        client.sessions.send_message(session_id, "unknown outcome")
    assert excinfo.value.client_message_id is not None
    assert excinfo.value.delivery == "unknown"
    assert excinfo.value.session_id == session_id
    # It was stored once, and the client did not gamble on a resend.
    assert len(stored_user_messages(server, session_id, "unknown outcome")) == 1


def test_caller_supplied_client_message_id(server: LocalSessionsServer, client: ElizaClient, session_id: str) -> None:
    result = client.sessions.send_message(session_id, "tagged", client_message_id="order-42", metadata={"k": "v"})
    assert result.message.client_message_id == "order-42"
    assert result.message.metadata["k"] == "v"
    stored = stored_user_messages(server, session_id, "tagged")
    assert stored[0]["metadata"]["clientMessageId"] == "order-42"  # type: ignore[index]


def test_429_is_retried_without_reconciling(server: LocalSessionsServer, client: ElizaClient, session_id: str) -> None:
    server.faults.fail_next(429, route="send_message", retry_after=1)
    before = server.request_count
    result = client.sessions.send_message(session_id, "after a 429")
    assert isinstance(result, SendResult)
    assert len(stored_user_messages(server, session_id, "after a 429")) == 1
    assert server.request_count - before == 2  # the 429 and the resend; no history lookup
    assert client._transport.sleep.__self__ == [1.0]  # type: ignore[attr-defined]  # Retry-After was honoured


def test_send_and_wait_reply_lost_after_store(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.drop_connection(when="after_store", route="send_message")
    with pytest.raises(ReplyLostError) as excinfo:
        client.sessions.send_and_wait(session_id, "wait for me")
    stored = stored_user_messages(server, session_id, "wait for me")
    assert len(stored) == 1
    assert excinfo.value.sent_message.id == stored[0]["id"]


def test_stream_reply_lost_after_store(server: LocalSessionsServer, client: ElizaClient, session_id: str) -> None:
    server.faults.drop_connection(when="after_store", route="send_message")
    with pytest.raises(ReplyLostError):
        client.sessions.stream(session_id, "stream me")
    assert len(stored_user_messages(server, session_id, "stream me")) == 1


def test_send_and_wait_503_before_store_is_resent(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.fail_next(503, route="send_message")
    reply = client.sessions.send_and_wait(session_id, "second time lucky")
    assert reply.agent_response is not None
    assert reply.agent_response.text == "You said: second time lucky"
    assert len(stored_user_messages(server, session_id, "second time lucky")) == 1


def test_agent_failure_after_store_is_the_servers_error(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    # The http transport stores the message, then the agent fails: a 500 whose outcome is known once reconciled.
    with pytest.raises(AgentError) as excinfo:
        client.sessions.send_and_wait(session_id, f"please fail {FAIL_MARKER}")
    assert excinfo.value.reason == "Failed to process message in HTTP transport"
    assert excinfo.value.delivery == "stored"
    assert len(stored_user_messages(server, session_id, f"please fail {FAIL_MARKER}")) == 1
