"""A randomized fault suite for exactly-once sending: many sends against the local server with every fault mixed
in at random, and the caller's own retries; after every step, never two stored copies of one id.

Bounded: a few derandomized examples of up to eight steps each, short timeouts and a short reconcile window (the
faults that hold a request stay inside it, as the window promises nothing beyond).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eliza_client import ElizaClient, ElizaError, ReplyLostError, Timeout
from eliza_client.testing import LocalSessionsServer, SkewedClock

USER = "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"
READ_TIMEOUT = 0.25
WINDOW = 0.9  # > every hold below (0.5 s) after the read timeout

Fault = Callable[[LocalSessionsServer], None]
FAULTS: dict[str, Fault] = {
    "none": lambda s: None,
    "drop-before": lambda s: s.faults.drop_connection(when="before", route="send_message"),
    "drop-after-store": lambda s: s.faults.drop_connection(when="after_store", route="send_message"),
    "held-before": lambda s: s.faults.delay(0.5, when="before", route="send_message"),
    "slow-after-store": lambda s: s.faults.delay(0.5, when="after_store", route="send_message"),
    "503-before": lambda s: s.faults.fail_next(503, route="send_message"),
    "502-after-store": lambda s: s.faults.fail_next(502, when="after_store", route="send_message"),
    "truncated-ack": lambda s: s.faults.truncate_body(route="send_message"),
    "empty-ack-stored": lambda s: s.faults.corrupt_body("empty", route="send_message"),
    "wrong-shape-not-stored": lambda s: s.faults.corrupt_body("wrong_shape", when="before", route="send_message"),
    "foreign-ack": lambda s: s.faults.foreign_ack(),
    "stale-history": lambda s: (
        s.faults.drop_connection(when="after_store", route="send_message"),
        s.faults.stale_history(hide_newest=3),
    ),
    "unreadable-history": lambda s: (
        s.faults.drop_connection(when="after_store", route="send_message"),
        s.faults.corrupt_body("not_json", when="before", route="list_messages", count=2),
    ),
    "history-down": lambda s: (
        s.faults.drop_connection(when="after_store", route="send_message"),
        s.faults.fail_next(503, route="list_messages", count=12),
    ),
}

step = st.tuples(
    st.sampled_from(sorted(FAULTS)),
    st.sampled_from(["send_message", "send_and_wait", "stream"]),
    st.booleans(),  # the caller chooses the id
    st.booleans(),  # after an error, the caller retries with the same id (from a fresh client)
)


def copies(server: LocalSessionsServer, session_id: str, client_message_id: str) -> int:
    return sum(
        1
        for m in server.stored_messages(session_id)
        if isinstance(m.get("metadata"), dict) and m["metadata"].get("clientMessageId") == client_message_id  # type: ignore[union-attr]
    )


def new_client(server: LocalSessionsServer) -> ElizaClient:
    return ElizaClient(
        server.base_url,
        timeout=Timeout(connect=2, read=READ_TIMEOUT, total=15),
        reconcile_window=WINDOW,
        reply_timeout=2,
    )


def send(client: ElizaClient, method: str, session_id: str, content: str, cmid: str | None) -> str | None:
    """Send; return the stored message's id on success. Raises what the send raises."""
    if method == "send_message":
        return client.sessions.send_message(session_id, content, client_message_id=cmid).message.client_message_id
    if method == "stream":
        with client.sessions.stream(session_id, content, client_message_id=cmid) as stream:
            for _ in stream:
                pass
        assert stream.message is not None  # a stream that ended without its user message raised instead
        return stream.message.client_message_id
    return client.sessions.send_and_wait(session_id, content, client_message_id=cmid).message.client_message_id


def run_step(
    server: LocalSessionsServer, client: ElizaClient, sid: str, index: int, step: tuple[str, str, bool, bool]
) -> None:
    """One send under one fault, then the invariant: never two copies; success is one; errors say what is known."""
    fault, method, caller_id, retry = step
    server.faults.clear()
    FAULTS[fault](server)
    content = f"step {index} {fault}"
    cmid = f"cmid-{index}" if caller_id else None
    outcome: str | ElizaError | None
    try:
        outcome = send(client, method, sid, content, cmid)
    except ElizaError as err:
        outcome = err
    if isinstance(outcome, ReplyLostError):
        assert outcome.client_message_id is not None
        assert copies(server, sid, outcome.client_message_id) == 1, (fault, method)
        return
    if isinstance(outcome, ElizaError):
        known = outcome.client_message_id
        assert known is not None, (fault, method, repr(outcome))
        assert outcome.delivery in {"stored", "not_stored", "unknown"}, (fault, repr(outcome))
        count = copies(server, sid, known)
        assert count <= 1, (fault, method, count)
        if outcome.delivery == "stored":
            assert count == 1, (fault, repr(outcome))
        elif outcome.delivery == "not_stored":
            assert count == 0, (fault, repr(outcome))
        if retry:
            # The caller's own retry, from another process, with the same id and content.
            server.faults.clear()
            with new_client(server) as other, contextlib.suppress(ReplyLostError):
                send(other, "send_message", sid, content, known)
            assert copies(server, sid, known) == 1, (fault, "after the caller's retry")
        return
    stored_id = outcome
    assert stored_id is not None
    assert copies(server, sid, stored_id) == 1, (fault, method)


@pytest.mark.parametrize("method", ["send_message", "send_and_wait", "stream"])
def test_every_fault_once(method: str) -> None:
    with LocalSessionsServer(rate_limit=None, reply_delay=0.01) as server, new_client(server) as client:
        sid = client.sessions.create(server.agent_id, USER).id
        for index, fault in enumerate(sorted(FAULTS)):
            run_step(server, client, sid, index, (fault, method, index % 2 == 0, True))


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(step, min_size=3, max_size=8), skew=st.sampled_from([0, -3600, 3600]))
def test_never_two_copies_and_every_error_says_what_is_known(
    steps: list[tuple[str, str, bool, bool]], skew: int
) -> None:
    with LocalSessionsServer(rate_limit=None, reply_delay=0.01, clock=SkewedClock(skew)) as server:
        with new_client(server) as client:
            sid = client.sessions.create(server.agent_id, USER).id
            for index, one in enumerate(steps):
                run_step(server, client, sid, index, one)
