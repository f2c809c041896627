"""Session lifecycle on a manual clock: renewal, max duration, heartbeat, PATCH, expiry, cleanup, health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eliza_client.testing import LocalSessionsServer, ManualClock

from .conftest import SESSIONS, T0, Api


def epoch_ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso).timestamp() * 1000)


def info(api: Api, sid: str) -> dict[str, Any]:
    response = api.get(f"{SESSIONS}/{sid}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_messages_renew_the_session(api: Api, clock: ManualClock) -> None:
    sid = api.create()["sessionId"]
    clock.advance(minutes=10)
    status = api.send(sid).json()["sessionStatus"]
    assert status == {
        "expiresAt": "2025-12-31T10:40:00.000Z",
        "renewalCount": 1,
        "wasRenewed": True,
        "isNearExpiration": False,
    }
    body = info(api, sid)
    assert body["lastActivity"] == "2025-12-31T10:10:00.000Z"
    assert body["renewalCount"] == 1


def test_send_without_auto_renew_only_moves_last_activity(api: Api, clock: ManualClock) -> None:
    sid = api.create(timeoutConfig={"autoRenew": False})["sessionId"]
    clock.advance(minutes=10)
    status = api.send(sid).json()["sessionStatus"]
    assert status["wasRenewed"] is False
    assert status["renewalCount"] == 0
    assert status["expiresAt"] == "2025-12-31T10:30:00.000Z"
    assert info(api, sid)["lastActivity"] == "2025-12-31T10:10:00.000Z"


def test_string_false_auto_renew_behaves_as_true(api: Api, clock: ManualClock) -> None:
    sid = api.create(timeoutConfig={"autoRenew": "false"})["sessionId"]
    clock.advance(minutes=10)
    assert api.send(sid).json()["sessionStatus"]["wasRenewed"] is True


def test_near_expiration_is_always_false_in_send_replies(api: Api, clock: ManualClock) -> None:
    sid = api.create(timeoutConfig={"autoRenew": False, "timeoutMinutes": 10})["sessionId"]
    clock.advance(minutes=7)  # 3 minutes left, inside the 5-minute warning window
    assert info(api, sid)["isNearExpiration"] is True
    assert api.send(sid).json()["sessionStatus"]["isNearExpiration"] is False
    assert info(api, sid)["isNearExpiration"] is True


def test_five_minute_session_is_near_expiration_at_once(api: Api) -> None:
    sid = api.create(timeoutConfig={"timeoutMinutes": 5})["sessionId"]
    assert info(api, sid)["isNearExpiration"] is True


def test_max_duration_caps_expiry(api: Api, clock: ManualClock) -> None:
    sid = api.create(timeoutConfig={"timeoutMinutes": 30, "maxDurationMinutes": 60})["sessionId"]
    clock.advance(minutes=20)
    assert api.send(sid).json()["sessionStatus"]["expiresAt"] == "2025-12-31T10:50:00.000Z"
    clock.advance(minutes=25)
    status = api.send(sid).json()["sessionStatus"]
    assert status["expiresAt"] == "2025-12-31T11:00:00.000Z"  # createdAt + 60, not now + 30
    clock.advance(minutes=15, ms=-1)
    assert info(api, sid)["timeRemaining"] == 1
    clock.advance(ms=1)  # 11:00 is also a cleanup tick, which removes it silently: 404, not 410
    assert api.get(f"{SESSIONS}/{sid}").status_code == 404


def test_timeout_above_max_duration(api: Api) -> None:
    created = api.create(timeoutConfig={"timeoutMinutes": 99999})
    assert created["timeoutConfig"]["maxDurationMinutes"] == 720
    assert created["expiresAt"] == "2025-12-31T22:00:00.000Z"


def test_renew_works_without_auto_renew(api: Api, clock: ManualClock) -> None:
    sid = api.create(timeoutConfig={"autoRenew": False})["sessionId"]
    clock.advance(minutes=20)
    body = api.post(f"{SESSIONS}/{sid}/renew").json()
    assert body["renewalCount"] == 1
    assert body["expiresAt"] == "2025-12-31T10:50:00.000Z"
    assert body["timeRemaining"] == 30 * 60_000
    assert body["timeoutConfig"]["autoRenew"] is False
    assert body["lastActivity"] == "2025-12-31T10:20:00.000Z"


class TickingClock(ManualClock):
    """A clock on which a millisecond passes at every read, as when a slow server reads ``Date.now()`` twice."""

    def now_ms(self) -> int:
        return self.advance(ms=1) - 1


def test_session_info_reads_the_clock_again() -> None:
    # The real createSessionInfoResponse computes timeRemaining from its own Date.now(), not the handler's: a tick
    # between the two shows right after a renewal as less than the whole timeout (1199.999 s of 20 minutes, seen on
    # the real 1.7.0). The imitation reads twice too, so a client that assumes one read fails here, not only there.
    clock = TickingClock(T0)
    with LocalSessionsServer(clock=clock, rate_limit=None) as server:
        api = Api(server)
        sid = api.create(timeoutConfig={"autoRenew": False, "timeoutMinutes": 20})["sessionId"]
        body = api.post(f"{SESSIONS}/{sid}/renew").json()
        renewed_at = epoch_ms(body["lastActivity"])
        assert epoch_ms(body["expiresAt"]) - renewed_at == 20 * 60_000
        assert 0 < 20 * 60_000 - body["timeRemaining"] <= 5
        listed = api.get(SESSIONS).json()["sessions"][0]
        assert listed["expiresAt"] == body["expiresAt"]
        assert listed["timeRemaining"] < body["timeRemaining"]
        api.close()


def test_renew_keeps_a_non_boolean_auto_renew(api: Api) -> None:
    sid = api.create(timeoutConfig={"autoRenew": 0})["sessionId"]
    assert api.post(f"{SESSIONS}/{sid}/renew").json()["timeoutConfig"]["autoRenew"] == 0


def test_heartbeat(api: Api, clock: ManualClock) -> None:
    renewing = api.create()["sessionId"]
    fixed = api.create(timeoutConfig={"autoRenew": False})["sessionId"]
    clock.advance(minutes=10)
    body = api.post(f"{SESSIONS}/{renewing}/heartbeat").json()
    assert body["renewalCount"] == 1
    assert body["expiresAt"] == "2025-12-31T10:40:00.000Z"
    body = api.post(f"{SESSIONS}/{fixed}/heartbeat").json()
    assert body["renewalCount"] == 0
    assert body["expiresAt"] == "2025-12-31T10:30:00.000Z"
    assert body["lastActivity"] == "2025-12-31T10:10:00.000Z"
    assert body["timeRemaining"] == 20 * 60_000


def test_patch_resets_omitted_fields(api: Api, clock: ManualClock) -> None:
    sid = api.create(timeoutConfig={"timeoutMinutes": 60, "maxDurationMinutes": 300, "warningThresholdMinutes": 9})[
        "sessionId"
    ]
    clock.advance(minutes=20)
    api.post(f"{SESSIONS}/{sid}/renew")
    clock.advance(minutes=5)
    body = api.request("PATCH", f"{SESSIONS}/{sid}/timeout", json={"timeoutMinutes": 90, "autoRenew": False}).json()
    assert body["timeoutConfig"] == {
        "timeoutMinutes": 90,
        "autoRenew": False,
        "maxDurationMinutes": 720,
        "warningThresholdMinutes": 5,
    }
    assert body["expiresAt"] == "2025-12-31T11:30:00.000Z"  # counted from createdAt without auto-renew
    assert body["renewalCount"] == 1
    assert body["lastActivity"] == "2025-12-31T10:20:00.000Z"
    reset = api.request("PATCH", f"{SESSIONS}/{sid}/timeout", json={}).json()
    assert reset["timeoutConfig"] == {
        "timeoutMinutes": 30,
        "autoRenew": True,
        "maxDurationMinutes": 720,
        "warningThresholdMinutes": 5,
    }
    assert reset["expiresAt"] == "2025-12-31T10:50:00.000Z"  # lastActivity + 30
    assert api.request("PATCH", f"{SESSIONS}/{sid}/timeout", json=[]).status_code == 200


def test_patch_can_move_expiry_into_the_past(api: Api, clock: ManualClock) -> None:
    sid = api.create(timeoutConfig={"timeoutMinutes": 60})["sessionId"]
    clock.advance(minutes=40)
    body = api.request("PATCH", f"{SESSIONS}/{sid}/timeout", json={"timeoutMinutes": 10, "autoRenew": False}).json()
    assert body["expiresAt"] == "2025-12-31T10:10:00.000Z"
    assert body["timeRemaining"] == 0
    assert api.get(f"{SESSIONS}/{sid}").status_code == 410


def test_message_metadata_keeps_the_creation_config(api: Api) -> None:
    sid = api.create()["sessionId"]
    api.request("PATCH", f"{SESSIONS}/{sid}/timeout", json={"timeoutMinutes": 90})
    message = api.send(sid).json()["userMessage"]
    assert message["metadata"]["timeoutConfig"]["timeoutMinutes"] == 30


def test_expiry_answers_410_once_then_404_everywhere(api: Api, clock: ManualClock) -> None:
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "", {}),
        ("POST", "/messages", {"json": {"content": "late"}}),
        ("GET", "/messages", {}),
        ("POST", "/renew", {}),
        ("POST", "/heartbeat", {}),
        ("PATCH", "/timeout", {"json": {"timeoutMinutes": 30}}),
    ]
    clock.advance(minutes=1)  # keep clear of the cleanup tick at T0 + 5 min
    sessions = [api.create(timeoutConfig={"timeoutMinutes": 5, "autoRenew": False})["sessionId"] for _ in calls]
    clock.advance(minutes=5, ms=1)
    for sid, (method, suffix, kwargs) in zip(sessions, calls, strict=True):
        first = api.request(method, f"{SESSIONS}/{sid}{suffix}", **kwargs)
        assert first.status_code == 410, (suffix, first.text)
        error = first.json()["error"]
        assert error["code"] == "SESSION_EXPIRED"
        assert error["message"] == f"Session '{sid}' expired at 2025-12-31T10:06:00.000Z"
        assert "details" not in error
        second = api.request(method, f"{SESSIONS}/{sid}{suffix}", **kwargs)
        assert second.status_code == 404
        assert second.json()["error"]["code"] == "SESSION_NOT_FOUND"


def test_expiry_boundary_is_inclusive(api: Api, clock: ManualClock) -> None:
    clock.advance(minutes=1)
    sid = api.create(timeoutConfig={"timeoutMinutes": 5, "autoRenew": False})["sessionId"]
    clock.advance(minutes=5, ms=-1)
    assert info(api, sid)["timeRemaining"] == 1
    clock.advance(ms=1)
    assert api.get(f"{SESSIONS}/{sid}").status_code == 410


def test_delete_skips_the_expiry_check(api: Api, clock: ManualClock) -> None:
    clock.advance(minutes=1)
    sid = api.create(timeoutConfig={"timeoutMinutes": 5, "autoRenew": False})["sessionId"]
    clock.advance(minutes=6)
    assert api.request("DELETE", f"{SESSIONS}/{sid}").status_code == 200


def test_expired_but_unswept_in_list_and_health(api: Api, clock: ManualClock) -> None:
    clock.advance(minutes=1)
    live = api.create()["sessionId"]
    api.create(timeoutConfig={"timeoutMinutes": 5, "autoRenew": False})
    clock.advance(minutes=5, ms=1)
    listing = api.get(SESSIONS).json()
    assert [s["sessionId"] for s in listing["sessions"]] == [live]
    assert listing["total"] == 1
    assert listing["stats"] == {"totalSessions": 2, "activeSessions": 1, "expiredSessions": 1}
    health = api.get(f"{SESSIONS}/health").json()
    assert health["activeSessions"] == 1


def test_cleanup_sweep_turns_410_into_404(api: Api, server: LocalSessionsServer, clock: ManualClock) -> None:
    # the sweep runs every SESSION_CLEANUP_INTERVAL_MINUTES (5) of clock time since the server started
    sid = api.create(timeoutConfig={"timeoutMinutes": 5, "autoRenew": False})["sessionId"]
    clock.advance(minutes=5)  # expires exactly at the T0 + 5 min tick: swept
    assert api.get(f"{SESSIONS}/{sid}").status_code == 404
    assert api.get(SESSIONS).json()["stats"]["totalSessions"] == 0
    other = api.create(timeoutConfig={"timeoutMinutes": 5, "autoRenew": False})["sessionId"]
    clock.advance(minutes=5, ms=1)
    server.run_cleanup()
    assert api.get(f"{SESSIONS}/{other}").status_code == 404


def test_cleanup_interval_from_env(clock: ManualClock) -> None:
    env = {"SESSION_CLEANUP_INTERVAL_MINUTES": "60"}
    with LocalSessionsServer(clock=clock, rate_limit=None, env=env) as server:
        helper = Api(server)
        try:
            sid = helper.create(timeoutConfig={"timeoutMinutes": 5, "autoRenew": False})["sessionId"]
            clock.advance(minutes=30)
            assert helper.get(f"{SESSIONS}/{sid}").status_code == 410
        finally:
            helper.close()


def test_health_counts_and_expiring_soon(api: Api, clock: ManualClock) -> None:
    clock.advance(minutes=1)
    near = api.create(timeoutConfig={"timeoutMinutes": 8, "autoRenew": False})["sessionId"]  # until 10:09
    api.create()
    clock.advance(minutes=2)
    health = api.get(f"{SESSIONS}/health").json()
    assert health["activeSessions"] == 2
    assert health["expiringSoon"] == 0
    assert "invalidSessions" not in health
    clock.advance(ms=60_000)  # 10:04: `near` has 5 minutes left and was never flagged
    assert api.get(f"{SESSIONS}/health").json()["expiringSoon"] == 1
    clock.advance(ms=60_000)  # the 10:05 cleanup tick flags it as warned: no longer counted
    assert api.get(f"{SESSIONS}/health").json()["expiringSoon"] == 0
    assert info(api, near)["isNearExpiration"] is True
    assert api.get(f"{SESSIONS}/health").json()["timestamp"] == "2025-12-31T10:05:00.000Z"


def test_messages_survive_deletion(api: Api, server: LocalSessionsServer) -> None:
    sid = api.create()["sessionId"]
    api.send(sid, "kept", transport="http")
    api.request("DELETE", f"{SESSIONS}/{sid}")
    assert [m["content"] for m in server.stored_messages(sid)] == ["kept"]


def test_created_at_from_clock(api: Api, clock: ManualClock) -> None:
    clock.set(T0 + 123)
    created = api.create()
    assert created["createdAt"] == "2025-12-31T10:00:00.123Z"
