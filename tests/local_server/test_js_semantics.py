"""The JavaScript semantics the server imitates: parseInt, Number(), number/date formatting, JSON in and out."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eliza_client.testing import ManualClock, SystemClock
from eliza_client.testing._clock import Clock
from eliza_client.testing._js import (
    JsonSyntaxError,
    iso_from_ms,
    js_number_str,
    js_parse_int,
    js_spread,
    js_stringify,
    js_to_number,
    js_to_string,
    js_truthy,
    jsonb_order,
    parse_json_body,
    utf16_len,
)
from eliza_client.testing._ratelimit import FixedWindowRateLimiter


@pytest.mark.parametrize(
    ("text", "expected"),
    [("42", 42), ("  -7x", -7), ("+3", 3), ("1e3", 1), ("1.9e12", 1), ("2025-12-31T10:00:00Z", 2025), ("\u00a05", 5)],
)
def test_parse_int(text: str, expected: int) -> None:
    assert js_parse_int(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "-", " ", "٣"])
def test_parse_int_nan(text: str) -> None:
    assert math.isnan(js_parse_int(text))


def test_parse_int_overflow() -> None:
    assert js_parse_int("9" * 400) == math.inf


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10", 10),
        (" 7.5 ", 7.5),
        ("", 0),
        (None, 0),
        (True, 1),
        ("0x40", 64),
        ("0b11", 3),
        ("0o17", 15),
        ("1e3", 1000),
        (".5", 0.5),
        ("5.", 5),
        ("-Infinity", -math.inf),
        ([], 0),
        (["7"], 7),
        (7, 7),
    ],
)
def test_to_number(value: Any, expected: float) -> None:
    assert js_to_number(value) == expected


@pytest.mark.parametrize("value", ["abc", "-0x10", "1_000", [1, 2], {}, "Infinityx"])
def test_to_number_nan(value: Any) -> None:
    assert math.isnan(js_to_number(value))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (30.0, "30"),
        (7.5, "7.5"),
        (1e21, "1e+21"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (123456789012345680000.0, "123456789012345680000"),
        (-0.0, "0"),
        (math.nan, "null"),
        (2**70, "1.1805916207174113e+21"),
    ],
)
def test_number_str(value: float, expected: str) -> None:
    assert js_number_str(value) == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_str_round_trips(value: float) -> None:
    assert float(js_number_str(value)) == value


def test_stringify() -> None:
    assert js_stringify({"b": 1, "2": True, "a": [None, "x"], "1": 0.5}) == '{"1":0.5,"2":true,"b":1,"a":[null,"x"]}'
    assert js_stringify("\ud800é\n\u2028") == '"\\ud800é\\n\u2028"'
    assert js_stringify({"k": 1e300}) == '{"k":1e+300}'


def test_to_string_and_truthiness_and_spread() -> None:
    assert js_to_string([1, None, [2, 3], {}]) == "1,,2,3,[object Object]"
    values: list[Any] = [0, "", None, False, math.nan, [], {}, "0", -1]
    assert [js_truthy(v) for v in values] == [False] * 5 + [True] * 4
    assert js_spread("ab") == {"0": "a", "1": "b"}
    assert js_spread(5) == {}


def test_utf16_len() -> None:
    assert utf16_len("a\U0001f600") == 3


def test_jsonb_order() -> None:
    value = {"timeoutConfig": {"warningThresholdMinutes": 5, "autoRenew": True}, "n": 1, "userId": "u", "ab": 2}
    assert list(jsonb_order(value)) == ["n", "ab", "userId", "timeoutConfig"]
    assert list(jsonb_order(value)["timeoutConfig"]) == ["autoRenew", "warningThresholdMinutes"]


@given(st.integers(min_value=-62135596800000, max_value=253402300799999))
def test_iso_matches_datetime(ms: int) -> None:
    expected = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=ms)
    assert iso_from_ms(ms) == f"{expected.year:04d}" + expected.strftime("-%m-%dT%H:%M:%S.") + (
        f"{expected.microsecond // 1000:03d}Z"
    )


def test_iso_expanded_years() -> None:
    assert iso_from_ms(8_640_000_000_000_000) == "+275760-09-13T00:00:00.000Z"
    assert iso_from_ms(-62198755200000) == "-000001-01-01T00:00:00.000Z"


def test_parse_json_body() -> None:
    assert parse_json_body("") == {}
    assert parse_json_body('{"a": 30.0, "b": 1e400, "c": 12345678901234567890}') == {
        "a": 30,
        "b": math.inf,
        "c": 12345678901234567000.0,
    }
    for text, message in (
        ("5", "Unexpected token '5', \"5\" is not valid JSON"),
        ("null", "Unexpected token 'n', \"null\" is not valid JSON"),
        ('{"a":tru', "Unexpected end of JSON input"),
        ('{"a":"\\x"}', "Bad escaped character in JSON at position 7"),
        ('{"a":"\x01"}', "Bad control character in string literal in JSON at position 6"),
        ('{"a":-}', "No number after minus sign in JSON at position 6"),
        ('{"a":1.}', "Unterminated fractional number in JSON at position 7"),
        ('{"a":1e}', "Exponent part is missing a number in JSON at position 7"),
        ('{"a":"\\u12"}', "Bad Unicode escape in JSON at position 7"),
        ('{"aaaaaaaaaaaaaaaaaaaaaaa": x}', 'Unexpected token \'x\', ..."aaaaaaa": x}" is not valid JSON'),
        ('{"k": x, "aaaaaaaaaaaaaaaaaaaa": 1}', 'Unexpected token \'x\', "{"k": x, "aaaaaa"... is not valid JSON'),
    ):
        with pytest.raises(JsonSyntaxError) as caught:
            parse_json_body(text)
        assert str(caught.value) == message, text


def test_clocks() -> None:
    clock = ManualClock(1000)
    assert clock.now_ms() == 1000
    assert clock.advance(minutes=1, seconds=1, ms=1) == 62001
    clock.set(5)
    assert clock.now_ms() == 5
    assert isinstance(clock, Clock)
    assert isinstance(SystemClock(), Clock)
    assert abs(SystemClock().now_ms() - ManualClock().now_ms()) < 60_000


def test_rate_limiter_windows() -> None:
    clock = ManualClock(0)
    limiter = FixedWindowRateLimiter(2, 10, clock)
    assert [limiter.hit("a").allowed for _ in range(3)] == [True, True, False]
    assert limiter.hit("b").remaining == 1  # per key
    clock.advance(seconds=9, ms=500)
    assert limiter.hit("a").reset_seconds == 1
    clock.advance(ms=500)
    assert limiter.hit("a").remaining == 1  # a new window
    limiter.charge("a", 5)
    assert not limiter.hit("a").allowed
    with pytest.raises(ValueError, match="at least 1"):
        FixedWindowRateLimiter(0, 10, clock)
