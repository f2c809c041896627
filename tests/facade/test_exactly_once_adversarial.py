"""Exactly once when the server is slow, stale, skewed or lying — and across the caller's own retries.

Each test arms faults of the local server (public fault-injection options) and counts the copies the server really
stored. Sleeps are real here: a request held by the server is stored in real time, and the client must wait for it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from eliza_client import (
    DeliveryUnknownError,
    ElizaClient,
    IdempotencyConflictError,
    InternalServerError,
    ReplyLostError,
    Timeout,
)
from eliza_client.testing import LocalSessionsServer, SkewedClock

USER = "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"


@pytest.fixture
def server() -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(rate_limit=None, reply_delay=0.01) as running:
        yield running


def make_client(server: LocalSessionsServer, **kwargs: object) -> ElizaClient:
    options: dict[str, object] = {"timeout": Timeout(connect=2, read=1, total=20), "reconcile_window": 1.0}
    options.update(kwargs)
    return ElizaClient(server.base_url, **options)  # type: ignore[arg-type]


@pytest.fixture
def client(server: LocalSessionsServer) -> Iterator[ElizaClient]:
    with make_client(server) as running:
        yield running


@pytest.fixture
def session_id(client: ElizaClient, server: LocalSessionsServer) -> str:
    return client.sessions.create(server.agent_id, USER).id


def copies(server: LocalSessionsServer, session_id: str, client_message_id: str) -> int:
    return sum(
        1
        for m in server.stored_messages(session_id)
        if isinstance(m.get("metadata"), dict) and m["metadata"].get("clientMessageId") == client_message_id  # type: ignore[union-attr]
    )


def test_a_request_held_past_the_read_timeout_is_found_not_resent(server: LocalSessionsServer, session_id: str) -> None:
    # A queue or a slow database: the handler runs 2.5 s after the request arrived; the client gave up after 1 s
    # and keeps looking for the message until the window in which the server may still store it has passed.
    server.faults.delay(2.5, when="before", route="send_message")
    started = time.monotonic()
    with make_client(server, reconcile_window=4.0) as client:
        result = client.sessions.send_message(session_id, "held", client_message_id="held-1")
    assert copies(server, session_id, "held-1") == 1
    assert result.message.client_message_id == "held-1"
    assert time.monotonic() - started >= 2.5  # it waited for the held request instead of resending


def test_a_stale_first_history_read_is_harmless(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.drop_connection(when="after_store", route="send_message")
    server.faults.stale_history(count=1, hide_newest=5)  # the first read lags behind, like a replica
    result = client.sessions.send_message(session_id, "behind a replica")
    cmid = result.message.client_message_id
    assert cmid is not None
    assert copies(server, session_id, cmid) == 1


@pytest.mark.parametrize("skew_seconds", [-3600, -900, 900, 3600])
def test_clock_skew_never_causes_a_resend(skew_seconds: int) -> None:
    with LocalSessionsServer(rate_limit=None, reply_delay=0.05, clock=SkewedClock(skew_seconds)) as server:
        with make_client(server, timeout=Timeout(connect=2, read=0.3, total=20)) as client:
            sid = client.sessions.create(server.agent_id, USER).id
            client.sessions.send_message(sid, "an older message")
            # Stored at once, answered late: the agent's reply (a newer message) lands before the client looks.
            server.faults.delay(0.6, when="after_store", route="send_message")
            result = client.sessions.send_message(sid, "skewed")
            cmid = result.message.client_message_id
            assert cmid is not None
            assert copies(server, sid, cmid) == 1


@pytest.mark.parametrize("kind", ["empty", "not_json", "wrong_shape", "truncated_json"])
def test_a_stored_message_with_an_unreadable_acknowledgement_is_returned(
    server: LocalSessionsServer, client: ElizaClient, session_id: str, kind: str
) -> None:
    server.faults.corrupt_body(kind, when="after_store", route="send_message")  # type: ignore[arg-type]
    result = client.sessions.send_message(session_id, f"ack {kind}", client_message_id=f"ack-{kind}")
    assert result.message.client_message_id == f"ack-{kind}"
    assert copies(server, session_id, f"ack-{kind}") == 1


def test_an_unreadable_acknowledgement_of_nothing_stored_is_resent(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.corrupt_body("wrong_shape", when="before", route="send_message")
    result = client.sessions.send_message(session_id, "resend me", client_message_id="resend-1")
    assert result.session_status is not None  # the resend's own answer
    assert copies(server, session_id, "resend-1") == 1


def test_someone_elses_acknowledgement_is_not_our_success(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.foreign_ack(route="send_message")
    result = client.sessions.send_message(session_id, "mine", client_message_id="mine-1")
    assert result.message.client_message_id == "mine-1"
    assert copies(server, session_id, "mine-1") == 1


def test_stored_then_502_then_an_unreadable_history_read(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.fail_next(502, when="after_store", route="send_message")
    server.faults.corrupt_body("not_json", when="before", route="list_messages")
    result = client.sessions.send_message(session_id, "502 after store")
    cmid = result.message.client_message_id
    assert cmid is not None
    assert copies(server, session_id, cmid) == 1


def test_a_history_that_stays_unreadable_is_delivery_unknown_with_the_id(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.fail_next(502, when="after_store", route="send_message")
    server.faults.corrupt_body("not_json", when="before", route="list_messages", count=20)
    with pytest.raises(DeliveryUnknownError) as info:
        client.sessions.send_message(session_id, "unknowable")
    error = info.value
    assert error.client_message_id is not None
    assert error.delivery == "unknown"
    assert copies(server, session_id, error.client_message_id) == 1


def test_send_and_wait_tells_stored_from_not_stored(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    # Stored, then a gateway's 502: the reply is lost, the message is in the conversation.
    server.faults.fail_next(502, when="after_store", route="send_message")
    with pytest.raises(ReplyLostError) as lost:
        client.sessions.send_and_wait(session_id, "stored, reply lost")
    assert lost.value.delivery == "stored"
    assert lost.value.client_message_id is not None
    assert copies(server, session_id, lost.value.client_message_id) == 1
    # Never stored: the same status class, but not stored, and the caller may resend.
    server.faults.fail_next(502, count=10, route="send_message")
    with pytest.raises(InternalServerError) as never:
        client.sessions.send_and_wait(session_id, "never stored")
    assert never.value.delivery == "not_stored"
    assert never.value.client_message_id is not None
    assert copies(server, session_id, never.value.client_message_id) == 0


def test_a_stream_cut_before_any_event_resolves_from_the_history(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.corrupt_body("empty", when="after_store", route="send_message")
    with pytest.raises(ReplyLostError) as info:
        with client.sessions.stream(session_id, "streamed", client_message_id="s-1") as stream:
            list(stream)
    assert info.value.delivery == "stored"
    assert copies(server, session_id, "s-1") == 1


def test_the_callers_retry_with_the_same_id_is_idempotent_across_clients(
    server: LocalSessionsServer, client: ElizaClient, session_id: str
) -> None:
    server.faults.drop_connection(when="after_store", route="send_message")
    server.faults.fail_next(503, count=20, route="list_messages")
    with pytest.raises(DeliveryUnknownError):
        client.sessions.send_message(session_id, "order 42", client_message_id="order-42")
    server.faults.clear()
    # Another process, later: the same id and content returns the stored message, no second copy.
    with make_client(server) as other:
        again = other.sessions.send_message(session_id, "order 42", client_message_id="order-42")
        assert again.message.client_message_id == "order-42"
        assert copies(server, session_id, "order-42") == 1
        # The same id with different content is refused before anything is sent.
        requests_before = server.request_count
        with pytest.raises(IdempotencyConflictError) as conflict:
            other.sessions.send_message(session_id, "order 43", client_message_id="order-42")
        assert conflict.value.stored_message.content == "order 42"
        assert all(m["content"] != "order 43" for m in server.stored_messages(session_id))
        assert server.request_count - requests_before == 1  # the one history read, no send
