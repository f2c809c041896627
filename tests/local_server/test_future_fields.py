"""A later release that adds fields: ``LocalSessionsServer(future_fields=True)``.

The spec says every response may carry object keys it does not list. The consumer matrix runs every generated
client against this mode too; here the mode itself is pinned down (every object of every answer, nested ones and
event data included, gets the key; without the mode none does), and the facade is driven through every call
against it: nothing breaks, and nothing the spec lists is lost or changed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from eliza_client import ChunkEvent, DoneEvent, ElizaClient, NotFoundError, UserMessageEvent
from eliza_client.testing import LocalSessionsServer
from eliza_client.testing._server import FUTURE_FIELD

KEY, VALUE = FUTURE_FIELD
USER = str(uuid.uuid4())


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def _answers(server: LocalSessionsServer) -> list[Any]:
    """The JSON of one answer per route (and each event of a stream), from a fresh session."""
    base = f"{server.base_url}/api/messaging/sessions"
    answers: list[Any] = [requests.get(f"{base}/health", timeout=10).json()]
    created = requests.post(
        base, json={"agentId": server.agent_id, "userId": USER, "metadata": {"m": {"deep": [{"x": 1}]}}}, timeout=10
    )
    answers.append(created.json())
    sid = created.json()["sessionId"]
    answers.append(requests.get(f"{base}/{sid}", timeout=10).json())
    answers.append(requests.get(base, timeout=10).json())
    answers.append(
        requests.post(f"{base}/{sid}/messages", json={"content": "hi", "transport": "http"}, timeout=10).json()
    )
    streamed = requests.post(f"{base}/{sid}/messages", json={"content": "hi", "transport": "sse"}, timeout=10)
    answers += [json.loads(line[len("data: ") :]) for line in streamed.text.splitlines() if line.startswith("data: ")]
    answers.append(requests.get(f"{base}/{sid}/messages", params={"limit": 5}, timeout=10).json())
    answers.append(requests.post(f"{base}/{sid}/renew", timeout=10).json())
    answers.append(requests.patch(f"{base}/{sid}/timeout", json={"timeoutMinutes": 60}, timeout=10).json())
    answers.append(requests.delete(f"{base}/{sid}", timeout=10).json())
    answers.append(requests.get(f"{base}/{sid}", timeout=10).json())  # the 404 body
    return answers


def test_every_object_of_every_answer_carries_the_future_field() -> None:
    with LocalSessionsServer(future_fields=True, reply_delay=0.01, chunk_delay=0.001) as server:
        answers = _answers(server)
    objects = [obj for answer in answers for obj in _objects(answer)]
    assert len(answers) >= 14
    assert len(objects) > 60
    # The added value is an object itself; it is not decorated again.
    missing = [obj for obj in objects if obj is not VALUE and obj != VALUE and obj.get(KEY) != VALUE]
    assert missing == []


def test_without_the_mode_no_answer_carries_it() -> None:
    with LocalSessionsServer(reply_delay=0.01, chunk_delay=0.001) as server:
        answers = _answers(server)
    assert KEY not in json.dumps(answers)


@pytest.fixture
def server() -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(future_fields=True, reply_delay=0.01, chunk_delay=0.001) as running:
        yield running


def test_the_facade_copes_with_fields_a_later_release_adds(server: LocalSessionsServer) -> None:
    with ElizaClient(server.base_url) as client:
        assert client.sessions.health().status == "healthy"
        session = client.sessions.create(server.agent_id, USER, metadata={"platform": "web"})
        assert session.metadata["platform"] == "web"
        fetched = client.sessions.get(session.id)
        assert fetched.id == session.id
        assert fetched.timeout_config.auto_renew is True
        assert session.id in [s.id for s in client.sessions.list().sessions]
        sent = client.sessions.send_message(session.id, "hello")
        assert sent.message.content == "hello"
        reply = client.sessions.send_and_wait(session.id, "what is 2+2?")
        assert reply.agent_response is not None
        assert reply.agent_response.text == "You said: what is 2+2?"
        with client.sessions.stream(session.id, "tell me") as stream:
            events = list(stream)
        assert isinstance(events[0], UserMessageEvent)
        assert isinstance(events[-1], DoneEvent)
        chunks = "".join(e.text for e in events if isinstance(e, ChunkEvent))
        assert chunks == events[-1].agent_response.text
        walked = list(client.sessions.iter_messages(session.id))
        assert {"hello", "what is 2+2?", "tell me"} <= {m.content for m in walked}
        assert client.sessions.renew(session.id).renewal_count >= 1
        assert client.sessions.heartbeat(session.id).id == session.id
        assert client.sessions.update_timeout(session.id, timeout_minutes=60).timeout_config.timeout_minutes == 60
        client.sessions.delete(session.id)
        with pytest.raises(NotFoundError):
            client.sessions.get(session.id)
