"""Reading response headers: case-insensitive look-up, and the wait a server asks for before a retry."""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable, Mapping

__all__ = ["header", "parse_retry_after"]


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)
    if value is None:
        # A plain dict from a caller may use any capitalisation; requests' headers are case-insensitive.
        lowered = name.lower()
        for key, candidate in headers.items():
            if isinstance(key, str) and key.lower() == lowered:
                value = candidate
                break
    return value.strip() if isinstance(value, str) else None


def _finite_non_negative(text: str, scale: float = 1.0) -> float | None:
    try:
        value = float(text) * scale
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def parse_retry_after(
    headers: Mapping[str, str] | None,
    *,
    include_rate_limit_reset: bool = True,
    now: Callable[[], float] = time.time,
) -> float | None:
    """The wait, in seconds, that the response headers ask for, or ``None``.

    Looked up in order: ``retry-after-ms`` (milliseconds), ``Retry-After`` (seconds, fractional allowed, or
    an HTTP-date), then - unless ``include_rate_limit_reset`` is false - ``RateLimit-Reset`` (seconds until
    the rate-limit window resets). Header names are case-insensitive. Negative, non-finite or unparsable
    values are ignored (the next header is tried); a date in the past gives 0.

    ``RateLimit-Reset`` is on *every* response of the server, so callers should only include it for a 429.

    Raises: nothing.
    """
    value = header(headers, "retry-after-ms")
    if value is not None and (seconds := _finite_non_negative(value, 0.001)) is not None:
        return seconds
    value = header(headers, "retry-after")
    if value is not None:
        seconds = _finite_non_negative(value)
        if seconds is not None:
            return seconds
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(0.0, when.timestamp() - now())
    if include_rate_limit_reset:
        value = header(headers, "ratelimit-reset")
        if value is not None and (seconds := _finite_non_negative(value)) is not None:
            return seconds
    return None
