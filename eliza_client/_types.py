"""Small value types shared by the client: the ``NOT_GIVEN`` sentinel and :class:`Timeout`.

``NOT_GIVEN`` exists because ``None`` is a meaningful argument for some options (``timeout=None`` means
"no timeout at all"), so "the caller did not pass this, use the client's default" needs its own value - the
distinction httpx draws with ``USE_CLIENT_DEFAULT`` and openai-python with ``NOT_GIVEN``.
"""

from __future__ import annotations

import math
from typing import Any, Final, TypeAlias, TypeVar, final

import attrs

from ._constants import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_ERROR_BODY_BYTES,
    DEFAULT_MAX_EVENT_BYTES,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
)
from ._errors import ValidationError

__all__ = ["NOT_GIVEN", "Limits", "NotGiven", "Timeout", "TimeoutLike"]

_T = TypeVar("_T")


@final
class NotGiven:
    """The type of :data:`NOT_GIVEN`: "argument omitted, use the default". Falsy; a singleton (also across
    ``copy``, ``deepcopy`` and ``pickle``).
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        # Pickling by name (and copy's "return as is" rule for strings) keeps the singleton unique.
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


def _check_seconds(name: str) -> Any:
    def validator(_instance: object, _attribute: object, value: object) -> None:
        if value is None:
            return
        # bool is an int; True seconds is always a mistake.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(
                f"timeout.{name} must be a number of seconds or None, got {type(value).__name__}",
                field=f"timeout.{name}",
                rule="type",
                value=value,
            )
        if not math.isfinite(value) or value <= 0:
            # requests/urllib3 reject 0 too ("cannot be set to a value less than or equal to 0").
            raise ValidationError(
                f"timeout.{name} must be a positive, finite number of seconds (or None), got {value!r}",
                field=f"timeout.{name}",
                rule="range",
                value=value,
            )

    return validator


def _to_float(value: float | None) -> float | None:
    return value if value is None or isinstance(value, bool) or not isinstance(value, int) else float(value)


def _default_total(timeout: Timeout) -> float | None:
    # Long enough for one attempt to use its whole connect and read timeouts, and at least the default.
    connect, read = timeout.connect, timeout.read
    if not isinstance(connect, float) or not isinstance(read, float):
        return None  # no limit on a phase, or a wrong value the validators are about to reject
    return max(DEFAULT_TOTAL_TIMEOUT, connect + read)


@attrs.frozen
class Timeout:
    """How long to wait, in seconds; ``None`` in a field means no limit for that phase.

    ``connect``: to establish a connection. ``read``: the longest silence between bytes of the reply (for a
    stream, between events). ``total``: a deadline for the whole call — every attempt, backoff sleep and
    reconciliation read, the wait for the status line and headers, and the body, however slowly its bytes
    arrive. Left out, it is 60 s (or ``connect + read`` if that is longer; no deadline when either of those is
    ``None``); ``total=None`` asks for no deadline. Calls that wait for the agent (``send_and_wait``,
    ``stream``) get the client's ``reply_timeout`` on top of it.

    Raises: :class:`~eliza_client.ValidationError` (a ``ValueError``) naming the field when a value is not a
    positive finite number or ``None``.
    """

    connect: float | None = attrs.field(converter=_to_float, validator=_check_seconds("connect"))
    read: float | None = attrs.field(converter=_to_float, validator=_check_seconds("read"))
    total: float | None = attrs.field(
        default=attrs.Factory(_default_total, takes_self=True),
        converter=_to_float,
        validator=_check_seconds("total"),
    )

    @classmethod
    def default(cls) -> Timeout:
        """The client's default: 5 s to connect, 30 s between bytes, 60 s for the whole call."""
        return cls(DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT)

    @classmethod
    def coerce(cls, value: TimeoutLike) -> Timeout:
        """Turn what a user may pass as ``timeout=`` into a :class:`Timeout`.

        A number applies to both connect and read (as in requests); a ``(connect, read)`` pair maps to those
        fields (the total deadline then takes its default); a :class:`Timeout` is returned as is; ``None`` means no
        timeouts at all (no deadline either).

        Raises: :class:`~eliza_client.ValidationError` for anything else (wrong type, a tuple that is not a
        pair, negative or non-finite numbers).
        """
        if isinstance(value, Timeout):
            return value
        if value is None:
            return cls(None, None, None)
        if isinstance(value, tuple):
            if len(value) != 2:
                raise ValidationError(
                    f"a timeout tuple must be (connect, read), got {len(value)} items",
                    field="timeout",
                    rule="type",
                    value=value,
                )
            return cls(value[0], value[1])
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(
                "timeout must be a number of seconds, a (connect, read) tuple, a Timeout or None, "
                f"got {type(value).__name__}",
                field="timeout",
                rule="type",
                value=value,
            )
        return cls(value, value)

    def as_requests(self) -> tuple[float | None, float | None]:
        """The ``(connect, read)`` pair for ``requests``' ``timeout=`` argument (``total`` is the client's
        job: requests has no overall deadline).
        """
        return (self.connect, self.read)


#: Everything :meth:`Timeout.coerce` accepts.
TimeoutLike: TypeAlias = float | tuple[float | None, float | None] | Timeout | None


def _check_bytes(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            f"limits.{attribute.name} must be a positive number of bytes, got {value!r}",
            field=f"limits.{attribute.name}",
            rule="range",
            value=value,
        )


@attrs.frozen
class Limits:
    """Size caps, in bytes of decoded (decompressed) data; exceeding one raises ``ResponseTooLargeError`` as soon as
    it happens and closes the connection, so memory stays near the cap whatever the server sends.

    ``max_response_bytes``: a whole response body, or a whole event stream (default 64 MiB). ``max_event_bytes``:
    one server-sent event or one line of the stream (default 8 MiB). ``max_error_body_bytes``: how much of an error
    response's body is read (default 64 KiB); the rest is left unread and the error keeps what was read.

    Raises: :class:`~eliza_client.ValidationError` naming the field for a value that is not a positive integer.
    """

    max_response_bytes: int = attrs.field(default=DEFAULT_MAX_RESPONSE_BYTES, validator=_check_bytes)
    max_event_bytes: int = attrs.field(default=DEFAULT_MAX_EVENT_BYTES, validator=_check_bytes)
    max_error_body_bytes: int = attrs.field(default=DEFAULT_MAX_ERROR_BODY_BYTES, validator=_check_bytes)
