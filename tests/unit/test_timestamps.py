"""Wire time formats <-> aware UTC datetimes: exact, total over the datetime range, naive rejected."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eliza_client._constants import JS_DATE_MAX_MS
from eliza_client._errors import ValidationError
from eliza_client._timestamps import EPOCH, from_epoch_ms, parse_iso, to_epoch_ms

from ._node import needs_node, run_node

MIN_MS = (datetime.min.replace(tzinfo=UTC) - EPOCH) // timedelta(milliseconds=1)
MAX_MS = (datetime.max.replace(tzinfo=UTC) - EPOCH) // timedelta(milliseconds=1)

all_ms = st.integers(min_value=MIN_MS, max_value=MAX_MS)
offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC) | offsets)


# --- examples from the wire reference ------------------------------------------------------------------


def to_iso(value: datetime) -> str:
    """JavaScript's ``toISOString`` (UTC, floored milliseconds, ``Z``): the oracle the parsing tests compare with."""
    utc = value.astimezone(UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def test_reference_examples() -> None:
    created = parse_iso("2025-12-31T10:00:00.000Z")
    assert created == datetime(2025, 12, 31, 10, tzinfo=UTC)
    assert to_epoch_ms(created, field="before") == 1767175200000
    assert from_epoch_ms(1767175262345) == datetime(2025, 12, 31, 10, 1, 2, 345000, tzinfo=UTC)
    assert to_epoch_ms("2025-12-31T10:01:00.000Z", field="after") == 1767175260000


def test_results_are_aware_utc() -> None:
    for value in (from_epoch_ms(0), parse_iso("2025-12-31T12:00:00+02:00")):
        assert value.tzinfo is UTC
    assert parse_iso("2025-12-31T12:00:00+02:00") == datetime(2025, 12, 31, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-12-31T10:00:00Z", datetime(2025, 12, 31, 10, tzinfo=UTC)),
        ("2025-12-31t10:00:00z", datetime(2025, 12, 31, 10, tzinfo=UTC)),
        ("2025-12-31 10:00:00Z", datetime(2025, 12, 31, 10, tzinfo=UTC)),
        ("2025-12-31T10:00Z", datetime(2025, 12, 31, 10, tzinfo=UTC)),
        ("2025-12-31T10:00:00.5Z", datetime(2025, 12, 31, 10, 0, 0, 500000, tzinfo=UTC)),
        ("2025-12-31T10:00:00,25Z", datetime(2025, 12, 31, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2025-12-31T10:00:00.123456789Z", datetime(2025, 12, 31, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2025-12-31T15:30:00+05:30", datetime(2025, 12, 31, 10, tzinfo=UTC)),
        ("2025-12-31T15:30:00+0530", datetime(2025, 12, 31, 10, tzinfo=UTC)),
        ("2025-12-31T05:00:00-05", datetime(2025, 12, 31, 10, tzinfo=UTC)),
        ("2025-12-31T10:00:00-00:00", datetime(2025, 12, 31, 10, tzinfo=UTC)),
        ("2026-01-01T01:00:00+15:00", datetime(2025, 12, 31, 10, tzinfo=UTC)),
    ],
)
def test_parse_iso_accepts(text: str, expected: datetime) -> None:
    assert parse_iso(text) == expected


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("2025-12-31T10:00:00", "naive_datetime"),
        ("2025-12-31T10:00:00.000", "naive_datetime"),
        ("2025-12-31", "naive_datetime"),
        ("2025-12-31Z", "naive_datetime"),
        ("yesterday", "format"),
        ("", "format"),
        ("1767175200000", "format"),
        ("2025-13-01T00:00:00Z", "format"),
        ("2025-02-30T00:00:00Z", "format"),
        ("2025-12-31T24:00:00Z", "format"),
        ("2025-12-31T23:59:60Z", "format"),
        ("2025-12-31T10:00:00+24:00", "format"),
        ("2025-12-31T10:00:00+05:60", "format"),
        ("2025-12-31T10:00:00Z\n", "format"),
        (" 2025-12-31T10:00:00Z", "format"),
        ("\uff12\uff10\uff12\uff15-12-31T10:00:00Z", "format"),  # fullwidth digits
        ("0001-01-01T00:00:00+01:00", "range"),
        ("9999-12-31T23:59:59-01:00", "range"),
    ],
)
def test_parse_iso_rejects(text: str, rule: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_iso(text, field="after")
    assert (info.value.field, info.value.rule) == ("after", rule)


def test_parse_iso_rejects_non_strings() -> None:
    with pytest.raises(ValidationError) as info:
        parse_iso(123)  # type: ignore[arg-type]
    assert info.value.rule == "type"


# --- to_epoch_ms ---------------------------------------------------------------------------------------


def test_to_epoch_ms_accepts_int_datetime_and_iso() -> None:
    assert to_epoch_ms(0, field="f") == 0
    assert to_epoch_ms(-5, field="f") == -5
    assert to_epoch_ms(JS_DATE_MAX_MS, field="f") == JS_DATE_MAX_MS
    assert to_epoch_ms(-JS_DATE_MAX_MS, field="f") == -JS_DATE_MAX_MS
    assert to_epoch_ms(datetime(1970, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))), field="f") == 0


def test_to_epoch_ms_floors_sub_milliseconds() -> None:
    assert to_epoch_ms(datetime(1970, 1, 1, 0, 0, 0, 999, tzinfo=UTC), field="f") == 0
    assert to_epoch_ms(datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC), field="f") == -1
    assert to_epoch_ms("1969-12-31T23:59:59.9999Z", field="f") == -1


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (True, "type"),
        (False, "type"),
        (1767175200.0, "type"),
        (date(2025, 12, 31), "type"),
        (None, "type"),
        (b"2025-12-31T10:00:00Z", "type"),
        (datetime(2025, 12, 31, 10), "naive_datetime"),
        ("2025-12-31T10:00:00", "naive_datetime"),
        ("2025-12-31T10:00:00Zjunk", "format"),
        (JS_DATE_MAX_MS + 1, "range"),
        (-JS_DATE_MAX_MS - 1, "range"),
        (99999999999999999, "range"),
    ],
)
def test_to_epoch_ms_rejects(value: object, rule: str) -> None:
    with pytest.raises(ValidationError) as info:
        to_epoch_ms(value, field="before")  # type: ignore[arg-type]
    assert (info.value.field, info.value.rule) == ("before", rule)
    assert str(info.value).startswith("before: ")


def test_float_hint_mentions_milliseconds() -> None:
    with pytest.raises(ValidationError, match="milliseconds"):
        to_epoch_ms(1.5, field="after")  # type: ignore[arg-type]


# --- from_epoch_ms -------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "rule"), [(True, "type"), (1.0, "type"), ("1", "type"), (MAX_MS + 1, "range")])
def test_from_epoch_ms_rejects(value: object, rule: str) -> None:
    with pytest.raises(ValidationError) as info:
        from_epoch_ms(value, field="created_at")  # type: ignore[arg-type]
    assert (info.value.field, info.value.rule) == ("created_at", rule)


# --- properties ----------------------------------------------------------------------------------------


@given(all_ms)
def test_ms_datetime_iso_round_trip(ms: int) -> None:
    moment = from_epoch_ms(ms)
    assert moment.tzinfo is UTC
    assert to_epoch_ms(moment, field="f") == ms
    text = to_iso(moment)
    assert parse_iso(text) == moment
    assert to_epoch_ms(text, field="f") == ms


@given(aware)
def test_any_aware_datetime_round_trips_to_the_floored_millisecond(moment: datetime) -> None:
    ms = to_epoch_ms(moment, field="f")
    back = from_epoch_ms(ms)
    assert back <= moment < back + timedelta(milliseconds=1)
    assert back.microsecond % 1000 == 0
    assert parse_iso(to_iso(moment)) == back


@given(aware)
def test_offsets_are_normalised(moment: datetime) -> None:
    # Python's isoformat writes the offset; parsing it must land on the same instant, in UTC.
    parsed = parse_iso(moment.isoformat())
    assert parsed == moment
    assert parsed.utcoffset() == timedelta(0)


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
def test_naive_is_always_rejected(naive: datetime) -> None:
    for value in (naive, naive.isoformat()):
        with pytest.raises(ValidationError) as info:
            to_epoch_ms(value, field="before")
        assert info.value.rule == "naive_datetime"


@given(st.integers())
def test_integers_accepted_iff_within_the_js_date_range(ms: int) -> None:
    if abs(ms) <= JS_DATE_MAX_MS:
        assert to_epoch_ms(ms, field="f") == ms
    else:
        with pytest.raises(ValidationError):
            to_epoch_ms(ms, field="f")


@given(st.text(max_size=40))
def test_parse_iso_only_raises_validation_error(text: str) -> None:
    rule = None
    try:
        result = parse_iso(text)
    except ValidationError as err:
        rule = err.rule
    else:
        assert result.tzinfo is UTC
    assert rule in {None, "format", "naive_datetime", "range"}


# --- JavaScript as the oracle --------------------------------------------------------------------------


@needs_node
def test_to_iso_and_parse_iso_agree_with_javascript_date() -> None:
    samples: list[int] = []

    @settings(max_examples=400, database=None)
    @given(all_ms)
    def collect(ms: int) -> None:
        samples.append(ms)

    collect()
    samples += [MIN_MS, MAX_MS, 0, -1, 1767175262345, 253402300799999]
    ours = [[to_iso(from_epoch_ms(ms)), ms] for ms in samples]
    theirs = run_node("return input.map(([iso, ms]) => [new Date(ms).toISOString(), Date.parse(iso)]);", ours)
    for (iso, ms), (js_iso, js_ms) in zip(ours, theirs, strict=True):
        assert (iso, ms) == (js_iso, js_ms)
    offsets_text = ["2025-12-31T15:30:00+05:30", "2025-12-31T05:00:00.250-05:00", "2025-12-31T10:00:00.999Z"]
    js = run_node("return input.map(Date.parse);", offsets_text)
    assert [to_epoch_ms(text, field="f") for text in offsets_text] == js
