"""Fault injection: failures with Retry-After, dropped connections, delays, truncated bodies."""

from __future__ import annotations

import pytest
import requests

from eliza_client.testing import Faults, LocalSessionsServer

from .conftest import SESSIONS, Api


def test_fail_next_default_body_and_retry_after(api: Api, server: LocalSessionsServer) -> None:
    server.faults.fail_next(503, retry_after=2)
    response = api.get(f"{SESSIONS}/health")
    assert response.status_code == 503
    assert response.json() == {
        "success": False,
        "error": {"code": "SERVICE_UNAVAILABLE", "message": "Service Unavailable"},
    }
    assert response.headers["Retry-After"] == "2"
    assert api.get(f"{SESSIONS}/health").status_code == 200  # used up
    assert server.faults.pending() == 0


def test_fail_next_count_route_and_body(api: Api, server: LocalSessionsServer) -> None:
    sid = api.create()["sessionId"]
    server.faults.fail_next(500, count=2, route="send_message", body={"oops": True}, retry_after=0.25)
    assert server.faults.pending() == 2
    assert api.get(f"{SESSIONS}/{sid}").status_code == 200  # other routes are untouched
    for _ in range(2):
        response = api.send(sid, "x")
        assert response.status_code == 500
        assert response.json() == {"oops": True}
        assert response.headers["Retry-After"] == "0.25"
    assert api.send(sid, "x").status_code == 201
    assert server.wait_for_agent_replies()
    # the failed attempts were answered before handling: only the last message (and its reply) exists
    assert [m["content"] for m in server.stored_messages(sid)] == ["x", "You said: x"]


def test_fail_next_429_uses_the_rate_limit_body(api: Api, server: LocalSessionsServer) -> None:
    server.faults.fail_next(429, retry_after=1)
    response = api.post(SESSIONS, json={})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert api.get(SESSIONS).json()["total"] == 0


def test_drop_before_stores_nothing(api: Api, server: LocalSessionsServer) -> None:
    sid = api.create()["sessionId"]
    server.faults.drop_connection(route="send_message")
    with pytest.raises(requests.ConnectionError):
        api.send(sid, "lost")
    assert server.stored_messages(sid) == []
    assert api.send(sid, "kept", transport="http").status_code == 201


def test_drop_after_store_keeps_the_message(api: Api, server: LocalSessionsServer) -> None:
    sid = api.create()["sessionId"]
    server.faults.drop_connection(when="after_store", route="send_message")
    with pytest.raises(requests.ConnectionError):
        api.send(sid, "stored anyway", transport="http")
    assert [m["content"] for m in server.stored_messages(sid)] == ["stored anyway"]
    # the same request again (a naive retry) stores a duplicate: what an exactly-once client must avoid
    api.send(sid, "stored anyway", transport="http")
    assert len(server.stored_messages(sid)) == 2


def test_drop_after_store_on_create(api: Api, server: LocalSessionsServer) -> None:
    server.faults.drop_connection(when="after_store", route="create_session")
    with pytest.raises(requests.ConnectionError):
        api.post(SESSIONS, json={"agentId": server.agent_id, "userId": "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"})
    assert api.get(SESSIONS).json()["total"] == 1


def test_delay_before_times_out_before_anything_is_stored(api: Api, server: LocalSessionsServer) -> None:
    sid = api.create()["sessionId"]
    server.faults.delay(5.0, route="send_message")
    with pytest.raises(requests.ReadTimeout):
        api.post(f"{SESSIONS}/{sid}/messages", json={"content": "slow", "transport": "http"}, timeout=0.2)
    # the server is still sleeping before the handler (stop() wakes it and drops the request)
    assert server.stored_messages(sid) == []


def test_delay_after_store(api: Api, server: LocalSessionsServer) -> None:
    sid = api.create()["sessionId"]
    server.faults.delay(0.5, when="after_store", route="send_message")
    body = {"content": "timed out but stored", "transport": "http"}
    with pytest.raises(requests.ReadTimeout):
        api.post(f"{SESSIONS}/{sid}/messages", json=body, timeout=0.1)
    assert [m["content"] for m in server.stored_messages(sid)] == ["timed out but stored"]


def test_delay_then_success(api: Api, server: LocalSessionsServer) -> None:
    server.faults.delay(0.05, route="get_sessions_health")
    assert api.get(f"{SESSIONS}/health").status_code == 200
    assert server.faults.pending() == 0


def test_truncated_body(api: Api, server: LocalSessionsServer) -> None:
    sid = api.create()["sessionId"]
    server.faults.truncate_body(route="get_session")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api.get(f"{SESSIONS}/{sid}")
    assert api.get(f"{SESSIONS}/{sid}").status_code == 200


def test_truncated_sse_stream(api: Api, server: LocalSessionsServer) -> None:
    sid = api.create()["sessionId"]
    server.faults.truncate_body(route="send_message")
    response = api.post(f"{SESSIONS}/{sid}/messages", json={"content": "cut", "transport": "sse"}, stream=True)
    assert response.status_code == 200
    pieces: list[bytes] = []

    def read_all() -> None:
        pieces.extend(response.iter_content(chunk_size=None))

    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        read_all()
    received = b"".join(pieces)
    assert b"event: user_message" in received
    assert b"event: done" not in received


def test_clear_and_unknown_route(server: LocalSessionsServer) -> None:
    faults: Faults = server.faults
    faults.fail_next(count=3)
    faults.drop_connection(route="list_sessions")
    assert faults.pending() == 4
    faults.clear()
    assert faults.pending() == 0
    with pytest.raises(ValueError, match="unknown route"):
        faults.fail_next(route="sendMessage")
    with pytest.raises(ValueError, match="count"):
        faults.delay(1, count=0)


def test_request_count_includes_faulted_requests(api: Api, server: LocalSessionsServer) -> None:
    before = server.request_count
    server.faults.fail_next(502)
    assert api.get(SESSIONS).status_code == 502
    assert api.get(SESSIONS).status_code == 200
    assert server.request_count == before + 2
