"""U+0000 reaches the database, which rejects it: 500s with the real server's codes (seen on 1.7.2 in conformance)."""

from __future__ import annotations

from eliza_client.testing import LocalSessionsServer, ManualClock

from .conftest import SESSIONS, Api, new_user


def test_nul_in_create_metadata_fails_and_creates_nothing(api: Api, server: LocalSessionsServer) -> None:
    response = api.post(SESSIONS, json={"agentId": server.agent_id, "userId": new_user(), "metadata": {"k": "a\x00"}})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "SESSION_CREATION_FAILED"
    assert error["message"] == "Failed to create session: Failed to create channel or add participants"
    assert error["details"]["originalError"].startswith("Failed query: insert into")
    assert api.get(SESSIONS).json()["total"] == 0


def test_nul_in_send_fails_after_renewing_and_stores_nothing(
    api: Api, server: LocalSessionsServer, clock: ManualClock
) -> None:
    session = api.create()
    clock.advance(minutes=1)
    for body in (
        {"content": "a\x00b"},
        {"content": "ok", "metadata": {"k\x00": 1}},
        {"content": "ok", "attachments": [{"type": "file", "url": "\x00"}]},
    ):
        response = api.post(f"{SESSIONS}/{session['sessionId']}/messages", json=body)
        assert response.status_code == 500
        error = response.json()["error"]
        assert error["code"] == "MESSAGE_SEND_FAILED"
        assert error["message"] == (
            f"Failed to send message in session '{session['sessionId']}': Failed to create message in database"
        )
    assert server.stored_messages(session["sessionId"]) == []
    # The session was renewed before the write failed, as on the real server.
    info = api.get(f"{SESSIONS}/{session['sessionId']}").json()
    assert info["renewalCount"] == 3
