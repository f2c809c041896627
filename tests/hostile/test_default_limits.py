"""The default caps hold the largest legitimate answers, measured against the local server (not guessed)."""

from __future__ import annotations

import uuid

import requests

from eliza_client import ElizaClient
from eliza_client._constants import (
    CONTENT_MAX_LENGTH,
    DEFAULT_MAX_EVENT_BYTES,
    DEFAULT_MAX_RESPONSE_BYTES,
    METADATA_MAX_LENGTH,
    PAGE_LIMIT_MAX,
)
from eliza_client.testing import LocalSessionsServer

SESSIONS = "/api/messaging/sessions"


def test_a_full_page_of_the_largest_messages_fits_the_default_cap_many_times_over() -> None:
    # 4 000 three-byte characters of content and 10 KB (UTF-16 units, serialized) of three-byte metadata each.
    content = "中" * CONTENT_MAX_LENGTH
    metadata = {"note": "語" * (METADATA_MAX_LENGTH - 60)}
    with LocalSessionsServer(rate_limit=None, reply_delay=0) as server, requests.Session() as http:
        base = server.base_url + SESSIONS
        sid = http.post(base, json={"agentId": server.agent_id, "userId": str(uuid.uuid4())}, timeout=10).json()[
            "sessionId"
        ]
        for index in range(PAGE_LIMIT_MAX):
            body = {"content": content, "metadata": {**metadata, "clientMessageId": f"m{index}"}}
            assert http.post(f"{base}/{sid}/messages", json=body, timeout=10).status_code == 201
        page = http.get(f"{base}/{sid}/messages", params={"limit": PAGE_LIMIT_MAX}, timeout=10)
        size = len(page.content)
        assert len(page.json()["messages"]) == PAGE_LIMIT_MAX
        # Each message is ~28 KB on the wire: the page is ~2.8 MB, far below the 64 MiB default.
        assert 2_000_000 < size < DEFAULT_MAX_RESPONSE_BYTES / 10, size
        # A done event carries one reply, bounded like a message: far below the event cap.
        assert size / PAGE_LIMIT_MAX < DEFAULT_MAX_EVENT_BYTES / 100
        with ElizaClient(server.base_url) as client:
            assert len(client.sessions.messages(sid, limit=PAGE_LIMIT_MAX).messages) == PAGE_LIMIT_MAX


def test_the_session_list_fits_the_default_cap_with_tens_of_thousands_of_sessions() -> None:
    with LocalSessionsServer(rate_limit=None, reply_delay=0) as server, requests.Session() as http:
        base = server.base_url + SESSIONS
        for _ in range(200):
            http.post(base, json={"agentId": server.agent_id, "userId": str(uuid.uuid4())}, timeout=10)
        listing = http.get(base, timeout=10)
        per_session = len(listing.content) / 200
        # Sessions without metadata cost well under 1 KB each: the default cap holds ~90 000 of them.
        assert per_session < 1024, per_session
        assert DEFAULT_MAX_RESPONSE_BYTES / per_session > 50_000
