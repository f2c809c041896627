"""Conversion between the wire's time formats and timezone-aware UTC ``datetime`` objects.

The server mixes formats (see the wire reference §7.4): ISO-8601 strings with millisecond precision and a
``Z`` (``createdAt``, ``expiresAt``, ...), and integer epoch milliseconds (``created_at`` of a sent message,
the ``cursors``, and the ``before``/``after`` query parameters - where an ISO string is silently misread as a
tiny integer). Every timestamp a user sees is an aware UTC ``datetime``; every timestamp sent is an integer of
epoch milliseconds.

The naive-datetime rule: a ``datetime`` (or ISO string) without a UTC offset is **rejected**, never guessed.
Assuming UTC or local time would silently shift a history query by hours on any machine whose clock zone
differs from the caller's assumption. Use ``datetime.now(timezone.utc)`` or attach a zone.

Precision: JavaScript dates hold whole milliseconds, so sub-millisecond parts are dropped by flooring (a
``before`` bound of 10.0009 s becomes 10.000 s, never 10.001 s).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Final

from ._constants import JS_DATE_MAX_MS
from ._errors import ValidationError

__all__ = ["EPOCH", "from_epoch_ms", "parse_iso", "to_epoch_ms"]

#: 1970-01-01T00:00:00Z.
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS: Final = timedelta(milliseconds=1)

# RFC 3339 / ISO-8601 extended format. re.ASCII keeps \d from matching non-ASCII digits. The time and the
# zone are optional in the pattern only so that their absence gets a precise error message.
_ISO_RE: Final = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?)?"
    r"(?P<zone>[Zz]|(?P<sign>[+-])(?P<zh>\d{2})(?::?(?P<zm>\d{2}))?)?",
    re.ASCII,
)


def _fail(field: str, rule: str, message: str, value: object) -> ValidationError:
    return ValidationError(f"{field}: {message}", field=field, rule=rule, value=value)


def from_epoch_ms(ms: int, *, field: str = "value") -> datetime:
    """Aware UTC ``datetime`` for an integer of epoch milliseconds, exactly.

    Raises: :class:`~eliza_client.ValidationError` (a ``ValueError``) if ``ms`` is not an ``int`` (``bool``
    included) or lies outside what ``datetime`` can hold (years 1-9999).
    """
    if isinstance(ms, bool) or not isinstance(ms, int):
        raise _fail(field, "type", f"expected integer epoch milliseconds, got {type(ms).__name__}", ms)
    try:
        return EPOCH + timedelta(milliseconds=ms)
    except OverflowError:
        raise _fail(
            field, "range", f"epoch milliseconds {ms} is outside the years 1-9999 a datetime can hold", ms
        ) from None


def parse_iso(value: str, *, field: str = "value") -> datetime:
    """Parse an ISO-8601 / RFC 3339 date-time that carries a UTC offset (``Z``, ``+02:00``, ``-0530``,
    ``+05``) into an aware ``datetime`` in UTC. Fractions beyond microseconds are floored.

    Raises: :class:`~eliza_client.ValidationError` (a ``ValueError``) naming ``field``: rule ``"type"``
    for a non-string, ``"format"`` for anything that is not such a date-time, ``"naive_datetime"`` when the
    offset (or the time) is missing, ``"range"`` when the instant is outside years 1-9999 in UTC.
    """
    if not isinstance(value, str):
        raise _fail(field, "type", f"expected an ISO-8601 string, got {type(value).__name__}", value)
    # Fast path for the one shape the server sends (JavaScript's toISOString, "2025-12-31T10:00:00.000Z"):
    # fromisoformat is ten times cheaper than the general pattern below, and history pages hold many of these.
    if len(value) == 24 and value[23] == "Z" and value[10] == "T" and value[19] == "." and value[:4].isdigit():
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass  # let the general path name the problem
    match = _ISO_RE.fullmatch(value)
    if match is None:
        raise _fail(field, "format", "not an ISO-8601 date-time such as 2025-12-31T10:00:00.000Z", value)
    if match["hour"] is None or match["zone"] is None:
        raise _fail(
            field,
            "naive_datetime",
            "the date-time has no UTC offset; add 'Z' or '+HH:MM' (naive times are not guessed)",
            value,
        )
    tz = UTC
    if match["sign"] is not None:
        hours, minutes = int(match["zh"]), int(match["zm"] or 0)
        if hours > 23 or minutes > 59:
            raise _fail(field, "format", "the UTC offset is out of range", value)
        offset = timedelta(hours=hours, minutes=minutes)
        tz = timezone(-offset if match["sign"] == "-" else offset)
    fraction = match["fraction"] or ""
    try:
        parsed = datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
            int((fraction + "000000")[:6]),
            tzinfo=tz,
        )
    except ValueError as exc:
        raise _fail(field, "format", f"invalid date-time ({exc})", value) from None
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise _fail(field, "range", "the instant is outside the years 1-9999 in UTC", value) from None


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise _fail(
            field,
            "naive_datetime",
            "naive datetime; pass an aware one such as datetime.now(timezone.utc) (no zone is guessed)",
            value,
        )
    return value


def to_epoch_ms(value: datetime | str | int, *, field: str) -> int:
    """Epoch milliseconds for a point in time given as an aware ``datetime``, an ISO-8601 string with an
    offset, or an ``int`` of epoch milliseconds (returned as is). Sub-millisecond parts are floored.

    Raises: :class:`~eliza_client.ValidationError` (a ``ValueError``) naming ``field``: ``"type"`` for a
    ``bool``, ``float``, ``date`` or anything else; ``"naive_datetime"`` for a naive ``datetime`` or an ISO
    string without an offset; ``"format"`` for a string that is not ISO-8601; ``"range"`` for integers with
    ``|ms| > 8.64e15`` (outside JavaScript's ``Date``, which the server rejects).
    """
    if isinstance(value, bool):
        raise _fail(field, "type", "expected a datetime, ISO-8601 string or epoch milliseconds, got bool", value)
    if isinstance(value, int):
        if abs(value) > JS_DATE_MAX_MS:
            raise _fail(field, "range", f"epoch milliseconds must be within ±{JS_DATE_MAX_MS} (JavaScript Date)", value)
        return value
    if isinstance(value, datetime):
        return (_aware(value, field) - EPOCH) // _ONE_MS
    if isinstance(value, str):
        return (parse_iso(value, field=field) - EPOCH) // _ONE_MS
    if isinstance(value, date):
        raise _fail(field, "type", "a date has no time of day or zone; pass an aware datetime", value)
    hint = " (seconds or milliseconds? pass an int of milliseconds)" if isinstance(value, float) else ""
    raise _fail(
        field,
        "type",
        f"expected an aware datetime, ISO-8601 string or int epoch milliseconds, got {type(value).__name__}" + hint,
        value,
    )
