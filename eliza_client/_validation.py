"""Client-side checks that mirror the server's, run before any request is sent.

Each check raises :class:`~eliza_client.ValidationError` naming the argument (``field``) and the broken
``rule``, so a bad call fails fast, locally, with a clear message - instead of a 400 after a round trip, or,
worse, the server silently clamping the value (``limit=500`` becomes 100, ``timeoutMinutes=2`` becomes 5)
or misreading it. The rule for every check: whatever these functions accept, the 1.7.2 server accepts too;
where the server clamps, the client rejects.

Lengths are measured the way the server (JavaScript) measures them: in UTF-16 code units, so an emoji
outside the Basic Multilingual Plane counts 2. Metadata size is ``JSON.stringify(metadata).length``, which
this module computes exactly (compact separators, non-ASCII unescaped, JavaScript number formatting, lone
surrogates escaped as ``\\uXXXX``).

Rule names used: ``type``, ``uuid``, ``min_length``, ``max_length``, ``range``, ``choice``, ``order``,
``json_type``, ``key_type``, ``cycle``, ``max_depth``, ``max_size``.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from typing import Any, Final, cast

from ._constants import (
    CONTENT_MAX_LENGTH,
    JSON_DEPTH_MAX,
    METADATA_MAX_LENGTH,
    PAGE_LIMIT_MAX,
    PAGE_LIMIT_MIN,
    TIMEOUT_MINUTES_MAX,
    TIMEOUT_MINUTES_MIN,
    VALUE_DEPTH_MAX,
    WARNING_THRESHOLD_MINUTES_MIN,
)
from ._errors import ValidationError
from ._models import SessionTimeoutSettings

__all__ = [
    "js_json_length",
    "utf16_length",
    "validate_attachments",
    "validate_content",
    "validate_limit",
    "validate_metadata",
    "validate_session_id",
    "validate_timeout_config",
    "validate_uuid",
]

# The server's pattern: any 8-4-4-4-12 hex string, case-insensitive (not only version 4; the nil UUID too).
_UUID_RE: Final = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# JSON.stringify escapes: '"', '\\' and \b \f \n \r \t become two characters; other C0 controls \u00XX
# (six); a lone surrogate \uDXXX (six) since ES2019's well-formed JSON.stringify.
_ESCAPED_SHORT: Final = re.compile(r'["\\\b\f\n\r\t]')
_ESCAPED_LONG: Final = re.compile(r"[\x00-\x07\x0b\x0e-\x1f]")
_LONE_SURROGATE: Final = re.compile("[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]")
_SAFE_INTEGER: Final = 2**53
_JS_FIXED_MAX_EXPONENT: Final = 21  # JS Number#toString switches to exponent notation at 1e21 ...
_JS_FIXED_MIN_EXPONENT: Final = -6  # ... and below 1e-6.
_PATH_KEY_MAX: Final = 40  # keys quoted in error paths are cut, metadata keys may be long or private


def _fail(field: str, rule: str, message: str, value: object = None, *, show_value: bool = True) -> ValidationError:
    if show_value:
        return ValidationError(f"{field}: {message}", field=field, rule=rule, value=value)
    return ValidationError(f"{field}: {message}", field=field, rule=rule)


def utf16_length(text: str) -> int:
    """``text.length`` in JavaScript: the number of UTF-16 code units (astral characters count 2).

    Raises: nothing (lone surrogates count 1, as in JavaScript).
    """
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def validate_uuid(value: object, *, field: str) -> str:
    """Check an id the way the server does: any ``8-4-4-4-12`` hex string, any case, any version.

    A :class:`uuid.UUID` is accepted and returned as its canonical string; a string is returned unchanged.

    Raises: :class:`~eliza_client.ValidationError` naming ``field`` (rule ``type`` or ``uuid``).
    """
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise _fail(field, "type", f"expected a UUID string, got {type(value).__name__}", value)
    # fullmatch, not match with "$": "$" would also accept a trailing newline, which the server rejects.
    if _UUID_RE.fullmatch(value) is None:
        raise _fail(field, "uuid", "not a UUID (expected 8-4-4-4-12 hexadecimal digits)", value)
    return value


def validate_session_id(value: object) -> str:
    """Check a session id before it goes into a URL path: a non-empty UUID string (the server only ever
    creates UUID sessions, and anything else - a slash, an empty string - would address another route).

    Raises: :class:`~eliza_client.ValidationError` with field ``session_id`` (rule ``type``,
    ``min_length`` or ``uuid``).
    """
    if isinstance(value, str) and not value:
        raise _fail("session_id", "min_length", "must not be empty", value)
    return validate_uuid(value, field="session_id")


# PostgreSQL text and jsonb cannot hold U+0000: the 1.7.2 server accepts it, then fails to store it and answers
# 500 (MESSAGE_SEND_FAILED / SESSION_CREATION_FAILED) — after the client's retries. Refused up front instead.
_NUL: Final = "\x00"
_NUL_MESSAGE: Final = "contains U+0000 (NUL), which the server cannot store (it answers 500)"


def _reject_nul(value: Any, path: str) -> None:
    """Walk a plain-JSON copy (from ``_normalize``) for strings the server cannot store."""
    if isinstance(value, str):
        if _NUL in value:
            raise _fail(path, "nul_character", _NUL_MESSAGE, show_value=False)
    elif isinstance(value, dict):
        for key, item in value.items():
            if _NUL in key:
                raise _fail(path, "nul_character", f"a key {_NUL_MESSAGE}", show_value=False)
            _reject_nul(item, _path_key(path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_nul(item, f"{path}[{index}]")


def validate_content(value: object) -> str:
    """Check message content: a string of 1 to 4000 UTF-16 code units. Whitespace-only content is allowed,
    as the server allows it.

    Raises: :class:`~eliza_client.ValidationError` with field ``content`` (rule ``type``, ``min_length``,
    ``max_length`` or ``nul_character``). The content itself is never copied into the error.
    """
    if not isinstance(value, str):
        raise _fail("content", "type", f"expected str, got {type(value).__name__}", show_value=False)
    if _NUL in value:
        raise _fail("content", "nul_character", _NUL_MESSAGE, show_value=False)
    length = utf16_length(value)
    if length < 1:
        raise _fail("content", "min_length", "must not be empty", show_value=False)
    if length > CONTENT_MAX_LENGTH:
        raise _fail(
            "content",
            "max_length",
            f"is {length} UTF-16 code units long; the server accepts at most {CONTENT_MAX_LENGTH}",
            show_value=False,
        )
    return value


# --- JSON measuring ------------------------------------------------------------------------------------


def _js_number_text(value: float) -> str:
    """``String(value)`` in JavaScript for a finite double (shortest round-trip digits, as Python's repr)."""
    if value == 0:
        return "0"  # also -0
    sign = "-" if value < 0 else ""
    mantissa, _, exp = repr(abs(value)).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    digits = int_part + frac_part
    point = len(int_part) + (int(exp) if exp else 0)  # the value is 0.<digits> * 10**point
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= _JS_FIXED_MAX_EXPONENT:
        text = digits + "0" * (n - k)
    elif 0 < n <= _JS_FIXED_MAX_EXPONENT:
        text = f"{digits[:n]}.{digits[n:]}"
    elif _JS_FIXED_MIN_EXPONENT < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        text = digits[0] + (f".{digits[1:]}" if k > 1 else "") + f"e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def _js_string_length(text: str) -> int:
    # Most keys and values (ids, words): printable ASCII without a quote or backslash is written as it is.
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return len(text) + 2
    return (
        utf16_length(text)
        + 2
        + len(_ESCAPED_SHORT.findall(text))
        + 5 * len(_ESCAPED_LONG.findall(text))
        + 5 * len(_LONE_SURROGATE.findall(text))
    )


def _path_key(path: str, key: str) -> str:
    shown = key if len(key) <= _PATH_KEY_MAX else key[: _PATH_KEY_MAX - 1] + "…"
    return f"{path}.{shown}"


def _normalize(value: Any, path: str, active: set[int]) -> tuple[Any, int]:
    """A plain-JSON copy of ``value`` and the length of its ``JSON.stringify`` in UTF-16 code units."""
    if value is None:
        return None, 4
    if isinstance(value, bool):
        return value, 4 if value else 5
    if isinstance(value, int):
        if -_SAFE_INTEGER < value < _SAFE_INTEGER:
            return int(value), len(str(int(value)))
        try:
            as_double = float(value)  # JSON.parse reads every number as a double
        except OverflowError:
            raise _fail(path, "json_type", "integer too large for a JavaScript number", show_value=False) from None
        return int(value), len(_js_number_text(as_double))
    if isinstance(value, float):
        if not math.isfinite(value):
            # Python would send NaN/Infinity, which is not JSON: the server could not even parse the body.
            raise _fail(path, "json_type", f"{value!r} is not representable in JSON", show_value=False)
        return float(value), len(_js_number_text(value))
    if isinstance(value, str):
        return str.__str__(value), _js_string_length(value)
    if isinstance(value, Mapping | list | tuple):
        if id(value) in active:
            raise _fail(path, "cycle", "contains a reference to itself", show_value=False)
        if len(active) >= VALUE_DEPTH_MAX:  # (active: the containers around this one)
            raise _fail(
                path,
                "max_depth",
                f"nests deeper than {VALUE_DEPTH_MAX} levels (answers that carry it are read at most "
                f"{JSON_DEPTH_MAX} deep)",
                show_value=False,
            )
        active.add(id(value))
        try:
            if isinstance(value, Mapping):
                return _normalize_mapping(value, path, active)
            items = []
            length = 2 + max(len(value) - 1, 0)  # brackets and commas
            for index, item in enumerate(value):
                copied, item_length = _normalize(item, f"{path}[{index}]", active)
                items.append(copied)
                length += item_length
            return items, length
        finally:
            active.discard(id(value))
    raise _fail(
        path,
        "json_type",
        f"{type(value).__name__} is not JSON-serialisable (use str, int, float, bool, "
        "None, lists and dicts with str keys)",
        show_value=False,
    )


def _normalize_mapping(value: Mapping[Any, Any], path: str, active: set[int]) -> tuple[dict[str, Any], int]:
    copied: dict[str, Any] = {}
    length = 2 + max(len(value) - 1, 0)  # braces and commas
    for raw_key, item in value.items():
        if not isinstance(raw_key, str):
            # json.dumps would silently turn 1, 1.0 and True into "1", "1.0", "true" - and collide them.
            raise _fail(path, "key_type", f"keys must be str, got {type(raw_key).__name__}", show_value=False)
        key = str.__str__(raw_key)
        copied[key], item_length = _normalize(item, _path_key(path, key), active)
        length += _js_string_length(key) + 1 + item_length  # "key":value
    return copied, length


def _normalize_json(value: Any, field: str) -> tuple[Any, int]:
    try:
        return _normalize(value, field, set())
    except RecursionError:  # only a caller already near the interpreter's limit: _normalize stops at VALUE_DEPTH_MAX
        raise _fail(field, "max_depth", "is nested too deeply to serialise", show_value=False) from None


def js_json_length(value: Any, *, field: str = "value") -> int:
    """``JSON.stringify(value).length`` as the server would compute it after parsing our JSON.

    Raises: :class:`~eliza_client.ValidationError` naming the offending path if ``value`` is not
    JSON-serialisable (rules ``json_type``, ``key_type``, ``cycle``, ``max_depth``).
    """
    return _normalize_json(value, field)[1]


def validate_metadata(value: object, *, field: str = "metadata") -> dict[str, Any]:
    """Check metadata: a mapping with ``str`` keys, JSON-serialisable all the way down (dicts, lists,
    tuples, str, int, finite float, bool, None), whose ``JSON.stringify`` is at most 10240 UTF-16 code units.

    Returns a plain deep copy (``dict``/``list``), so later changes by the caller cannot alter what is sent
    and the copy serialises with ``json.dumps`` unchanged.

    Raises: :class:`~eliza_client.ValidationError` naming ``field`` or the nested path
    (``metadata.tags[2]``): rules ``type``, ``json_type``, ``key_type``, ``cycle``, ``max_depth``,
    ``max_size``, ``nul_character``. Metadata values are never copied into the error.
    """
    if not isinstance(value, Mapping):
        raise _fail(field, "type", f"expected a mapping (dict), got {type(value).__name__}", show_value=False)
    copied, length = _normalize_json(value, field)
    _reject_nul(copied, field)
    if length > METADATA_MAX_LENGTH:
        raise _fail(
            field,
            "max_size",
            f"serialises to {length} characters (UTF-16 code units); the server accepts at most {METADATA_MAX_LENGTH}",
            show_value=False,
        )
    return cast(dict[str, Any], copied)


def validate_attachments(value: object, *, field: str = "attachments") -> list[Any]:
    """Check attachments: a list or tuple of JSON-serialisable items (the server stores them verbatim and
    validates nothing; they are usually ``{"type", "url", "name"?}`` objects).

    Returns a plain deep copy.

    Raises: :class:`~eliza_client.ValidationError` (rules ``type``, ``json_type``, ``key_type``, ``cycle``,
    ``max_depth``, ``nul_character``).
    """
    if not isinstance(value, list | tuple):
        raise _fail(field, "type", f"expected a list, got {type(value).__name__}", show_value=False)
    copied = _normalize_json(value, field)[0]
    _reject_nul(copied, field)
    return cast(list[Any], copied)


def validate_limit(value: object, *, field: str = "limit") -> int:
    """Check a page size: an ``int`` (not ``bool``) from 1 to 100. Rejected, not clamped as the server does.

    Raises: :class:`~eliza_client.ValidationError` with field ``field`` (default ``limit``; rule ``type`` or
    ``range``).
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(field, "type", f"expected int, got {type(value).__name__}", value)
    if not PAGE_LIMIT_MIN <= value <= PAGE_LIMIT_MAX:
        raise _fail(field, "range", f"must be between {PAGE_LIMIT_MIN} and {PAGE_LIMIT_MAX}, got {value}", value)
    return int(value)


def _minutes(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(field, "type", f"expected a number of minutes, got {type(value).__name__}", value)
    if not math.isfinite(value):
        raise _fail(field, "range", "must be finite", value)
    return value


def validate_timeout_config(
    *,
    timeout_minutes: object = None,
    max_duration_minutes: object = None,
    warning_threshold_minutes: object = None,
    auto_renew: object = None,
    minimum: float = TIMEOUT_MINUTES_MIN,
    maximum: float = TIMEOUT_MINUTES_MAX,
) -> SessionTimeoutSettings | None:
    """Check a session timeout configuration (for create and for PATCH …/timeout); ``None`` means "not
    given". Returns the checked settings (``None`` in the fields not given), or ``None`` when no field was given.

    Rules: ``timeout_minutes`` a number in ``minimum``-``maximum`` (the server's ``SESSION_MIN_TIMEOUT_MINUTES``
    and ``SESSION_MAX_TIMEOUT_MINUTES``, 5-1440 by default); ``max_duration_minutes`` a number in
    ``minimum``-2×``maximum`` and not less than ``timeout_minutes`` when both are given;
    ``warning_threshold_minutes`` a number ≥ 1; ``auto_renew`` a ``bool``. Numbers exclude ``bool`` and
    non-finite floats. The server clamps most of these at creation; the client rejects them so the caller gets
    what they asked for or an error.

    Raises: :class:`~eliza_client.ValidationError` naming the field (rule ``type``, ``range`` or ``order``).
    """
    timeout: float | None = None
    renew: bool | None = None
    max_duration: float | None = None
    warning: float | None = None
    if timeout_minutes is not None:
        timeout = _minutes(timeout_minutes, "timeout_minutes")
        if not minimum <= timeout <= maximum:
            raise _fail(
                "timeout_minutes",
                "range",
                f"must be between {minimum:g} and {maximum:g} minutes, got {timeout}",
                timeout,
            )
    if auto_renew is not None:
        if not isinstance(auto_renew, bool):
            # The server stores any type at creation; the string "false" then behaves as true.
            raise _fail("auto_renew", "type", f"expected bool, got {type(auto_renew).__name__}", auto_renew)
        renew = auto_renew
    if max_duration_minutes is not None:
        max_duration = _minutes(max_duration_minutes, "max_duration_minutes")
        if not minimum <= max_duration <= 2 * maximum:
            raise _fail(
                "max_duration_minutes",
                "range",
                f"must be between {minimum:g} and {2 * maximum:g} minutes, got {max_duration}",
                max_duration,
            )
        if timeout is not None and max_duration < timeout:
            raise _fail(
                "max_duration_minutes",
                "order",
                f"must not be less than timeout_minutes ({timeout}), got {max_duration}",
                max_duration,
            )
    if warning_threshold_minutes is not None:
        warning = _minutes(warning_threshold_minutes, "warning_threshold_minutes")
        if warning < WARNING_THRESHOLD_MINUTES_MIN:
            raise _fail(
                "warning_threshold_minutes",
                "range",
                f"must be at least {WARNING_THRESHOLD_MINUTES_MIN} minute, got {warning}",
                warning,
            )
    if timeout is None and renew is None and max_duration is None and warning is None:
        return None
    return SessionTimeoutSettings(
        timeout_minutes=timeout, auto_renew=renew, max_duration_minutes=max_duration, warning_threshold_minutes=warning
    )
