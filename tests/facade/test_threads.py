"""One client shared by 16 threads: 2 000 mixed calls against the local server, no error, every result correct, and
no connection-pool overflow."""

from __future__ import annotations

import collections
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from eliza_client import (
    ElizaClient,
    Health,
    Message,
    MessagePage,
    Reply,
    SendResult,
    Session,
    SessionList,
    SessionNotFoundError,
)
from eliza_client.testing import SILENT_MARKER, LocalSessionsServer

THREADS = 16
CALLS_PER_THREAD = 125  # 16 x 125 = 2 000


class Worker:
    """One thread's share of the load; it checks every result against what it alone has done."""

    def __init__(self, index: int, client: ElizaClient, agent_id: str, start: threading.Barrier) -> None:
        self.index = index
        self.client = client
        self.agent_id = agent_id
        self.user_id = str(uuid.uuid4())
        self.start = start
        self.calls = 0
        self.sent: dict[str, list[str]] = collections.defaultdict(list)  # session id -> user contents, in order
        self.ws_replies_expected: dict[str, list[str]] = collections.defaultdict(list)
        self.deleted: list[str] = []
        self.live: list[Session] = []
        self.error: BaseException | None = None

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return fn(*args, **kwargs)

    def create(self) -> Session:
        session = self.call(self.client.sessions.create, self.agent_id, self.user_id, metadata={"worker": self.index})
        assert isinstance(session, Session)
        assert (session.user_id, session.agent_id, session.metadata) == (
            self.user_id,
            self.agent_id,
            {"worker": self.index},
        )
        self.live.append(session)
        return session

    def run(self) -> None:
        try:
            self.start.wait()
            self._run()
        except BaseException as error:  # reported by the main thread
            self.error = error

    def _run(self) -> None:
        sessions = self.client.sessions
        self.create()
        step = 0
        while self.calls < CALLS_PER_THREAD:
            step += 1
            session = self.live[-1]
            content = f"w{self.index}-s{step}"
            kind = step % 12
            if kind in (0, 1, 2):
                result = self.call(sessions.send_message, session.id, content)
                assert isinstance(result, SendResult)
                assert result.message.content == content
                assert result.message.author_id == self.user_id
                assert result.message.channel_id == session.channel_id
                self.sent[session.id].append(content)
                self.ws_replies_expected[session.id].append(f"You said: {content}")
            elif kind == 3:
                reply = self.call(sessions.send_and_wait, session.id, content)
                assert isinstance(reply, Reply)
                assert reply.message.content == content
                assert reply.agent_response is not None
                assert reply.agent_response.text == f"You said: {content}"
                self.sent[session.id].append(content)
            elif kind == 4:
                got = self.call(sessions.get, session.id)
                assert (got.id, got.user_id, got.channel_id) == (session.id, self.user_id, session.channel_id)
            elif kind == 5:
                page = self.call(sessions.messages, session.id, limit=100)
                assert isinstance(page, MessagePage)
                mine = [m.content for m in page.messages if not m.is_agent]
                assert sorted(mine) == sorted(self.sent[session.id])
                assert all(m.author_id == self.user_id for m in page.messages if not m.is_agent)
                assert all(m.author_id == self.agent_id for m in page.messages if m.is_agent)
            elif kind == 6:
                beat = self.call(sessions.heartbeat, session.id)
                assert beat.id == session.id
                assert beat.renewal_count >= 1 or not self.sent[session.id]
            elif kind == 7:
                with self.call(sessions.stream, session.id, content) as stream:
                    assert stream.until_done().text == f"You said: {content}"
                assert stream.message is not None
                assert stream.message.content == content
                self.sent[session.id].append(content)
            elif kind == 8:
                renewed = self.call(sessions.renew, session.id)
                assert renewed.id == session.id
                updated = self.call(sessions.update_timeout, session.id, warning_threshold_minutes=1 + self.index)
                assert updated.timeout_config.warning_threshold_minutes == 1 + self.index
                assert updated.timeout_config.timeout_minutes == 30
            elif kind == 9:
                if step % 24 == 9:
                    listing = self.call(sessions.list)
                    assert isinstance(listing, SessionList)
                    assert session.id in {s.id for s in listing.sessions}
                else:
                    health = self.call(sessions.health)
                    assert isinstance(health, Health)
                    assert health.active_sessions >= 1
            elif kind == 10:
                silent = self.call(sessions.send_message, session.id, f"{SILENT_MARKER} {content}")
                assert silent.message.content == f"{SILENT_MARKER} {content}"
                self.sent[session.id].append(f"{SILENT_MARKER} {content}")
            else:
                # Retire the current session and start a new one.
                self.call(sessions.delete, session.id)
                self.deleted.append(session.id)
                try:
                    self.call(sessions.get, session.id)
                except SessionNotFoundError:
                    pass
                else:
                    raise AssertionError("a deleted session is still there")
                self.create()


def test_sixteen_threads_share_one_client(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="urllib3.connectionpool")
    with (
        LocalSessionsServer(rate_limit=None, reply_delay=0.01, chunk_delay=0) as server,
        ElizaClient(server.base_url) as client,
    ):
        slept: list[float] = []
        client._transport.sleep = slept.append
        start = threading.Barrier(THREADS)
        workers = [Worker(index, client, server.agent_id, start) for index in range(THREADS)]
        threads = [threading.Thread(target=w.run, name=f"worker-{w.index}") for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)
        for worker in workers:
            if worker.error is not None:
                raise worker.error
        assert sum(w.calls for w in workers) == THREADS * CALLS_PER_THREAD
        assert slept == []  # nothing failed, so nothing was retried

        # Every session holds exactly what its thread sent, each message once, and the websocket replies.
        assert server.wait_for_agent_replies(timeout=10)
        for worker in workers:
            live_ids = {s.id for s in worker.live} - set(worker.deleted)
            for session_id, contents in worker.sent.items():
                stored = server.stored_messages(session_id)
                users = [m["content"] for m in stored if not m["isAgent"]]
                agents = [m["content"] for m in stored if m["isAgent"]]
                assert sorted(users) == sorted(contents)
                assert len(set(users)) == len(users)
                assert sorted(agents) == sorted(worker.ws_replies_expected[session_id])
                assert {m["authorId"] for m in stored if not m["isAgent"]} == {worker.user_id}
                if session_id in live_ids:
                    history = list(client.sessions.iter_messages(session_id, oldest_first=True))
                    assert all(isinstance(m, Message) for m in history)
                    assert sorted(m.id for m in history) == sorted(m["id"] for m in stored)
        still_open = {s.id for w in workers for s in w.live if s.id not in w.deleted}
        assert {s.id for s in client.sessions.list().sessions} == still_open
        assert len(still_open) == THREADS

    pool_warnings = [r for r in caplog.records if "Connection pool is full" in r.getMessage()]
    assert pool_warnings == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("urllib3")]
