"""A deterministic stand-in for an elizaOS agent, and the background worker that delivers its delayed replies.

The reply to a message is derived from the message alone, so tests can assert on it:
``{"text": "You said: <content>", "thought": …, "actions": ["REPLY"], "providers": [], "simple": true,
"responseId": …, "inReplyTo": …}``.

Magic markers in the user's content change the agent's behaviour (documented for users of the test server):

``[[agent:fail]]``
    The agent fails. ``http`` → 500 ``{"success": false, "error": "Failed to process message in HTTP transport"}``
    (1.7.0's ``mode: "sync"``: ``… in sync mode``);
    ``sse`` → an ``error`` event instead of ``done``; ``websocket`` → no reply is ever stored.
``[[agent:silent]]``
    The agent decides not to answer. ``http`` → 201 without an ``agentResponse`` key; ``sse`` → the stream ends
    after ``user_message`` with no ``done`` (what a client sees when the real server's socket timeout cuts a
    stream whose agent never answered); ``websocket`` → no reply is stored.
``[[agent:nostream]]``
    A non-streaming model: ``sse`` sends ``user_message`` then ``done`` with no ``chunk`` events.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Literal

import attrs

logger = logging.getLogger("eliza_client.testing")

__all__ = [
    "FAIL_MARKER",
    "NOSTREAM_MARKER",
    "SILENT_MARKER",
    "AgentOutcome",
    "DeterministicAgent",
    "ReplyScheduler",
    "agent_id_for",
]

FAIL_MARKER = "[[agent:fail]]"
SILENT_MARKER = "[[agent:silent]]"
NOSTREAM_MARKER = "[[agent:nostream]]"

#: Namespace of the agent ids: ``agent_id_for("Eliza")`` is stable across runs and machines.
_AGENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_OID, "eliza-client.testing.agents")
_MAX_CHUNKS = 4


def agent_id_for(name: str) -> str:
    """The agent id the local server gives the agent called ``name`` (uuid5, like the real server's
    name-derived ids: the same name always gives the same id)."""
    return str(uuid.uuid5(_AGENT_NAMESPACE, name))


@attrs.frozen
class AgentOutcome:
    """What the agent did with one message."""

    kind: Literal["reply", "fail", "silent"]
    content: dict[str, Any] | None = None
    chunks: tuple[str, ...] = ()
    error: str = ""


@attrs.frozen
class DeterministicAgent:
    """One loaded agent."""

    name: str
    agent_id: str

    def respond(self, content: str, message_id: str) -> AgentOutcome:
        """The agent's answer to ``content`` (the stored message ``message_id``)."""
        if FAIL_MARKER in content:
            return AgentOutcome("fail", error=f"Agent {self.name} failed to generate a response")
        if SILENT_MARKER in content:
            return AgentOutcome("silent")
        text = f"You said: {content}"
        # Key order and id shapes as 1.7.2 sends them: responseId is a random v4 uuid; inReplyTo is NOT the
        # stored message id but the agent-scoped id of the runtime's own copy (version nibble 0).
        reply = {
            "thought": f"The user wrote {len(content)} characters; echoing them back.",
            "actions": ["REPLY"],
            "providers": [],
            "text": text,
            "simple": True,
            "responseId": str(uuid.uuid4()),
            "inReplyTo": _agent_scoped_id(message_id, self.agent_id),
        }
        chunks = () if NOSTREAM_MARKER in content else _split(text)
        return AgentOutcome("reply", content=reply, chunks=chunks)


def _agent_scoped_id(message_id: str, agent_id: str) -> str:
    # Shaped like @elizaos/core's stringToUuid (sha1-based, version nibble 0, RFC variant).
    digest = bytearray(hashlib.sha1(f"{message_id}:{agent_id}".encode()).digest()[:16])
    digest[6] &= 0x0F
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


def _split(text: str) -> tuple[str, ...]:
    count = min(_MAX_CHUNKS, len(text))
    if count == 0:
        return ()
    size, extra = divmod(len(text), count)
    pieces, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        pieces.append(text[start:end])
        start = end
    return tuple(pieces)


class ReplyScheduler:
    """One background thread that runs jobs after a real-time delay (websocket-transport agent replies).

    A single worker instead of a ``threading.Timer`` per message keeps thread counts flat under load and makes
    :meth:`stop` a single join.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._running = 0
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the worker thread."""
        with self._cond:
            self._stopped = False
        self._thread = threading.Thread(target=self._run, name="eliza-local-agent", daemon=True)
        self._thread.start()

    def schedule(self, delay: float, job: Callable[[], None]) -> None:
        """Run ``job`` on the worker thread ``delay`` seconds from now."""
        with self._cond:
            if self._stopped:
                return
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), job))
            self._cond.notify_all()

    def pending(self) -> int:
        """Jobs scheduled or running."""
        with self._cond:
            return len(self._heap) + self._running

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job is pending; False if ``timeout`` seconds passed first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._running:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def stop(self) -> None:
        """Drop pending jobs and join the worker."""
        with self._cond:
            self._stopped = True
            self._heap.clear()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout)
                if self._stopped:
                    return
                _, _, job = heapq.heappop(self._heap)
                self._running += 1
            try:
                job()
            except Exception:
                logger.exception("local sessions server: agent reply job failed")
            finally:
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()
