"""Validation exactly as 1.7.2 does it: messages, details, order of checks, clamping instead of rejecting."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from eliza_client.testing import LocalSessionsServer

from .conftest import SESSIONS, Api, new_user


def error_of(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"]
    error: dict[str, Any] = body["error"]
    assert list(error)[:3] == ["code", "message", "timestamp"]
    assert list(error)[-1] == "stack"
    return error


# ------------------------------------------------------------------------------------------------ create


@pytest.mark.parametrize(
    "body",
    [
        {"userId": "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"},
        {"agentId": "AGENT"},
        {},
        {"agentId": 5, "userId": "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"},
        {"agentId": None, "userId": None},
        [1, 2],
    ],
)
def test_create_missing_fields_always_lists_both(api: Api, server: LocalSessionsServer, body: Any) -> None:
    if isinstance(body, dict) and body.get("agentId") == "AGENT":
        body = {"agentId": server.agent_id}
    error = error_of(api.post(SESSIONS, json=body), 400)
    assert error["code"] == "VALIDATION_ERROR"
    assert error["message"] == "Missing required fields: agentId, userId"
    assert error["details"] == {"missingFields": ["agentId", "userId"]}


def test_create_without_body(api: Api) -> None:
    for headers in ({}, {"Content-Type": "application/json"}):
        error = error_of(api.post(SESSIONS, headers=headers), 400)
        assert error["message"] == "Missing required fields: agentId, userId"


def test_create_invalid_uuids(api: Api, server: LocalSessionsServer) -> None:
    error = error_of(api.post(SESSIONS, json={"agentId": "not-a-uuid", "userId": new_user()}), 400)
    assert error["message"] == "Invalid UUID format for field 'agentId'"
    assert error["details"] == {"providedValue": "not-a-uuid", "expectedFormat": "UUID v4"}
    error = error_of(api.post(SESSIONS, json={"agentId": server.agent_id, "userId": "u-1"}), 400)
    assert error["message"] == "Invalid UUID format for field 'userId'"
    # agentId is checked before userId
    error = error_of(api.post(SESSIONS, json={"agentId": "x", "userId": "y"}), 400)
    assert error["message"].endswith("'agentId'")


def test_uuid_rule_is_loose(api: Api) -> None:
    for user in ("00000000-0000-0000-0000-000000000000", "ABCDEF01-2345-6789-ABCD-EF0123456789"):
        assert api.create(userId=user)["userId"] == user


def test_unknown_agent(api: Api) -> None:
    agent = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    error = error_of(api.post(SESSIONS, json={"agentId": agent, "userId": new_user()}), 404)
    assert error["code"] == "AGENT_NOT_FOUND"
    assert error["message"] == f"Agent with ID '{agent}' not found"
    assert "details" not in error


def test_unknown_agent_checked_before_metadata(api: Api) -> None:
    body = {"agentId": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "userId": new_user(), "metadata": {"b": "x" * 20000}}
    assert error_of(api.post(SESSIONS, json=body), 404)["code"] == "AGENT_NOT_FOUND"


def test_metadata_size_boundary(api: Api, server: LocalSessionsServer) -> None:
    # {"b":"…"} is 8 characters of JSON around the value
    exact = {"b": "x" * (10240 - 8)}
    assert api.create(metadata=exact)["metadata"] == exact
    over = {"b": "x" * (10241 - 8)}
    error = error_of(api.post(SESSIONS, json={"agentId": server.agent_id, "userId": new_user(), "metadata": over}), 400)
    assert error["message"] == "Invalid metadata: Metadata exceeds maximum size of 10240 bytes"
    assert error["details"] == {"reason": "Metadata exceeds maximum size of 10240 bytes", "providedMetadata": over}


def test_metadata_counts_utf16_units(api: Api, server: LocalSessionsServer) -> None:
    emoji = "\U0001f600"  # two UTF-16 code units, one Python character
    fits = {"b": emoji * ((10240 - 8) // 2)}
    assert api.create(metadata=fits)["metadata"] == fits
    over = {"b": emoji * ((10240 - 8) // 2) + "x"}
    body = {"agentId": server.agent_id, "userId": new_user(), "metadata": over}
    assert error_of(api.post(SESSIONS, json=body), 400)["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(("metadata", "echoed"), [("abc", "abc"), (["p", "q"], ["p", "q"]), (None, {}), (0, {})])
def test_metadata_type_not_enforced(api: Api, metadata: Any, echoed: Any) -> None:
    assert api.create(metadata=metadata)["metadata"] == echoed


def test_string_metadata_spreads_into_messages(api: Api) -> None:
    created = api.create(metadata="ab")
    message = api.send(created["sessionId"], "x").json()["userMessage"]
    assert message["metadata"]["0"] == "a"
    assert message["metadata"]["1"] == "b"
    assert list(message["metadata"])[:2] == ["0", "1"]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"timeoutMinutes": 2}, {"timeoutMinutes": 5}),
        ({"timeoutMinutes": 0}, {"timeoutMinutes": 5}),
        ({"timeoutMinutes": None}, {"timeoutMinutes": 5}),
        ({"timeoutMinutes": ""}, {"timeoutMinutes": 5}),
        ({"timeoutMinutes": "abc"}, {"timeoutMinutes": 30}),
        ({"timeoutMinutes": "10"}, {"timeoutMinutes": 10}),
        ({"timeoutMinutes": 7.5}, {"timeoutMinutes": 7.5}),
        ({"timeoutMinutes": 99999}, {"timeoutMinutes": 1440, "maxDurationMinutes": 720}),
        ({"maxDurationMinutes": "0x40"}, {"maxDurationMinutes": 64}),
        ({"maxDurationMinutes": 99999}, {"maxDurationMinutes": 2880}),
        ({"maxDurationMinutes": 1}, {"maxDurationMinutes": 30}),
        ({"maxDurationMinutes": "nope"}, {"maxDurationMinutes": 720}),
        ({"warningThresholdMinutes": 0}, {"warningThresholdMinutes": 1}),
        ({"warningThresholdMinutes": 5000}, {"warningThresholdMinutes": 5000}),
        ({"autoRenew": "false"}, {"autoRenew": "false"}),
        ({"autoRenew": None}, {"autoRenew": None}),
    ],
)
def test_create_timeout_config_is_clamped(api: Api, config: dict[str, Any], expected: dict[str, Any]) -> None:
    result = api.create(timeoutConfig=config)["timeoutConfig"]
    full = {"timeoutMinutes": 30, "autoRenew": True, "maxDurationMinutes": 720, "warningThresholdMinutes": 5}
    assert result == {**full, **expected}


def test_create_ignores_non_object_timeout_config(api: Api) -> None:
    assert api.create(timeoutConfig="fast")["timeoutConfig"]["timeoutMinutes"] == 30


def test_env_settings_change_bounds(clock: Any) -> None:
    env = {"SESSION_MIN_TIMEOUT_MINUTES": "1", "SESSION_DEFAULT_TIMEOUT_MINUTES": "45abc"}
    with LocalSessionsServer(clock=clock, rate_limit=None, env=env) as server:
        helper = Api(server)
        try:
            assert helper.create(timeoutConfig={"timeoutMinutes": 0})["timeoutConfig"]["timeoutMinutes"] == 1
            assert helper.create()["timeoutConfig"]["timeoutMinutes"] == 45
            sid = helper.create()["sessionId"]
            response = helper.request("PATCH", f"{SESSIONS}/{sid}/timeout", json={"timeoutMinutes": 0})
            assert response.json()["error"]["message"].endswith("Timeout must be between 1 and 1440 minutes")
        finally:
            helper.close()
    assert server.settings.min_timeout == 1


# ------------------------------------------------------------------------------------------------ send


def test_transport_errors(api: Api) -> None:
    sid = api.create()["sessionId"]
    error = error_of(api.send(sid, transport="foo"), 400)
    reason = 'Invalid transport "foo". Must be one of: http, sse, websocket, sync, stream'
    assert error["message"] == f"Invalid content: {reason}"
    assert error["details"] == {"reason": reason}
    error = error_of(api.send(sid, transport=123), 400)
    assert error["message"] == 'Invalid content: Invalid transport type "number". Transport must be a string.'
    error = error_of(api.send(sid, mode=True), 400)
    assert error["details"]["reason"] == 'Invalid transport type "boolean". Transport must be a string.'
    error = error_of(api.send(sid, mode="foo"), 400)
    assert error["details"]["reason"].startswith('Invalid transport "foo"')


@pytest.mark.parametrize(
    ("extra", "status", "has_reply"),
    [
        ({"mode": "sync"}, 201, True),
        ({"mode": "websocket"}, 201, False),
        ({"transport": None, "mode": "sync"}, 201, True),
        ({"transport": "websocket", "mode": "sync"}, 201, False),
        ({"transport": "toString"}, 201, False),
        ({"transport": "__proto__"}, 201, False),
        ({"mode": "stream"}, 200, False),
    ],
)
def test_legacy_modes_and_prototype_keys(api: Api, extra: dict[str, Any], status: int, has_reply: bool) -> None:
    sid = api.create()["sessionId"]
    response = api.send(sid, "x", **extra)
    assert response.status_code == status
    if status == 201:
        assert ("agentResponse" in response.json()) is has_reply
    else:
        assert response.headers["Content-Type"] == "text/event-stream"


def test_check_order(api: Api) -> None:
    unknown = "00000000-1111-4222-8333-444444444444"
    # transport first, even for an unknown session
    assert error_of(api.send(unknown, transport="foo"), 400)["code"] == "VALIDATION_ERROR"
    # content type before the session
    error = error_of(api.post(f"{SESSIONS}/{unknown}/messages", json={"content": 5}), 400)
    assert error["message"] == "Invalid content: Invalid message request format"
    # then the session, before content length and metadata
    assert error_of(api.send(unknown, ""), 404)["code"] == "SESSION_NOT_FOUND"
    assert error_of(api.send(unknown, "x", metadata={"b": "x" * 20000}), 404)["code"] == "SESSION_NOT_FOUND"


def test_content_limits(api: Api) -> None:
    sid = api.create()["sessionId"]
    error = error_of(api.send(sid, ""), 400)
    assert error["message"] == "Invalid content: Content cannot be empty"
    assert api.send(sid, "   ").status_code == 201
    assert api.send(sid, "x" * 4000).status_code == 201
    error = error_of(api.send(sid, "x" * 4001), 400)
    assert error["message"] == "Invalid content: Content exceeds maximum length of 4000 characters"
    emoji = "\U0001f600"
    assert api.send(sid, emoji * 2000).status_code == 201
    assert api.send(sid, emoji * 2000 + "x").status_code == 400


def test_content_missing_or_not_string(api: Api) -> None:
    sid = api.create()["sessionId"]
    for body in ({}, {"content": 5}, {"content": None}, ["x"]):
        error = error_of(api.post(f"{SESSIONS}/{sid}/messages", json=body), 400)
        assert error["message"] == "Invalid content: Invalid message request format"


def test_send_without_json_body_is_500(api: Api) -> None:
    sid = api.create()["sessionId"]
    error = error_of(api.post(f"{SESSIONS}/{sid}/messages"), 500)
    assert error["code"] == "INTERNAL_SERVER_ERROR"
    assert error["message"] == "An unexpected error occurred"
    assert error["details"] == "Cannot read properties of undefined (reading 'transport')"
    assert error["stack"].startswith("TypeError: Cannot read properties of undefined")
    # an empty body that *is* JSON parses as {}
    empty = api.post(f"{SESSIONS}/{sid}/messages", data=b"", headers={"Content-Type": "application/json"})
    assert error_of(empty, 400)["message"] == "Invalid content: Invalid message request format"


def test_message_metadata_size(api: Api) -> None:
    sid = api.create()["sessionId"]
    error = error_of(api.send(sid, "x", metadata={"b": "x" * 10241}), 400)
    assert error["message"].startswith("Invalid metadata:")
    assert api.send(sid, "x", metadata="y" * 20000).status_code == 201  # strings are not measured


def test_caller_metadata_overrides_reserved_keys(api: Api) -> None:
    sid = api.create()["sessionId"]
    message = api.send(sid, "x", metadata={"sessionId": "spoofed", "userId": "spoofed"}).json()["userMessage"]
    assert message["metadata"]["sessionId"] == "spoofed"
    assert message["metadata"]["userId"] == "spoofed"


def test_attachments_echoed_verbatim(api: Api) -> None:
    sid = api.create()["sessionId"]
    attachments = [{"type": "image", "url": "https://example.invalid/a.png", "name": "a.png"}]
    message = api.send(sid, "att", attachments=attachments).json()["userMessage"]
    assert message["raw_message"] == {"content": "att", "attachments": attachments}


# ------------------------------------------------------------------------------------------------ PATCH


@pytest.mark.parametrize(
    "body", [{"autoRenew": "yes"}, {"timeoutMinutes": None}, {"timeoutMinutes": [5]}, {"maxDurationMinutes": {}}]
)
def test_patch_format_errors(api: Api, body: dict[str, Any]) -> None:
    sid = api.create()["sessionId"]
    error = error_of(api.request("PATCH", f"{SESSIONS}/{sid}/timeout", json=body), 400)
    assert error["message"] == "Invalid timeout configuration: Invalid timeout configuration format"
    assert error["details"] == {"reason": "Invalid timeout configuration format", "providedConfig": body}


def test_patch_without_body(api: Api) -> None:
    sid = api.create()["sessionId"]
    error = error_of(api.request("PATCH", f"{SESSIONS}/{sid}/timeout"), 400)
    assert error["details"] == {"reason": "Invalid timeout configuration format"}
    empty_json = api.request(
        "PATCH", f"{SESSIONS}/{sid}/timeout", data=b"", headers={"Content-Type": "application/json"}
    )
    assert empty_json.status_code == 200


@pytest.mark.parametrize("minutes", [4, 0, 1441, "2", -5])
def test_patch_range_check(api: Api, minutes: Any) -> None:
    sid = api.create()["sessionId"]
    error = error_of(api.request("PATCH", f"{SESSIONS}/{sid}/timeout", json={"timeoutMinutes": minutes}), 400)
    assert error["message"] == "Invalid timeout configuration: Timeout must be between 5 and 1440 minutes"
    assert error["details"]["providedConfig"] == {"timeoutMinutes": minutes}


def test_patch_non_numeric_string_falls_back_to_default(api: Api) -> None:
    sid = api.create(timeoutConfig={"timeoutMinutes": 60})["sessionId"]
    response = api.request("PATCH", f"{SESSIONS}/{sid}/timeout", json={"timeoutMinutes": "abc"})
    assert response.status_code == 200
    assert response.json()["timeoutConfig"]["timeoutMinutes"] == 30
    response = api.request("PATCH", f"{SESSIONS}/{sid}/timeout", json={"timeoutMinutes": "20"})
    assert response.json()["timeoutConfig"]["timeoutMinutes"] == 20


# ------------------------------------------------------------------------------------------------ pagination


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("before", "yesterday", "Must be a valid timestamp"),
        ("after", "abc", "Must be a valid timestamp"),
        ("after", "99999999999999999", "Invalid date from timestamp"),
        ("before", "-8640000000000001", "Invalid date from timestamp"),
        ("before", "9" * 400, "Must be a valid timestamp"),
    ],
)
def test_pagination_errors(api: Api, name: str, value: str, reason: str) -> None:
    sid = api.create()["sessionId"]
    error = error_of(api.messages(sid, **{name: value}), 400)
    assert error["message"] == f"Invalid pagination parameter '{name}': {reason}"
    assert error["details"] == {"parameter": name, "value": value, "reason": reason}


def test_pagination_lenient_parsing(api: Api) -> None:
    sid = api.create()["sessionId"]
    for params in ({"before": ""}, {"after": "  12abc"}, {"before": "1.9e12"}, {"limit": "abc"}, {"limit": "-3"}):
        assert api.messages(sid, **params).status_code == 200
