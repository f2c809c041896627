"""The rate limiter the real server puts in front of all of ``/api`` (express-rate-limit 8, MemoryStore).

Each client IP gets a fixed window that starts with its first counted request; every request in the window
counts, including the ones that are refused with 429, exactly as express-rate-limit's MemoryStore does.
"""

from __future__ import annotations

import math
import threading

import attrs

from ._clock import Clock

__all__ = ["FixedWindowRateLimiter", "RateLimitDecision"]


@attrs.frozen
class RateLimitDecision:
    """The outcome of counting one request, with the values for the ``RateLimit-*`` headers."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    window_seconds: int

    def headers(self) -> list[tuple[str, str]]:
        """The IETF draft-6 headers (``standardHeaders: true``) sent on every rate-limited route."""
        return [
            ("RateLimit-Policy", f"{self.limit};w={self.window_seconds}"),
            ("RateLimit-Limit", str(self.limit)),
            ("RateLimit-Remaining", str(self.remaining)),
            ("RateLimit-Reset", str(self.reset_seconds)),
        ]


@attrs.define
class _Window:
    hits: int
    reset_ms: int


class FixedWindowRateLimiter:
    """Count requests per key (client IP) in fixed windows measured with ``clock``; thread-safe."""

    def __init__(self, limit: int, window_seconds: int, clock: Clock) -> None:
        if limit < 1:
            raise ValueError("rate limit must be at least 1 request per window")
        if window_seconds < 1:
            raise ValueError("rate limit window must be at least 1 second")
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}

    def _window(self, key: str, now: int) -> _Window:
        window = self._windows.get(key)
        if window is None or window.reset_ms <= now:
            window = _Window(hits=0, reset_ms=now + self.window_seconds * 1000)
            self._windows[key] = window
        return window

    def hit(self, key: str) -> RateLimitDecision:
        """Count one request for ``key`` and say whether it may proceed."""
        now = self._clock.now_ms()
        with self._lock:
            window = self._window(key, now)
            window.hits += 1
            hits, reset_ms = window.hits, window.reset_ms
        return RateLimitDecision(
            allowed=hits <= self.limit,
            limit=self.limit,
            remaining=max(0, self.limit - hits),
            reset_seconds=max(0, math.ceil((reset_ms - now) / 1000)),
            window_seconds=self.window_seconds,
        )

    def charge(self, key: str, hits: int) -> None:
        """Count ``hits`` requests for ``key`` that got no response of their own (the agent's callbacks)."""
        if hits <= 0:
            return
        now = self._clock.now_ms()
        with self._lock:
            self._window(key, now).hits += hits

    def reset(self) -> None:
        """Forget every window."""
        with self._lock:
            self._windows.clear()
