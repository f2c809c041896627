"""Inputs the 1.7.2 server accepts and then fails on (found against the real server in conformance), refused up
front; and session timeouts on servers configured with other bounds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eliza_client import (
    APIConnectionError,
    ElizaClient,
    InternalServerError,
    SessionTimeoutSettings,
    ValidationError,
)
from eliza_client.testing import LocalSessionsServer, ManualClock

USER = "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"


@pytest.fixture
def server() -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(rate_limit=None, reply_delay=0.01) as running:
        yield running


@pytest.fixture
def client(server: LocalSessionsServer) -> Iterator[ElizaClient]:
    with ElizaClient(server.base_url) as running:
        running._transport.sleep = lambda _: None
        yield running


def test_create_is_not_retried_after_an_ambiguous_failure(server: LocalSessionsServer, client: ElizaClient) -> None:
    server.faults.fail_next(503, route="create_session")
    before = server.request_count
    with pytest.raises(InternalServerError):
        client.sessions.create(server.agent_id, USER)
    assert server.request_count - before == 1
    server.faults.drop_connection(when="after_store", route="create_session")
    with pytest.raises(APIConnectionError) as excinfo:
        client.sessions.create(server.agent_id, USER)
    assert excinfo.value.request_sent is True
    # The dropped create did open a session: that is why it was not repeated.
    assert client.sessions.list().total == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"content": "a\x00b"}, "content"),
        ({"content": "hi", "metadata": {"k": "v\x00"}}, "metadata.k"),
        ({"content": "hi", "metadata": {"k\x00": "v"}}, "metadata"),
        ({"content": "hi", "attachments": [{"type": "file", "url": "x", "name": "a\x00"}]}, "attachments[0].name"),
    ],
)
def test_nul_characters_are_refused_before_any_request(
    server: LocalSessionsServer, client: ElizaClient, kwargs: dict[str, object], field: str
) -> None:
    session = client.sessions.create(server.agent_id, USER)
    before = server.request_count
    with pytest.raises(ValidationError) as excinfo:
        client.sessions.send_message(session.id, **kwargs)  # type: ignore[arg-type]
    assert excinfo.value.field == field
    assert excinfo.value.rule == "nul_character"
    with pytest.raises(ValidationError):
        client.sessions.create(server.agent_id, USER, metadata={"k": "\x00"})
    assert server.request_count == before


@pytest.mark.parametrize("bound", ["before", "after"])
@pytest.mark.parametrize("value", [253_402_300_800_000, -62_135_596_800_001])
def test_cursors_outside_the_years_1_to_9999_are_refused(
    server: LocalSessionsServer, client: ElizaClient, bound: str, value: int
) -> None:
    session = client.sessions.create(server.agent_id, USER)
    before = server.request_count
    with pytest.raises(ValidationError) as excinfo:
        client.sessions.messages(session.id, **{bound: value})  # type: ignore[arg-type]
    assert (excinfo.value.field, excinfo.value.rule) == (bound, "range")
    with pytest.raises(ValidationError):
        client.sessions.iter_messages(session.id, **{bound: value})  # type: ignore[arg-type]
    assert server.request_count == before
    assert client.sessions.messages(session.id, before=253_402_300_799_999).messages == ()


def test_a_server_with_other_timeout_bounds() -> None:
    clock = ManualClock()
    env = {"SESSION_MIN_TIMEOUT_MINUTES": "1", "SESSION_CLEANUP_INTERVAL_MINUTES": "60"}
    with LocalSessionsServer(rate_limit=None, clock=clock, env=env) as server:
        with ElizaClient(server.base_url) as default_client:
            with pytest.raises(ValidationError) as excinfo:
                default_client.sessions.create(
                    server.agent_id, USER, timeout_config=SessionTimeoutSettings(timeout_minutes=1)
                )
            assert excinfo.value.field == "timeout_minutes"
        with ElizaClient(server.base_url, timeout_minutes_range=(1, 1440)) as client:
            session = client.sessions.create(
                server.agent_id, USER, timeout_config=SessionTimeoutSettings(timeout_minutes=1, auto_renew=True)
            )
            assert session.timeout_config.timeout_minutes == 1
            assert client.with_options(max_retries=0).sessions.update_timeout(session.id, timeout_minutes=2)
        # A client with the default bounds may still change other settings of a 1-minute session.
        with ElizaClient(server.base_url) as default_client:
            updated = default_client.sessions.update_timeout(session.id, timeout_minutes=None, auto_renew=False)
            assert updated.timeout_config.timeout_minutes == 2
            assert updated.timeout_config.auto_renew is False


def test_update_timeout_refuses_a_timeout_above_the_max_duration(
    server: LocalSessionsServer, client: ElizaClient
) -> None:
    session = client.sessions.create(
        server.agent_id, USER, timeout_config=SessionTimeoutSettings(timeout_minutes=30, max_duration_minutes=60)
    )
    with pytest.raises(ValidationError) as excinfo:
        client.sessions.update_timeout(session.id, timeout_minutes=90)
    assert (excinfo.value.field, excinfo.value.rule) == ("timeout_minutes", "order")
    changed = client.sessions.update_timeout(session.id, timeout_minutes=90, max_duration_minutes=120)
    assert (changed.timeout_config.timeout_minutes, changed.timeout_config.max_duration_minutes) == (90, 120)
