"""JavaScript semantics the real (Node.js) server gets for free and we must reproduce by hand.

The elizaOS server is an Express app: its observable behaviour depends on ``JSON.parse``/``JSON.stringify``,
``parseInt``, ``Number()``, truthiness, object spread and ``Date#toISOString``. Each helper below mirrors one of
those so the handlers in :mod:`._state` can be written as a line-by-line twin of the TypeScript router.

JSON values are represented the way :func:`json.loads` produces them (dict, list, str, int, float, bool, None).
Integral numbers are kept as ``int`` (JS has a single number type, so ``30.0`` and ``30`` are the same value and
must serialize as ``30``).
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

__all__ = [
    "UNDEFINED",
    "JsonSyntaxError",
    "iso_from_ms",
    "js_json_parse",
    "js_number_str",
    "js_parse_int",
    "js_spread",
    "js_stringify",
    "js_to_number",
    "js_to_string",
    "js_truthy",
    "js_typeof",
    "jsonb_order",
    "parse_json_body",
    "time_clip",
    "utf16_len",
]

#: Characters ``String.prototype.trim`` / ``parseInt`` treat as white space (WhiteSpace + LineTerminator).
JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)

#: Largest integer a JS number holds exactly; bigger JSON integers lose precision in ``JSON.parse``.
_MAX_SAFE = 2**53
#: ``new Date(x)`` is an Invalid Date beyond this many milliseconds from the epoch (ECMA-262 TimeClip).
MAX_TIME_MS = 8.64e15

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")
_LEADING_INT = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_RADIX = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}


class _Undefined:
    """JavaScript's ``undefined``: a missing property, or ``req.body`` when no JSON body was parsed."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Any = _Undefined()

# --------------------------------------------------------------------------------------------------- numbers


def js_number_str(value: float) -> str:
    """Format a number exactly as ``String(n)`` / ``JSON.stringify`` do (``NaN``/``Infinity`` → ``null``)."""
    if isinstance(value, int):
        if abs(value) <= _MAX_SAFE:
            return str(value)
        value = _big_int_to_float(value)
    if math.isnan(value) or math.isinf(value):
        return "null"
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) <= _MAX_SAFE:
        return str(int(value))
    # repr() gives the shortest digit string that round-trips, which is what ECMA-262 Number::toString uses too;
    # only the placement of the decimal point and exponent differs between the two languages.
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    k = len(digits)
    n = exponent + len(digit_tuple)  # value = 0.d1d2...dk * 10**n
    prefix = "-" if sign else ""
    if k <= n <= 21:
        return prefix + digits + "0" * (n - k)
    if 0 < n <= 21:
        return prefix + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return prefix + "0." + "0" * (-n) + digits
    e = n - 1
    exp = ("+" if e >= 0 else "-") + str(abs(e))
    if k == 1:
        return prefix + digits + "e" + exp
    return prefix + digits[0] + "." + digits[1:] + "e" + exp


def _big_int_to_float(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def js_parse_int(text: str) -> float:
    """``parseInt(text, 10)``: leading white space, optional sign, the longest run of ASCII digits; else NaN."""
    match = _LEADING_INT.match(text.lstrip(JS_WHITESPACE))
    if match is None:
        return math.nan
    return _big_int_to_float(int(match.group()))


def _string_to_number(text: str) -> float:
    stripped = text.strip(JS_WHITESPACE)
    if stripped == "":
        return 0.0
    if stripped in ("Infinity", "+Infinity"):
        return math.inf
    if stripped == "-Infinity":
        return -math.inf
    radix = _RADIX.get(stripped[:2])
    if radix is not None:
        try:
            return _big_int_to_float(int(stripped[2:], radix))
        except ValueError:
            return math.nan
    if _DECIMAL.fullmatch(stripped):
        return float(stripped)
    return math.nan


def js_to_number(value: Any) -> float:
    """``Number(value)`` for any JSON value (strings use the StringToNumber grammar: hex, ``Infinity``, …)."""
    if value is None or value is False:
        return 0.0
    if value is True:
        return 1.0
    if isinstance(value, int):
        return _big_int_to_float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return _string_to_number(value)
    if isinstance(value, list):
        return _string_to_number(js_to_string(value))
    return math.nan  # plain objects become "[object Object]"


def time_clip(ms: float) -> int | None:
    """ECMA-262 TimeClip: the integer time value of ``new Date(ms)``, or None for an Invalid Date."""
    if math.isnan(ms) or math.isinf(ms) or abs(ms) > MAX_TIME_MS:
        return None
    return int(ms)  # truncates toward zero, like ToIntegerOrInfinity


# --------------------------------------------------------------------------------------------------- values


def js_typeof(value: Any) -> str:
    """``typeof value`` for a JSON value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"  # null, arrays and objects


def js_truthy(value: Any) -> bool:
    """JS truthiness: ``false, 0, NaN, "", null`` are falsy; every object and array (even empty) is truthy."""
    if value is None or value is False or value is UNDEFINED:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return not (value == 0 or (isinstance(value, float) and math.isnan(value)))
    if isinstance(value, str):
        return value != ""
    return True


def js_to_string(value: Any) -> str:
    """``String(value)`` for a JSON value (arrays join with commas, objects are ``[object Object]``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return "NaN"
        if isinstance(value, float) and math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return js_number_str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join("" if item is None else js_to_string(item) for item in value)
    return "[object Object]"


def js_spread(value: Any) -> dict[str, Any]:
    """The own enumerable properties ``{...value}`` copies: strings and arrays spread index by index."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, (str, list)):
        return {str(i): item for i, item in enumerate(value)}
    return {}


# --------------------------------------------------------------------------------------------------- JSON out


def _escape_lone_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _quote(text: str) -> str:
    # json.dumps already escapes exactly what JSON.stringify escapes (quote, backslash, C0 controls, lowercase
    # hex); only lone surrogates differ: well-formed JSON.stringify (ES2019) writes them as \udXXX escapes.
    quoted = json.dumps(text, ensure_ascii=False)
    if _LONE_SURROGATE.search(quoted):
        quoted = _LONE_SURROGATE.sub(_escape_lone_surrogate, quoted)
    return quoted


def _ordered_keys(obj: dict[str, Any]) -> list[str]:
    # JS objects enumerate array-index keys ("0", "17", …) first in numeric order, then the rest in insertion
    # order; JSON.stringify follows that order, so a client that echoes metadata sees it.
    index_keys = [k for k in obj if _ARRAY_INDEX.fullmatch(k) and int(k) < 2**32 - 1]
    if not index_keys:
        return list(obj)
    index_keys.sort(key=int)
    seen = set(index_keys)
    return index_keys + [k for k in obj if k not in seen]


def js_stringify(value: Any) -> str:
    """``JSON.stringify(value)`` with no spacing, byte-for-byte as Node.js would produce it."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return js_number_str(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(js_stringify(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(_quote(k) + ":" + js_stringify(value[k]) for k in _ordered_keys(value)) + "}"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def jsonb_order(value: Any) -> Any:
    """``value`` as it comes back from a Postgres ``jsonb`` column: object keys sorted shorter-first, then by
    their UTF-8 bytes (the server stores message and channel metadata as jsonb, so clients see this order)."""
    if isinstance(value, dict):
        keys = sorted(
            value, key=lambda k: (len(k.encode("utf-8", "surrogatepass")), k.encode("utf-8", "surrogatepass"))
        )
        return {k: jsonb_order(value[k]) for k in keys}
    if isinstance(value, list):
        return [jsonb_order(item) for item in value]
    return value


def utf16_len(text: str) -> int:
    """``text.length`` in JavaScript: UTF-16 code units (astral characters count twice)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


# --------------------------------------------------------------------------------------------------- JSON in


class JsonSyntaxError(ValueError):
    """A request body that ``JSON.parse`` (via body-parser) rejects; ``str()`` is V8's message."""


def _json_float(text: str) -> int | float:
    number = float(text)
    if number.is_integer() and abs(number) <= _MAX_SAFE:
        return int(number)
    return number


def _json_int(text: str) -> int | float:
    number = int(text)
    return number if abs(number) <= _MAX_SAFE else _big_int_to_float(number)


class _RejectedConstant(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    # Python accepts NaN/Infinity literals, JSON.parse does not.
    raise _RejectedConstant(name)


_JSON_WS = " \t\n\r"
_MAX_CONTEXT = 10


def _unexpected_token(text: str, pos: int) -> str:
    token = text[pos]
    if len(text) <= 2 * _MAX_CONTEXT:
        return f"Unexpected token '{token}', \"{text}\" is not valid JSON"
    if pos < _MAX_CONTEXT:
        return f"Unexpected token '{token}', \"{text[: pos + _MAX_CONTEXT]}\"... is not valid JSON"
    if pos >= len(text) - _MAX_CONTEXT:
        return f"Unexpected token '{token}', ...\"{text[pos - _MAX_CONTEXT :]}\" is not valid JSON"
    return f"Unexpected token '{token}', ...\"{text[pos - _MAX_CONTEXT : pos + _MAX_CONTEXT]}\"... is not valid JSON"


class _V8Locator:
    """A strict JSON scanner used only after a parse failed, to word the error the way V8 does."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, template: str) -> JsonSyntaxError:
        # The end of the input is "Unexpected end of JSON input" for every token except an open string.
        if self.pos >= len(self.text) and template != "Unterminated string":
            return JsonSyntaxError("Unexpected end of JSON input")
        if template == "token":
            return JsonSyntaxError(_unexpected_token(self.text, self.pos))
        if template.endswith("after JSON"):
            return JsonSyntaxError(f"{template} at position {self.pos}")
        return JsonSyntaxError(f"{template} in JSON at position {self.pos}")

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _JSON_WS:
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def run(self) -> JsonSyntaxError | None:
        try:
            self.skip_ws()
            self.value()
            self.skip_ws()
            if self.pos < len(self.text):
                raise self.fail("Unexpected non-whitespace character after JSON")
        except JsonSyntaxError as err:
            return err
        return None

    def value(self) -> None:
        ch = self.peek()
        if ch == "{":
            self.obj()
        elif ch == "[":
            self.arr()
        elif ch == '"':
            self.string()
        elif ch == "-" or (ch.isdigit() and ch.isascii()):
            self.number()
        else:
            for literal in ("true", "false", "null"):
                if ch == literal[0]:
                    # V8 compares the literal character by character and reports the first mismatch
                    # (or the end of the input when the text stops early, e.g. "tru").
                    for expected in literal:
                        if self.peek() != expected:
                            raise self.fail("token")
                        self.pos += 1
                    return
            raise self.fail("token")

    def obj(self) -> None:
        self.pos += 1
        self.skip_ws()
        if self.peek() == "}":
            self.pos += 1
            return
        first = True
        while True:
            if self.peek() != '"':
                raise self.fail("Expected property name or '}'" if first else "Expected double-quoted property name")
            first = False
            self.string()
            self.skip_ws()
            if self.peek() != ":":
                raise self.fail("Expected ':' after property name")
            self.pos += 1
            self.skip_ws()
            self.value()
            self.skip_ws()
            if self.peek() == ",":
                self.pos += 1
                self.skip_ws()
                continue
            if self.peek() == "}":
                self.pos += 1
                return
            raise self.fail("Expected ',' or '}' after property value")

    def arr(self) -> None:
        self.pos += 1
        self.skip_ws()
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            self.value()
            self.skip_ws()
            if self.peek() == ",":
                self.pos += 1
                self.skip_ws()
                continue
            if self.peek() == "]":
                self.pos += 1
                return
            raise self.fail("Expected ',' or ']' after array element")

    def string(self) -> None:
        self.pos += 1
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == '"':
                self.pos += 1
                return
            if ch < " ":
                raise self.fail("Bad control character in string literal")
            if ch == "\\":
                self.pos += 1
                esc = self.peek()
                if esc == "u":
                    hex_digits = text[self.pos + 1 : self.pos + 5]
                    if len(hex_digits) < 4 or any(c not in "0123456789abcdefABCDEF" for c in hex_digits):
                        raise self.fail("Bad Unicode escape")
                    self.pos += 5
                    continue
                if esc and esc in '"\\/bfnrt':
                    self.pos += 1
                    continue
                raise self.fail("Bad escaped character")
            self.pos += 1
        raise self.fail("Unterminated string")

    def number(self) -> None:
        text = self.text
        if self.peek() == "-":
            self.pos += 1
            if not (self.peek().isascii() and self.peek().isdigit()):
                raise self.fail("No number after minus sign")
        if self.peek() == "0":
            self.pos += 1
        else:
            while self.peek().isascii() and self.peek().isdigit():
                self.pos += 1
        if self.peek() == ".":
            self.pos += 1
            if not (self.peek().isascii() and self.peek().isdigit()):
                raise self.fail("Unterminated fractional number")
            while self.peek().isascii() and self.peek().isdigit():
                self.pos += 1
        if self.peek() in ("e", "E") and self.pos < len(text):
            self.pos += 1
            if self.peek() in ("+", "-") and self.pos < len(text):
                self.pos += 1
            if not (self.peek().isascii() and self.peek().isdigit()):
                raise self.fail("Exponent part is missing a number")
            while self.peek().isascii() and self.peek().isdigit():
                self.pos += 1


def _strict_violation(text: str) -> JsonSyntaxError:
    # body-parser's strict mode rejects any top-level value that is not an object or array *before* calling
    # JSON.parse; it builds the message by parsing a '#'-masked copy and putting the original text back.
    stripped = text.lstrip(_JSON_WS)
    if not stripped:
        return JsonSyntaxError("Unexpected end of JSON input")
    index = len(text) - len(stripped)
    return JsonSyntaxError(_unexpected_token(text, index))


def parse_json_body(text: str) -> Any:
    """Parse a request body like ``express.json()`` (strict): objects/arrays only, V8 error messages.

    An empty body is ``{}``, as body-parser special-cases it.
    """
    if text == "":
        return {}
    first = text.lstrip(_JSON_WS)[:1]
    if first not in ("{", "["):
        raise _strict_violation(text)
    try:
        return json.loads(text, parse_float=_json_float, parse_int=_json_int, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as err:
        if isinstance(err, RecursionError):
            raise JsonSyntaxError("Maximum call stack size exceeded") from None
        located = _V8Locator(text).run()
        raise (located or JsonSyntaxError(str(err))) from None


def js_json_parse(text: str) -> Any:
    """``JSON.parse(text)`` for any top-level value (no V8 message: callers only need success or failure)."""
    try:
        return json.loads(text, parse_float=_json_float, parse_int=_json_int, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise JsonSyntaxError("Unexpected token in JSON") from None


# --------------------------------------------------------------------------------------------------- dates


def _civil_from_days(days: int) -> tuple[int, int, int]:
    # Howard Hinnant's days → (year, month, day) for the proleptic Gregorian calendar, valid for any integer,
    # because JS dates reach ±275 760 years, far outside what datetime supports.
    days += 719468
    era = days // 146097  # Python's // already floors, unlike the C original
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    year = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return (year + (1 if month <= 2 else 0), month, day)


def iso_from_ms(ms: int) -> str:
    """``new Date(ms).toISOString()``: millisecond precision, ``Z`` suffix, expanded years outside 0…9999."""
    days, rem = divmod(ms, 86_400_000)
    year, month, day = _civil_from_days(days)
    hours, rem = divmod(rem, 3_600_000)
    minutes, rem = divmod(rem, 60_000)
    seconds, millis = divmod(rem, 1000)
    year_text = f"{year:04d}" if 0 <= year <= 9999 else f"{'+' if year > 0 else '-'}{abs(year):06d}"
    return f"{year_text}-{month:02d}-{day:02d}T{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z"
