"""Exactly once when the server is slow, stale, skewed or lying — and across the caller's own retries.

Each test arms faults of the local server (public fault-injection options) and counts the copies the server really
stored. Sleeps are real here: a request held by the server is stored in real time, and the client must wait for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from eliza_client import (
    ClientClosedError,
    DeliveryUnknownError,
    ElizaClient,
    IdempotencyConflictError,
    InternalServerError,
    Limits,
    ReplyLostError,
    ResponseValidationError,
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


def test_a_stored_message_whose_acknowledgement_is_too_large_is_found_not_reported_unsent(
    server: LocalSessionsServer, session_id: str
) -> None:
    # The 2xx acknowledgement of a fresh session's send is ~760 bytes, its history page ~550: under a 650-byte cap
    # the answer cannot be read, but the handler ran and the message is stored — it is looked up, not resent, and
    # never reported "not_stored".
    with make_client(server, limits=Limits(max_response_bytes=650)) as capped:
        result = capped.sessions.send_message(session_id, "hello there", client_message_id="big-ack")
    assert result.message.client_message_id == "big-ack"
    assert copies(server, session_id, "big-ack") == 1


def test_an_oversized_acknowledgement_with_an_unreadable_history_is_delivery_unknown(
    server: LocalSessionsServer, session_id: str
) -> None:
    with make_client(server, limits=Limits(max_response_bytes=300)) as capped:
        with pytest.raises(DeliveryUnknownError) as info:
            capped.sessions.send_message(session_id, "hello there", client_message_id="big-ack-2")
    assert info.value.delivery == "unknown"
    assert copies(server, session_id, "big-ack-2") == 1


def test_closing_the_client_under_a_send_in_flight_is_unknown_not_unsent(server: LocalSessionsServer) -> None:
    # An application shutting down while a worker thread sends: the request reached the server, which stores the
    # message and answers 0.5 s later; the read times out at 0.3 s, after close() at 0.1 s. Nothing is left to
    # look the message up with: "unknown", never "not_stored" (which would invite a resend of a stored message).
    client = make_client(server, timeout=Timeout(connect=2, read=0.3, total=10))
    session_id = client.sessions.create(server.agent_id, USER).id
    server.faults.delay(0.5, when="after_store", route="send_message")
    closer = threading.Timer(0.1, client.close)
    closer.start()
    try:
        with pytest.raises(ClientClosedError) as info:
            client.sessions.send_message(session_id, "during shutdown", client_message_id="closing-1")
    finally:
        closer.join(5)
    assert info.value.delivery == "unknown"
    assert info.value.client_message_id == "closing-1"
    assert server.wait_for_agent_replies(5)
    deadline = time.monotonic() + 5
    while copies(server, session_id, "closing-1") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert copies(server, session_id, "closing-1") == 1


def test_a_send_on_a_closed_client_is_not_stored() -> None:
    with LocalSessionsServer(rate_limit=None) as server:
        client = make_client(server)
        session_id = client.sessions.create(server.agent_id, USER).id
        client.close()
        requests_before = server.request_count
        with pytest.raises(ClientClosedError) as info:
            client.sessions.send_message(session_id, "after close")
        assert info.value.delivery == "not_stored"
        # With the caller's own id an earlier call may have stored it; this one cannot look, so it does not say.
        with pytest.raises(ClientClosedError) as with_id:
            client.sessions.send_message(session_id, "after close", client_message_id="closed-1")
        assert with_id.value.delivery == "unknown"
        assert server.request_count == requests_before
        assert server.stored_messages(session_id) == []


def test_the_retry_budget_counts_the_transports_own_retries(server: LocalSessionsServer, session_id: str) -> None:
    # max_retries=1 allows two attempts in all. A 429 (retried by the transport) and then an unreadable 2xx of
    # nothing stored are those two: the send ends there instead of spending a third attempt (which would store
    # the message and succeed).
    with make_client(server, max_retries=1) as client:
        server.faults.fail_next(429, route="send_message", retry_after=0)
        server.faults.corrupt_body("not_json", when="before", route="send_message")
        with pytest.raises(ResponseValidationError) as info:
            client.sessions.send_message(session_id, "budget", client_message_id="budget-1")
    assert info.value.delivery == "not_stored"
    assert copies(server, session_id, "budget-1") == 0


def test_one_stale_history_read_is_never_trusted_alone(server: LocalSessionsServer) -> None:
    # The answer times out (0.5 s) after the reconcile window (0.2 s) has already passed, so the settle time is
    # behind us when the look-up starts; the first history read comes from a lagging replica and misses the
    # stored message. A second read, RESETTLE later, is what tells "not stored" from "not visible yet".
    with make_client(server, timeout=Timeout(connect=2, read=0.5, total=20), reconcile_window=0.2) as client:
        session_id = client.sessions.create(server.agent_id, USER).id
        client._transport.sleep = time.sleep
        server.faults.delay(0.8, when="after_store", route="send_message")
        server.faults.stale_history(hide_newest=2)  # the message and the agent's reply
        result = client.sessions.send_message(session_id, "lagging replica")  # no caller id: no look-up first
    cmid = result.message.client_message_id
    assert cmid is not None
    assert copies(server, session_id, cmid) == 1


def test_closing_the_client_while_it_looks_for_the_message_is_unknown(server: LocalSessionsServer) -> None:
    # Stored, no answer; the history hides it for a while; the application closes the client 0.6 s into the
    # look-up. The error must carry the id and "unknown" — a bare ClientClosedError invites a blind resend.
    client = make_client(server, reconcile_window=3.0)
    session_id = client.sessions.create(server.agent_id, USER).id
    server.faults.drop_connection(when="after_store", route="send_message")
    server.faults.stale_history(count=50, hide_newest=2)  # the message and the agent's reply
    closer = threading.Timer(0.6, client.close)
    closer.start()
    try:
        with pytest.raises(ClientClosedError) as info:
            client.sessions.send_message(session_id, "closing while looking")
    finally:
        closer.join(5)
    assert info.value.delivery == "unknown"
    assert info.value.client_message_id is not None
    assert copies(server, session_id, info.value.client_message_id) == 1


def test_closing_the_client_during_a_backoff_sends_nothing_more(server: LocalSessionsServer) -> None:
    # A 429 asks for 1 s; the application closes the client 0.3 s into that wait. No request may go out after
    # close() (its key is released by then): the wait ends at once and the send fails, not stored.
    client = make_client(server, max_retries=2)
    session_id = client.sessions.create(server.agent_id, USER).id
    server.faults.fail_next(429, retry_after=1, route="send_message")
    at_close: list[int] = []

    def close() -> None:
        client.close()
        at_close.append(server.request_count)

    closer = threading.Timer(0.3, close)
    closer.start()
    started = time.monotonic()
    try:
        with pytest.raises(ClientClosedError) as info:
            client.sessions.send_message(session_id, "after the backoff")
    finally:
        closer.join(5)
    assert time.monotonic() - started < 0.9  # the 1 s wait was cut short by close()
    assert info.value.delivery == "not_stored"
    assert server.request_count == at_close[0]
    assert server.stored_messages(session_id) == []
