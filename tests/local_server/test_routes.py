"""The ten routes: statuses and exact body shapes (key sets as captured from the real 1.7.2 server)."""

from __future__ import annotations

import re

from eliza_client.testing import LocalSessionsServer, ManualClock, agent_id_for

from .conftest import SESSIONS, T0, Api, new_user

SESSION_INFO_KEYS = [
    "sessionId",
    "channelId",
    "agentId",
    "userId",
    "createdAt",
    "lastActivity",
    "metadata",
    "expiresAt",
    "timeoutConfig",
    "renewalCount",
    "timeRemaining",
    "isNearExpiration",
]
DEFAULT_CONFIG = {"timeoutMinutes": 30, "autoRenew": True, "maxDurationMinutes": 720, "warningThresholdMinutes": 5}
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ISO_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def test_health_shape(api: Api) -> None:
    response = api.get(f"{SESSIONS}/health")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["status", "activeSessions", "timestamp", "expiringSoon", "uptime"]
    assert body["status"] == "healthy"
    assert body["activeSessions"] == 0
    assert body["timestamp"] == "2025-12-31T10:00:00.000Z"
    assert isinstance(body["uptime"], float)


def test_create_shape_and_defaults(api: Api, server: LocalSessionsServer) -> None:
    user = new_user()
    response = api.post(SESSIONS, json={"agentId": server.agent_id, "userId": user, "metadata": {"platform": "web"}})
    assert response.status_code == 201
    body = response.json()
    assert list(body) == [
        "sessionId",
        "channelId",
        "agentId",
        "userId",
        "createdAt",
        "metadata",
        "expiresAt",
        "timeoutConfig",
    ]
    assert UUID_RE.fullmatch(body["sessionId"])
    assert UUID_RE.fullmatch(body["channelId"])
    assert body["agentId"] == server.agent_id
    assert body["userId"] == user
    assert body["createdAt"] == "2025-12-31T10:00:00.000Z"
    assert body["expiresAt"] == "2025-12-31T10:30:00.000Z"
    assert body["metadata"] == {"platform": "web"}
    assert body["timeoutConfig"] == DEFAULT_CONFIG
    assert list(body["timeoutConfig"]) == list(DEFAULT_CONFIG)


def test_get_session_shape(api: Api, clock: ManualClock) -> None:
    created = api.create(metadata={"platform": "web"})
    clock.advance(minutes=3)
    response = api.get(f"{SESSIONS}/{created['sessionId']}")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == SESSION_INFO_KEYS
    assert body["lastActivity"] == "2025-12-31T10:00:00.000Z"  # GET is not activity
    assert body["timeRemaining"] == 27 * 60_000
    assert body["isNearExpiration"] is False
    assert body["renewalCount"] == 0


def test_list_sessions_shape(api: Api) -> None:
    first = api.create()
    second = api.create()
    response = api.get(SESSIONS)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["sessions", "total", "stats"]
    assert [s["sessionId"] for s in body["sessions"]] == [first["sessionId"], second["sessionId"]]
    assert all(list(s) == SESSION_INFO_KEYS for s in body["sessions"])
    assert body["total"] == 2
    assert body["stats"] == {"totalSessions": 2, "activeSessions": 2, "expiredSessions": 0}


def test_empty_list(api: Api) -> None:
    assert api.get(SESSIONS).json() == {
        "sessions": [],
        "total": 0,
        "stats": {"totalSessions": 0, "activeSessions": 0, "expiredSessions": 0},
    }


def test_send_websocket_shape(api: Api, clock: ManualClock) -> None:
    created = api.create(metadata={"platform": "web"})
    clock.advance(minutes=1)
    response = api.send(created["sessionId"], "Hello", metadata={"priority": "high"})
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["success", "userMessage", "sessionStatus"]
    assert body["success"] is True
    message = body["userMessage"]
    assert list(message) == [
        "id",
        "channel_id",
        "message_server_id",
        "author_id",
        "content",
        "created_at",
        "source_type",
        "raw_message",
        "metadata",
    ]
    assert message["channel_id"] == created["channelId"]
    assert message["message_server_id"] == "00000000-0000-0000-0000-000000000000"
    assert message["author_id"] == created["userId"]
    assert message["content"] == "Hello"
    assert message["created_at"] == T0 + 60_000
    assert message["source_type"] == "user"
    assert message["raw_message"] == {"content": "Hello"}
    assert message["metadata"] == {
        "userId": created["userId"],
        "agentId": created["agentId"],
        "platform": "web",
        "priority": "high",
        "sessionId": created["sessionId"],
        # the creation snapshot, in jsonb key order (shorter keys first)
        "timeoutConfig": {
            "autoRenew": True,
            "timeoutMinutes": 30,
            "maxDurationMinutes": 720,
            "warningThresholdMinutes": 5,
        },
    }
    assert list(message["metadata"]) == ["userId", "agentId", "platform", "priority", "sessionId", "timeoutConfig"]
    assert list(message["metadata"]["timeoutConfig"]) == [
        "autoRenew",
        "timeoutMinutes",
        "maxDurationMinutes",
        "warningThresholdMinutes",
    ]
    assert body["sessionStatus"] == {
        "expiresAt": "2025-12-31T10:31:00.000Z",
        "renewalCount": 1,
        "wasRenewed": True,
        "isNearExpiration": False,
    }


def test_send_http_shape(api: Api, server: LocalSessionsServer) -> None:
    created = api.create()
    response = api.send(created["sessionId"], "What is 2+2?", transport="http")
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["success", "userMessage", "agentResponse", "sessionStatus"]
    reply = body["agentResponse"]
    assert list(reply) == ["thought", "actions", "providers", "text", "simple", "responseId", "inReplyTo"]
    assert reply["text"] == "You said: What is 2+2?"
    assert reply["actions"] == ["REPLY"]
    assert reply["providers"] == []
    assert reply["simple"] is True
    assert isinstance(reply["thought"], str)
    assert reply["thought"]
    assert UUID_RE.fullmatch(reply["responseId"])
    assert UUID_RE.fullmatch(reply["inReplyTo"])
    # as on the real server, inReplyTo is not the stored message id
    assert reply["inReplyTo"] != body["userMessage"]["id"]


def test_delete_shape(api: Api) -> None:
    created = api.create()
    response = api.request("DELETE", f"{SESSIONS}/{created['sessionId']}")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": f"Session {created['sessionId']} deleted successfully"}
    again = api.request("DELETE", f"{SESSIONS}/{created['sessionId']}")
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "SESSION_NOT_FOUND"


def test_messages_shape(api: Api, server: LocalSessionsServer) -> None:
    created = api.create()
    api.send(created["sessionId"], "Hello")
    assert server.wait_for_agent_replies()
    response = api.messages(created["sessionId"])
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["messages", "hasMore", "cursors"]
    assert body["hasMore"] is False
    # Both share one millisecond on the manual clock; ties keep insertion order, so the user message is first.
    user, agent = body["messages"]
    for item in (agent, user):
        assert list(item) == ["id", "content", "authorId", "isAgent", "createdAt", "metadata"]
        assert ISO_RE.fullmatch(item["createdAt"])
    assert agent["isAgent"] is True
    assert agent["authorId"] == server.agent_id
    assert agent["content"] == "You said: Hello"
    assert list(agent["metadata"]) == ["thought", "actions", "isDm", "agent_id", "agentName", "channelType"]
    assert agent["metadata"]["actions"] == ["REPLY"]
    assert agent["metadata"]["isDm"] is False
    assert agent["metadata"]["channelType"] == "GROUP"
    assert agent["metadata"]["agentName"] == "Eliza"
    assert user["isAgent"] is False
    assert user["authorId"] == created["userId"]
    assert body["cursors"] == {"before": T0, "after": T0}


def test_renew_heartbeat_patch_return_session_info(api: Api) -> None:
    sid = api.create()["sessionId"]
    for method, suffix, kwargs in (
        ("POST", "renew", {}),
        ("POST", "heartbeat", {}),
        ("PATCH", "timeout", {"json": {"timeoutMinutes": 60}}),
    ):
        response = api.request(method, f"{SESSIONS}/{sid}/{suffix}", **kwargs)
        assert response.status_code == 200, suffix
        assert list(response.json()) == SESSION_INFO_KEYS


def test_agents_are_named_and_stable(clock: ManualClock) -> None:
    with LocalSessionsServer(agent_names=("Eliza", "Bob"), clock=clock, rate_limit=None) as server:
        assert server.agent_ids == (agent_id_for("Eliza"), agent_id_for("Bob"))
        assert server.agent_id == agent_id_for("Eliza")
        assert server.agents == {"Eliza": agent_id_for("Eliza"), "Bob": agent_id_for("Bob")}
        helper = Api(server)
        try:
            second = helper.create(agentId=server.agent_ids[1])
            assert second["agentId"] == agent_id_for("Bob")
            reply = helper.send(second["sessionId"], "x", transport="http").json()["agentResponse"]
            assert reply["text"] == "You said: x"
        finally:
            helper.close()
    assert agent_id_for("Eliza") == "219704e1-586e-5373-9adc-602e9713c0ab"
