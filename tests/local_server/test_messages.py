"""GET …/messages: the three retrieval modes, cursors, ties, limit parsing, stored shapes; the agent's replies."""

from __future__ import annotations

from typing import Any

import pytest

from eliza_client.testing import FAIL_MARKER, SILENT_MARKER, LocalSessionsServer, ManualClock

from .conftest import T0, Api


def fill(api: Api, clock: ManualClock, sid: str, count: int, step_ms: int = 1000) -> list[int]:
    """Store ``count`` user messages ``step_ms`` apart (http transport: no agent replies); their timestamps."""
    stamps = []
    for index in range(count):
        clock.advance(ms=step_ms)
        response = api.send(sid, f"m{index}", transport="http")
        assert response.status_code == 201
        stamps.append(response.json()["userMessage"]["created_at"])
    return stamps


def page(api: Api, sid: str, **params: Any) -> dict[str, Any]:
    response = api.messages(sid, **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def contents(body: dict[str, Any]) -> list[str]:
    return [m["content"] for m in body["messages"]]


def test_newest_first_and_before_paging(api: Api, clock: ManualClock) -> None:
    sid = api.create()["sessionId"]
    stamps = fill(api, clock, sid, 5)
    first = page(api, sid, limit=2)
    assert contents(first) == ["m4", "m3"]
    assert first["hasMore"] is True
    assert first["cursors"] == {"before": stamps[3], "after": stamps[4]}
    second = page(api, sid, limit=2, before=first["cursors"]["before"])
    assert contents(second) == ["m2", "m1"]
    third = page(api, sid, limit=2, before=second["cursors"]["before"])
    assert contents(third) == ["m0"]
    assert third["hasMore"] is False


def test_exact_multiple_gives_an_extra_empty_page(api: Api, clock: ManualClock) -> None:
    sid = api.create()["sessionId"]
    fill(api, clock, sid, 2)
    full = page(api, sid, limit=2)
    assert full["hasMore"] is True
    assert page(api, sid, limit=2, before=full["cursors"]["before"]) == {"messages": [], "hasMore": False}


def test_after_only_returns_the_oldest_newer_messages(api: Api, clock: ManualClock) -> None:
    sid = api.create()["sessionId"]
    stamps = fill(api, clock, sid, 6)
    body = page(api, sid, after=stamps[0], limit=2)
    assert contents(body) == ["m2", "m1"]  # the oldest two newer than m0, newest first
    assert body["hasMore"] is True
    body = page(api, sid, after=stamps[3], limit=5)
    assert contents(body) == ["m5", "m4"]
    assert body["hasMore"] is False
    assert page(api, sid, after=stamps[5]) == {"messages": [], "hasMore": False}


def test_after_only_looks_at_a_window_of_newest_messages(api: Api, clock: ManualClock) -> None:
    sid = api.create()["sessionId"]
    stamps = fill(api, clock, sid, 25, step_ms=10)
    # limit=1 → only the newest 20 are scanned, so m1…m4 are silently skipped
    body = page(api, sid, after=stamps[0], limit=1)
    assert contents(body) == ["m5"]


def test_before_and_after_returns_the_newest_end(api: Api, clock: ManualClock) -> None:
    sid = api.create()["sessionId"]
    stamps = fill(api, clock, sid, 8)
    body = page(api, sid, after=stamps[1], before=stamps[7], limit=2)
    assert contents(body) == ["m6", "m5"]
    assert body["hasMore"] is True


def test_range_scans_only_ten_times_limit(api: Api, clock: ManualClock) -> None:
    sid = api.create()["sessionId"]
    stamps = fill(api, clock, sid, 15, step_ms=10)
    # limit=1 → 10 rows older than `before` are scanned: m4…m13; none is newer than m2 except those
    body = page(api, sid, after=stamps[2], before=stamps[14], limit=1)
    assert contents(body) == ["m13"]
    body = page(api, sid, after=stamps[0], before=stamps[3], limit=1)
    assert contents(body) == ["m2"]


def test_cursors_are_exclusive_and_skip_equal_timestamps(api: Api, clock: ManualClock) -> None:
    sid = api.create()["sessionId"]
    clock.advance(ms=5)
    for name in ("a", "b", "c"):  # three messages in the same millisecond
        api.send(sid, name, transport="http")
    first = page(api, sid, limit=2)
    assert contents(first) == ["a", "b"]  # no tie-breaker: insertion order among equal timestamps
    assert first["cursors"]["before"] == first["cursors"]["after"] == T0 + 5
    # "c" shares the cursor's millisecond and is skipped by the strict comparison
    assert page(api, sid, limit=2, before=first["cursors"]["before"]) == {"messages": [], "hasMore": False}
    widened = page(api, sid, limit=5, before=first["cursors"]["before"] + 1)
    assert contents(widened) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("limit", "expected"),
    [("0", 1), ("-5", 1), ("1", 1), ("1000", 100), ("abc", 50), ("", 50), ("7.9", 7), ("  3x", 3), (None, 50)],
)
def test_limit_parsing(api: Api, clock: ManualClock, limit: str | None, expected: int) -> None:
    sid = api.create()["sessionId"]
    clock.advance(ms=1)
    for index in range(120):
        api.send(sid, f"m{index}", transport="http")
    params = {} if limit is None else {"limit": limit}
    body = page(api, sid, **params)
    assert len(body["messages"]) == expected
    assert body["hasMore"] is True


def test_iso_strings_are_read_as_leading_integers(api: Api, clock: ManualClock) -> None:
    sid = api.create()["sessionId"]
    fill(api, clock, sid, 2)
    assert contents(page(api, sid, after="2025-12-31T10:00:00Z")) == ["m1", "m0"]  # after=2025 ms
    assert page(api, sid, before="2025-12-31T10:00:00Z") == {"messages": [], "hasMore": False}


def test_repeated_query_parameters(api: Api, clock: ManualClock) -> None:
    sid = api.create()["sessionId"]
    fill(api, clock, sid, 3)
    assert len(page(api, sid, limit=["2", "9"])["messages"]) == 2  # String(["2","9"]) = "2,9" → 2


def test_page_and_offset_are_ignored(api: Api, clock: ManualClock) -> None:
    sid = api.create()["sessionId"]
    fill(api, clock, sid, 3)
    assert contents(page(api, sid, page=2, offset=1)) == ["m2", "m1", "m0"]


def test_user_metadata_thought_and_actions_are_dropped(api: Api) -> None:
    sid = api.create()["sessionId"]
    api.send(sid, "x", transport="http", metadata={"thought": "mine", "actions": ["A"], "keep": 1})
    metadata = page(api, sid)["messages"][0]["metadata"]
    assert "thought" not in metadata
    assert "actions" not in metadata
    assert metadata["keep"] == 1


def test_attachments_are_not_returned(api: Api) -> None:
    sid = api.create()["sessionId"]
    api.send(sid, "x", transport="http", attachments=[{"type": "file", "url": "u"}])
    item = page(api, sid)["messages"][0]
    assert "attachments" not in item
    assert "attachments" not in item["metadata"]


def test_only_websocket_replies_are_stored(api: Api, server: LocalSessionsServer, clock: ManualClock) -> None:
    sid = api.create()["sessionId"]
    api.send(sid, "via http", transport="http")
    clock.advance(ms=1)
    stream = api.send(sid, "via sse", transport="sse")
    assert stream.status_code == 200
    assert "event: done" in stream.text
    clock.advance(ms=1)
    api.send(sid, "via websocket")
    assert server.wait_for_agent_replies()
    stored = server.stored_messages(sid)
    assert [m["content"] for m in stored] == ["via http", "via sse", "via websocket", "You said: via websocket"]
    assert [m["isAgent"] for m in stored] == [False, False, False, True]


def test_websocket_reply_timestamp_comes_from_the_clock(api: Api, server: LocalSessionsServer, clock: Any) -> None:
    sid = api.create()["sessionId"]
    api.send(sid, "now")
    assert server.wait_for_agent_replies()
    clock.advance(minutes=1)
    api.send(sid, "later")
    assert server.wait_for_agent_replies()
    stamps = [m["createdAt"] for m in server.stored_messages(sid)]
    assert stamps == [
        "2025-12-31T10:00:00.000Z",
        "2025-12-31T10:00:00.000Z",
        "2025-12-31T10:01:00.000Z",
        "2025-12-31T10:01:00.000Z",
    ]


def test_agent_failure_marker(api: Api, server: LocalSessionsServer) -> None:
    sid = api.create()["sessionId"]
    failed = api.send(sid, f"please {FAIL_MARKER}", transport="http")
    assert failed.status_code == 500
    assert failed.json() == {"success": False, "error": "Failed to process message in HTTP transport"}
    assert "RateLimit-Limit" not in failed.headers  # rate limiting is off on this server
    stream = api.send(sid, FAIL_MARKER, transport="sse")
    assert stream.status_code == 200
    assert 'event: error\ndata: {"error":' in stream.text
    assert "event: done" not in stream.text
    api.send(sid, FAIL_MARKER)
    assert server.wait_for_agent_replies()
    # the user messages are stored before the agent runs; the failing agent stores nothing
    assert [m["isAgent"] for m in server.stored_messages(sid)] == [False, False, False]


def test_agent_silent_marker(api: Api, server: LocalSessionsServer) -> None:
    sid = api.create()["sessionId"]
    body = api.send(sid, SILENT_MARKER, transport="http").json()
    assert body["success"] is True
    assert "agentResponse" not in body
    stream = api.send(sid, SILENT_MARKER, transport="sse").text
    assert "event: user_message" in stream
    assert "event: done" not in stream
    api.send(sid, SILENT_MARKER)
    assert server.wait_for_agent_replies()
    assert len(server.stored_messages(sid)) == 3


def test_stored_messages_unknown_session(server: LocalSessionsServer) -> None:
    with pytest.raises(KeyError):
        server.stored_messages("nope")


def test_unknown_session_messages_404(api: Api) -> None:
    response = api.messages("00000000-1111-4222-8333-444444444444")
    assert response.status_code == 404
