"""Fault injection: make the next N requests (optionally for one route) misbehave on purpose.

This is how a client's retry logic and its exactly-once guarantees get tested: a 503 with ``Retry-After``, a
connection that drops before or after the message was stored, a request held before it is handled (a queue, a slow
database) or a response that arrives too late, a body that is cut short, empty or of the wrong shape, an
acknowledgement of somebody else's message, and a history read that lags behind (a replica). For a server whose
clock disagrees with the client's, give the server a :class:`~eliza_client.testing.SkewedClock`.
"""

from __future__ import annotations

import threading
from typing import Any, Literal

import attrs

__all__ = ["OPERATION_IDS", "FaultRule", "Faults"]

#: The operationIds of the ten Sessions API routes; a fault's ``route`` must be one of these (or None).
OPERATION_IDS = frozenset(
    {
        "get_sessions_health",
        "create_session",
        "list_sessions",
        "get_session",
        "delete_session",
        "send_message",
        "list_messages",
        "renew_session",
        "send_heartbeat",
        "update_session_timeout",
    }
)

FaultKind = Literal["fail", "drop", "delay", "truncate", "corrupt", "foreign_ack", "stale"]
When = Literal["before", "after_store"]
#: What :meth:`Faults.corrupt_body` sends instead of the real body.
Corruption = Literal["empty", "not_json", "wrong_shape", "truncated_json"]


@attrs.define
class FaultRule:
    """One armed fault; ``remaining`` counts down as matching requests consume it."""

    kind: FaultKind
    remaining: int
    route: str | None
    when: When = "before"
    status: int = 503
    retry_after: float | None = None
    body: dict[str, Any] | None = None
    seconds: float = 0.0
    corruption: Corruption = "empty"
    hide_newest: int = 1

    def matches(self, operation_id: str | None) -> bool:
        """Whether this rule applies to a request for ``operation_id`` (None = an unknown route)."""
        return self.route is None or self.route == operation_id


def _check(count: int, route: str | None) -> None:
    if count < 1:
        raise ValueError("count must be at least 1")
    if route is not None and route not in OPERATION_IDS:
        raise ValueError(f"unknown route {route!r}; expected one of {sorted(OPERATION_IDS)}")


class Faults:
    """The fault controls of one :class:`LocalSessionsServer`; every method is thread-safe.

    Rules are consumed in the order they were added: each incoming request takes the first rule that matches
    its route (one rule per request) and uses up one of its ``count``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def _add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def fail_next(
        self,
        status: int = 503,
        *,
        count: int = 1,
        route: str | None = None,
        retry_after: float | None = None,
        body: dict[str, Any] | None = None,
        when: When = "before",
    ) -> None:
        """Answer the next ``count`` matching requests with ``status`` before handling them (nothing is stored),
        or, with ``when="after_store"``, after handling them (a message is stored, then the error is the answer: a
        gateway that timed out on a slow server, or an agent failure).

        The default body is the middleware error shape ``{"success": false, "error": {"code", "message"}}``
        (the real rate-limit body for 429). ``retry_after`` adds a ``Retry-After`` header (seconds; fractions
        are written as decimals, which only test clients should expect).
        """
        _check(count, route)
        if not 100 <= status <= 599:
            raise ValueError("status must be an HTTP status code")
        self._add(FaultRule("fail", count, route, when=when, status=status, retry_after=retry_after, body=body))

    def drop_connection(self, *, when: When = "before", count: int = 1, route: str | None = None) -> None:
        """Close the connection without any response.

        ``when="before"``: nothing is handled or stored. ``when="after_store"``: the request is handled fully
        (a message is stored, a session created, …) and then the socket closes before a byte is written.
        """
        _check(count, route)
        self._add(FaultRule("drop", count, route, when=when))

    def delay(self, seconds: float, *, when: When = "before", count: int = 1, route: str | None = None) -> None:
        """Sleep ``seconds`` (real time) before handling, or after handling and before writing the response.

        ``when="after_store"`` reproduces "the client timed out but the server did store it".
        """
        _check(count, route)
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        self._add(FaultRule("delay", count, route, when=when, seconds=seconds))

    def truncate_body(self, *, count: int = 1, route: str | None = None) -> None:
        """Handle the request, send the headers with the full ``Content-Length`` but only half the body, close.

        For an SSE response: the first half of the events is sent, then the connection closes mid-stream.
        """
        _check(count, route)
        self._add(FaultRule("truncate", count, route, when="after_store"))

    def corrupt_body(
        self,
        kind: Corruption = "not_json",
        *,
        when: When = "after_store",
        count: int = 1,
        route: str | None = None,
    ) -> None:
        """Answer with the route's success status but a broken body: ``"empty"``, ``"not_json"`` (an HTML page),
        ``"wrong_shape"`` (a JSON object without the documented fields) or ``"truncated_json"`` (the real body cut
        in half, with a matching ``Content-Length``, so the HTTP exchange itself is complete).

        ``when="after_store"``: the request is handled (a message is stored) before the broken answer;
        ``when="before"``: nothing is handled.
        """
        _check(count, route)
        self._add(FaultRule("corrupt", count, route, when=when, corruption=kind))

    def foreign_ack(self, *, count: int = 1, route: str | None = "send_message") -> None:
        """Store the message, then acknowledge somebody else's: the 201's ``userMessage`` gets another id and
        another ``metadata.clientMessageId`` (as a proxy that mixed up two answers would)."""
        _check(count, route)
        self._add(FaultRule("foreign_ack", count, route, when="after_store"))

    def stale_history(self, *, count: int = 1, hide_newest: int = 1) -> None:
        """The next ``count`` history reads (``list_messages``) leave out the session's ``hide_newest`` newest
        messages, as a read from a replica that lags behind would."""
        _check(count, "list_messages")
        if hide_newest < 1:
            raise ValueError("hide_newest must be at least 1")
        self._add(FaultRule("stale", count, "list_messages", when="after_store", hide_newest=hide_newest))

    def clear(self) -> None:
        """Disarm every pending fault."""
        with self._lock:
            self._rules.clear()

    def pending(self) -> int:
        """How many faulty responses are still armed (the sum of the remaining counts)."""
        with self._lock:
            return sum(rule.remaining for rule in self._rules)

    def take(self, operation_id: str | None) -> FaultRule | None:
        """Consume one use of the first rule matching ``operation_id``; used by the server per request."""
        with self._lock:
            for index, rule in enumerate(self._rules):
                if rule.matches(operation_id):
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        del self._rules[index]
                    return attrs.evolve(rule, remaining=1)
        return None
