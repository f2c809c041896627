"""Small value types shared by the client: the ``NOT_GIVEN`` sentinel and :class:`Timeout`.

``NOT_GIVEN`` exists because ``None`` is a meaningful argument for some options (``timeout=None`` means
"no timeout at all"), so "the caller did not pass this, use the client's default" needs its own value - the
distinction httpx draws with ``USE_CLIENT_DEFAULT`` and openai-python with ``NOT_GIVEN``.
"""

from __future__ import annotations

import math
from typing import Any, Final, TypeAlias, TypeVar, Union, final

import attrs

from ._constants import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT
from ._errors import ValidationError

__all__ = ["NOT_GIVEN", "NotGiven", "NotGivenOr", "Timeout", "TimeoutLike"]

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

#: ``NotGivenOr[T]`` is ``T | NotGiven``: an optional argument whose omission means "use the default".
NotGivenOr: TypeAlias = Union[_T, NotGiven]  # noqa: UP007 - a generic alias needs the TypeVar form


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


@attrs.frozen
class Timeout:
    """How long to wait, in seconds; ``None`` in a field means no limit for that phase.

    ``connect``: to establish a connection. ``read``: the longest silence between bytes of the reply (for a
    stream, between events). ``total``: a deadline for the whole call, across retries and backoff sleeps;
    ``None`` means no deadline.

    Raises: :class:`~eliza_client.ValidationError` (a ``ValueError``) naming the field when a value is not a
    positive finite number or ``None``.
    """

    connect: float | None = attrs.field(converter=_to_float, validator=_check_seconds("connect"))
    read: float | None = attrs.field(converter=_to_float, validator=_check_seconds("read"))
    total: float | None = attrs.field(default=None, converter=_to_float, validator=_check_seconds("total"))

    @classmethod
    def default(cls) -> Timeout:
        """The client's default: 5 s to connect, 30 s between bytes, no overall deadline."""
        return cls(DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT)

    @classmethod
    def coerce(cls, value: TimeoutLike) -> Timeout:
        """Turn what a user may pass as ``timeout=`` into a :class:`Timeout`.

        A number applies to both connect and read (as in requests); a ``(connect, read)`` pair maps to those
        fields; a :class:`Timeout` is returned as is; ``None`` means no timeouts at all.

        Raises: :class:`~eliza_client.ValidationError` for anything else (wrong type, a tuple that is not a
        pair, negative or non-finite numbers).
        """
        if isinstance(value, Timeout):
            return value
        if value is None:
            return cls(None, None)
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
