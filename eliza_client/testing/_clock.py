"""Clocks for the local server: every timestamp it produces (session expiry, ``createdAt``, message
``created_at``, the rate-limit window, the cleanup sweep) comes from one of these, so a test can move time
instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "ManualClock", "SkewedClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Anything that can tell the current time as integer milliseconds since the Unix epoch."""

    def now_ms(self) -> int:
        """Return the current time in epoch milliseconds (what ``Date.now()`` returns in Node.js)."""
        ...


class SystemClock:
    """The real wall clock."""

    def now_ms(self) -> int:
        """Return the wall-clock time in epoch milliseconds."""
        return time.time_ns() // 1_000_000

    def __repr__(self) -> str:
        return "SystemClock()"


class SkewedClock:
    """The wall clock, shifted by ``offset_seconds`` (negative: the server is behind the client).

    Everything the server dates uses it — ``createdAt``, message timestamps, expiry, and the ``Date`` header — so a
    client's assumptions about agreeing clocks can be tested.
    """

    def __init__(self, offset_seconds: float) -> None:
        self.offset_ms = round(offset_seconds * 1000)

    def now_ms(self) -> int:
        """Return the shifted wall-clock time in epoch milliseconds."""
        return time.time_ns() // 1_000_000 + self.offset_ms

    def __repr__(self) -> str:
        return f"SkewedClock(offset_seconds={self.offset_ms / 1000:g})"


class ManualClock:
    """A clock that only moves when told to; thread-safe.

    Because time stands still between calls, a test can store many messages within one millisecond (to exercise
    the server's equal-timestamp pagination quirks) or jump past a session's expiry without sleeping.

    Args:
        start_ms: the initial time in epoch milliseconds; defaults to the current wall-clock time so that
            timestamps look realistic.
    """

    def __init__(self, start_ms: int | None = None) -> None:
        self._lock = threading.Lock()
        self._now = SystemClock().now_ms() if start_ms is None else int(start_ms)

    def now_ms(self) -> int:
        """Return the clock's current time in epoch milliseconds."""
        with self._lock:
            return self._now

    def advance(self, *, minutes: float = 0, seconds: float = 0, ms: float = 0) -> int:
        """Move the clock forward (or backward, with negative values) and return the new time."""
        delta = round(minutes * 60_000 + seconds * 1000 + ms)
        with self._lock:
            self._now += delta
            return self._now

    def set(self, ms: int) -> None:
        """Jump to an absolute time in epoch milliseconds."""
        with self._lock:
            self._now = int(ms)

    def __repr__(self) -> str:
        return f"ManualClock(start_ms={self.now_ms()})"
