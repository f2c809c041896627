"""Error answers through the facade: 400 (and the client-side checks that prevent it), 404, 410 (a one-minute
session left to expire), 429 (the whole rate-limit budget spent; runs last), and a retried 503 (local only).

The facade validates its arguments with the server's own rules, so a 400 cannot be provoked through it: the
400 tests send the offending request with plain ``requests`` (over the recorded session, so the answer is checked
against the spec too), turn the answer into the facade's error with the facade's own parser, and check that the
facade refuses the same input before sending anything - and accepts the value just inside the limit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import requests

from eliza_client import (
    AgentNotFoundError,
    BadRequestError,
    ElizaClient,
    ElizaError,
    NotFoundError,
    RateLimitError,
    SessionExpiredError,
    SessionGoneError,
    SessionNotFoundError,
    ValidationError,
)
from eliza_client._errors import error_from_response

from ._support import SESSIONS, Recorder, ReleaseFacts, Target, make_client


def _as_facade_error(response: requests.Response) -> Exception:
    return error_from_response(response.status_code, response.headers, response.content, operation="raw")


def _session_id(client: ElizaClient, target: Target) -> str:
    return client.sessions.create(target.agent_id, str(uuid.uuid4())).id


# ------------------------------------------------------------------------------------------------ 400


@pytest.mark.parametrize(
    ("case", "facade_call", "raw_request", "reason"),
    [
        pytest.param(
            "content too long",
            lambda c, sid, t: c.sessions.send_and_wait(sid, "x" * 4001),
            lambda sid, t: (
                "POST",
                f"{SESSIONS}/{sid}/messages",
                {"json": {"content": "x" * 4001, "transport": "http"}},
            ),
            "Content exceeds maximum length of 4000 characters",
            id="content-4001",
        ),
        pytest.param(
            "empty content",
            lambda c, sid, t: c.sessions.send_message(sid, ""),
            lambda sid, t: ("POST", f"{SESSIONS}/{sid}/messages", {"json": {"content": ""}}),
            "Content cannot be empty",
            id="content-empty",
        ),
        pytest.param(
            "metadata too big",
            lambda c, sid, t: c.sessions.create(t.agent_id, str(uuid.uuid4()), metadata={"k": "v" * 10240}),
            lambda sid, t: (
                "POST",
                SESSIONS,
                {"json": {"agentId": t.agent_id, "userId": str(uuid.uuid4()), "metadata": {"k": "v" * 10240}}},
            ),
            "Metadata exceeds maximum size of 10240 bytes",
            id="metadata-oversize",
        ),
        pytest.param(
            "user id not a uuid",
            lambda c, sid, t: c.sessions.create(t.agent_id, "not-a-uuid"),
            lambda sid, t: ("POST", SESSIONS, {"json": {"agentId": t.agent_id, "userId": "not-a-uuid"}}),
            "Invalid UUID format for field 'userId'",
            id="user-not-uuid",
        ),
        pytest.param(
            "before is not a timestamp",
            lambda c, sid, t: c.sessions.messages(sid, before="yesterday"),
            lambda sid, t: ("GET", f"{SESSIONS}/{sid}/messages", {"params": {"before": "yesterday"}}),
            "Must be a valid timestamp",
            id="before-not-a-timestamp",
        ),
        pytest.param(
            "timeout out of range",
            lambda c, sid, t: c.sessions.update_timeout(sid, timeout_minutes=2000),
            lambda sid, t: ("PATCH", f"{SESSIONS}/{sid}/timeout", {"json": {"timeoutMinutes": 2000}}),
            "Timeout must be between 1 and 1440 minutes",
            id="timeout-2000",
        ),
    ],
)
def test_400_server_and_facade_agree(
    client: ElizaClient,
    target: Target,
    recorder: Recorder,
    case: str,
    facade_call: Callable[[ElizaClient, str, Target], Any],
    raw_request: Callable[[str, Target], tuple[str, str, dict[str, Any]]],
    reason: str,
) -> None:
    session_id = _session_id(client, target)
    sent = recorder.count()
    with pytest.raises(ValidationError):
        facade_call(client, session_id, target)
    assert recorder.count() == sent, f"{case}: the facade sent a request it should have refused"

    method, path, kwargs = raw_request(session_id, target)
    response = recorder.session().request(method, target.base_url + path, timeout=30, **kwargs)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert reason in body["error"]["message"]
    error = _as_facade_error(response)
    assert isinstance(error, BadRequestError)
    assert error.code == "VALIDATION_ERROR"
    assert reason in str(error)
    assert "stack" not in str(error)
    assert "node_modules" not in str(error)
    client.sessions.delete(session_id)


@pytest.mark.parametrize("field", ["transport", "mode"])
def test_400_bad_transport_or_mode(
    target: Target, recorder: Recorder, client: ElizaClient, release: ReleaseFacts, field: str
) -> None:
    """An unknown ``transport`` / ``mode`` value: 1.7.2+ read both (``transport ?? mode``) and refuse it; 1.7.0 reads
    only ``mode`` (an unknown transport is ignored: a websocket send); 1.6.5 reads neither (accepted, flat 201)."""
    session_id = _session_id(client, target)
    url = f"{target.base_url}{SESSIONS}/{session_id}/messages"
    answer = recorder.session().post(url, json={"content": "hi", field: "carrier-pigeon"}, timeout=30)
    expected = release.bad_transport_error if field == "transport" else release.bad_mode_error
    if expected is None:
        assert answer.status_code == 201, answer.text
        body = answer.json()
        sent = body if release.reads is None else body["userMessage"]  # 1.6.5's answer is the flat message
        assert sent["content"] == "hi"
    else:
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "VALIDATION_ERROR"
        assert expected in answer.json()["error"]["message"]
        assert isinstance(_as_facade_error(answer), BadRequestError)
    client.sessions.delete(session_id)


def test_400_wrong_content_type(target: Target, recorder: Recorder, client: ElizaClient) -> None:
    session_id = _session_id(client, target)
    http = recorder.session()
    url = f"{target.base_url}{SESSIONS}/{session_id}/messages"
    wrong_type = http.post(url, data="content=hi", headers={"Content-Type": "text/plain"}, timeout=30)
    assert wrong_type.status_code == 400
    assert wrong_type.json()["error"]["code"] == "INVALID_CONTENT_TYPE"
    assert isinstance(_as_facade_error(wrong_type), BadRequestError)
    client.sessions.delete(session_id)


# ------------------------------------------------------------------------------------------------ 404


def test_404(client: ElizaClient, target: Target, user_id: str) -> None:
    unknown = str(uuid.uuid4())
    for call in (
        client.sessions.get,
        client.sessions.delete,
        client.sessions.renew,
        client.sessions.heartbeat,
        client.sessions.messages,
        lambda sid: client.sessions.update_timeout(sid, timeout_minutes=10),
        lambda sid: client.sessions.send_and_wait(sid, "anyone there?"),
        lambda sid: client.sessions.send_message(sid, "anyone there?"),
        lambda sid: client.sessions.stream(sid, "anyone there?"),
        lambda sid: list(client.sessions.iter_messages(sid)),
    ):
        with pytest.raises(SessionNotFoundError) as raised:
            call(unknown)
        assert raised.value.status_code == 404
        assert raised.value.code == "SESSION_NOT_FOUND"
        assert isinstance(raised.value, SessionGoneError)

    with pytest.raises(AgentNotFoundError) as agent:
        client.sessions.create(str(uuid.uuid4()), user_id)
    assert agent.value.code == "AGENT_NOT_FOUND"
    assert isinstance(agent.value, NotFoundError)


# ------------------------------------------------------------------------------------------------ 410


def _one_minute_session(target: Target, http: requests.Session) -> str:
    response = http.post(
        f"{target.base_url}{SESSIONS}",
        json={
            "agentId": target.agent_id,
            "userId": str(uuid.uuid4()),
            "timeoutConfig": {"timeoutMinutes": 1, "autoRenew": False},
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    session_id: str = response.json()["sessionId"]
    return session_id


@pytest.mark.slow
def test_410_then_404_after_expiry(client: ElizaClient, target: Target, recorder: Recorder) -> None:
    """One-minute sessions without auto-renew (the server runs with SESSION_MIN_TIMEOUT_MINUTES=1): after 61 s the
    first access to each answers 410 SESSION_EXPIRED - whichever route it is - and the next one 404; deleting an
    expired session succeeds. On the real server this waits ~61 s (once for all the sessions); the local server's
    clock jumps instead."""
    # The facade refuses timeouts below the server's default minimum of 5, so these sessions are made directly.
    http = recorder.session()
    main = _one_minute_session(target, http)
    session = client.sessions.get(main)
    assert session.timeout_config.timeout_minutes == 1
    assert session.timeout_config.auto_renew is False
    assert session.expires_at - session.created_at == timedelta(minutes=1)
    client.sessions.send_and_wait(main, "before expiry")
    routes: dict[str, Callable[[str], object]] = {
        "renew": client.sessions.renew,
        "heartbeat": client.sessions.heartbeat,
        "messages": client.sessions.messages,
        "update_timeout": lambda sid: client.sessions.update_timeout(sid, timeout_minutes=10),
        "send_message": lambda sid: client.sessions.send_message(sid, "too late"),
        "send_and_wait": lambda sid: client.sessions.send_and_wait(sid, "too late"),
        "stream": lambda sid: client.sessions.stream(sid, "too late"),
    }
    others = {name: _one_minute_session(target, http) for name in routes}
    deleted_after_expiry = _one_minute_session(target, http)

    target.travel(61.5)

    with pytest.raises(SessionExpiredError) as expired:
        client.sessions.get(main)
    assert expired.value.status_code == 410
    assert expired.value.code == "SESSION_EXPIRED"
    assert "expired at" in str(expired.value)
    assert isinstance(expired.value, SessionGoneError)
    with pytest.raises(SessionNotFoundError):
        client.sessions.get(main)
    for name, call in routes.items():
        with pytest.raises(SessionExpiredError):
            call(others[name])
        with pytest.raises(SessionNotFoundError):
            client.sessions.get(others[name])
    client.sessions.delete(deleted_after_expiry)  # DELETE skips the expiry check: 200
    listed = {s.id for s in client.sessions.list().sessions}
    assert listed.isdisjoint({main, deleted_after_expiry, *others.values()})


# ------------------------------------------------------------------------------------------------ faults (local)


@pytest.mark.needs("faults")
def test_send_is_exactly_once_when_the_reply_is_lost(client: ElizaClient, target: Target, user_id: str) -> None:
    """The connection drops after the server stored the message: the facade finds it in the history instead of
    sending it again."""
    client._transport.sleep = lambda seconds: None  # no backoff waits
    with client.sessions.open(target.agent_id, user_id) as session:
        target.local.faults.drop_connection(when="after_store", route="send_message")
        result = client.sessions.send_message(session.id, "exactly once")
        assert target.local.faults.pending() == 0
        stored = [m for m in target.local.stored_messages(session.id) if m["content"] == "exactly once"]
        assert [m["id"] for m in stored] == [result.message.id]


@pytest.mark.needs("faults")
def test_a_failed_create_is_an_eliza_error(client: ElizaClient, target: Target, user_id: str) -> None:
    client._transport.sleep = lambda seconds: None
    target.local.faults.drop_connection(route="create_session")  # no answer at all: nothing to check against the spec
    try:
        with pytest.raises(ElizaError):
            client.sessions.create(target.agent_id, user_id)
    finally:
        target.local.faults.clear()


# ------------------------------------------------------------------------------------------------ 429 (last)


@pytest.mark.exhausts_rate_limit
def test_429_when_the_budget_is_spent(target: Target, recorder: Recorder) -> None:
    """Spend what is left of the 1000-requests window, then every call answers 429 with a Retry-After far above
    the client's 60 s cap: the facade raises RateLimitError at once instead of sleeping."""
    http = recorder.session()
    health = f"{target.base_url}{SESSIONS}/health"
    response = http.get(health, timeout=30)
    remaining = int(response.headers["RateLimit-Remaining"])
    assert response.headers["RateLimit-Limit"] == "1000"
    spent = 1
    for _ in range(remaining + 10):
        response = http.get(health, timeout=30)
        spent += 1
        if response.status_code == 429:
            break
    recorder.notes["rate_limit_exhaustion_requests"] = spent
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert int(response.headers["Retry-After"]) > 60

    with make_client(target, recorder) as client:  # default retries: a long Retry-After is never slept
        with pytest.raises(RateLimitError) as limited:
            client.sessions.health()
        assert limited.value.status_code == 429
        assert limited.value.code == "RATE_LIMIT_EXCEEDED"
        assert limited.value.retry_after is not None
        assert limited.value.retry_after > 60
        with pytest.raises(RateLimitError):
            client.sessions.get(str(uuid.uuid4()))
