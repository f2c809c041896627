"""Client-side validation against the server's rules as the wire reference states them.

The properties pair each validator with a small model of the server rule (written independently, in
JavaScript terms) and, where JavaScript semantics matter (string length, JSON.stringify, the UUID regex),
with Node.js itself as the oracle.
"""

from __future__ import annotations

import math
import re
import uuid
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from eliza_client import SessionTimeoutSettings
from eliza_client._constants import CONTENT_MAX_LENGTH, METADATA_MAX_LENGTH, VALUE_DEPTH_MAX
from eliza_client._errors import ValidationError
from eliza_client._validation import (
    js_json_length,
    utf16_length,
    validate_attachments,
    validate_content,
    validate_limit,
    validate_metadata,
    validate_session_id,
    validate_timeout_config,
    validate_uuid,
)

from ._node import needs_node, run_node

# Every code point, lone surrogates included (hypothesis leaves category Cs out by default).
any_char = st.characters(exclude_categories=())
astral = st.characters(min_codepoint=0x10000)
bmp = st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"])


def js_length(text: str) -> int:
    """The server's `content.length`, modelled per code point: astral characters are two UTF-16 units."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def rule_of(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    return info.value.field, info.value.rule


# --- uuid / session id ---------------------------------------------------------------------------------

GOOD_UUIDS = [
    "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
    "C1D2E3F4-A5B6-4C7D-8E9F-0A1B2C3D4E5F",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-1fff-0fff-ffffffffffff",  # any version/variant, as the server
]
BAD_UUIDS = [
    "",
    "nope",
    "c1d2e3f4a5b64c7d8e9f0a1b2c3d4e5f",
    "{c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f}",
    "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f\n",
    " c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
    "g1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
    "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f0",
    "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5",
    "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5\uff46",  # fullwidth f
    "../../agents",
]


@pytest.mark.parametrize("value", GOOD_UUIDS)
def test_validate_uuid_accepts(value: str) -> None:
    assert validate_uuid(value, field="agent_id") == value
    assert validate_session_id(value) == value


def test_validate_uuid_accepts_uuid_objects() -> None:
    value = uuid.UUID(GOOD_UUIDS[0])
    assert validate_uuid(value, field="user_id") == GOOD_UUIDS[0]


@pytest.mark.parametrize("value", BAD_UUIDS[1:])
def test_validate_uuid_rejects(value: str) -> None:
    assert rule_of(validate_uuid, value, field="agent_id") == ("agent_id", "uuid")
    assert rule_of(validate_session_id, value) == ("session_id", "uuid")


@pytest.mark.parametrize("value", [None, 123, b"c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f", ["x"]])
def test_validate_uuid_rejects_non_strings(value: object) -> None:
    assert rule_of(validate_uuid, value, field="user_id") == ("user_id", "type")
    assert rule_of(validate_session_id, value) == ("session_id", "type")


def test_empty_session_id_has_its_own_rule() -> None:
    assert rule_of(validate_session_id, "") == ("session_id", "min_length")


def test_uuid_error_carries_a_short_value_repr() -> None:
    with pytest.raises(ValidationError) as info:
        validate_uuid("nope", field="agent_id")
    assert info.value.value_repr == "'nope'"
    assert str(info.value).startswith("agent_id: ")


uuidish = st.text(alphabet="0123456789abcdefABCDEFgG-\n {}", min_size=30, max_size=40) | st.uuids().map(str).flatmap(
    lambda u: st.sampled_from([u, u.upper(), u + "\n", u[:-1], u.replace("-", ""), u + "a"])
)


@needs_node
def test_uuid_acceptance_matches_the_server_regex_in_javascript() -> None:
    samples: list[str] = list(GOOD_UUIDS + BAD_UUIDS)

    @settings(max_examples=300, database=None)
    @given(uuidish)
    def collect(value: str) -> None:
        samples.append(value)

    collect()
    server = run_node(
        "const re = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;"
        "return input.map(s => re.test(s));",
        samples,
    )
    for value, accepted_by_server in zip(samples, server, strict=True):
        try:
            validate_uuid(value, field="id")
            ours = True
        except ValidationError:
            ours = False
        assert ours == accepted_by_server, value


# --- content -------------------------------------------------------------------------------------------


def test_content_examples() -> None:
    assert validate_content("Hello") == "Hello"
    assert validate_content(" ") == " "  # whitespace-only is accepted, as the server does
    assert validate_content("\n\t") == "\n\t"
    assert validate_content("x" * CONTENT_MAX_LENGTH) == "x" * CONTENT_MAX_LENGTH
    assert validate_content("😀" * 2000) == "😀" * 2000
    assert rule_of(validate_content, "") == ("content", "min_length")
    assert rule_of(validate_content, "x" * 4001) == ("content", "max_length")
    assert rule_of(validate_content, "😀" * 2000 + "x") == ("content", "max_length")
    assert rule_of(validate_content, None) == ("content", "type")
    assert rule_of(validate_content, b"bytes") == ("content", "type")


def test_content_never_copied_into_the_error() -> None:
    with pytest.raises(ValidationError) as info:
        validate_content("private words " * 400)
    assert info.value.value_repr is None
    assert "private" not in str(info.value) + repr(info.value)


def test_utf16_length_counts_lone_surrogates_once() -> None:
    assert utf16_length("\ud800") == 1
    assert utf16_length("\ud83d\ude00") == 2
    assert utf16_length("😀") == 2


@given(
    n_bmp=st.integers(min_value=0, max_value=4010),
    n_astral=st.integers(min_value=0, max_value=10),
    char=bmp,
    emoji=astral,
)
def test_content_accepted_iff_1_to_4000_utf16_units(n_bmp: int, n_astral: int, char: str, emoji: str) -> None:
    text = char * n_bmp + emoji * n_astral
    # NUL is refused whatever the length (the server's database cannot store it).
    expected = 1 <= js_length(text) <= CONTENT_MAX_LENGTH and "\x00" not in text
    try:
        validate_content(text)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == expected


@given(st.text(alphabet=any_char, max_size=50))
def test_content_rule_over_arbitrary_text(text: str) -> None:
    rule = None
    try:
        validate_content(text)
    except ValidationError as err:
        rule = err.rule
    expected = "min_length" if text == "" else "nul_character" if "\x00" in text else None
    assert rule == expected


@needs_node
def test_utf16_length_matches_javascript() -> None:
    samples: list[str] = ["", "a", "😀", "\ud800", "\udc00\ud800", "\ud83d\ude00", "é" * 3]

    @settings(max_examples=300, database=None)
    @given(st.text(alphabet=any_char, max_size=30))
    def collect(text: str) -> None:
        samples.append(text)

    collect()
    assert [utf16_length(s) for s in samples] == run_node("return input.map(s => s.length);", samples)


# --- metadata ------------------------------------------------------------------------------------------


def test_metadata_examples_and_plain_copy() -> None:
    nested: dict[str, Any] = {"n": 1.5, "ok": True, "none": None}
    source = OrderedDict(platform="web", tags=("a", "b"), nested=nested)
    copy = validate_metadata(source)
    assert copy == {"platform": "web", "tags": ["a", "b"], "nested": {"n": 1.5, "ok": True, "none": None}}
    assert type(copy) is dict
    assert type(copy["tags"]) is list
    nested["n"] = 2  # the copy is deep
    assert copy["nested"]["n"] == 1.5
    assert validate_metadata({}) == {}


def test_metadata_size_limit_is_inclusive() -> None:
    overhead = len('{"k":""}')
    assert validate_metadata({"k": "x" * (METADATA_MAX_LENGTH - overhead)})
    assert rule_of(validate_metadata, {"k": "x" * (METADATA_MAX_LENGTH - overhead + 1)}) == ("metadata", "max_size")
    # Astral characters count two units, non-ASCII is not escaped, quotes are.
    assert validate_metadata({"k": "😀" * ((METADATA_MAX_LENGTH - overhead) // 2)})
    assert rule_of(validate_metadata, {"k": '"' * ((METADATA_MAX_LENGTH - overhead) // 2 + 1)})[1] == "max_size"


@pytest.mark.parametrize(
    ("value", "field", "rule"),
    [
        (None, "metadata", "type"),
        ("a string", "metadata", "type"),
        (["a", "list"], "metadata", "type"),
        ({1: "int key"}, "metadata", "key_type"),
        ({"a": {True: 1}}, "metadata.a", "key_type"),
        ({"a": float("nan")}, "metadata.a", "json_type"),
        ({"a": [1, float("inf")]}, "metadata.a[1]", "json_type"),
        ({"a": {"b": {1, 2}}}, "metadata.a.b", "json_type"),
        ({"a": b"bytes"}, "metadata.a", "json_type"),
        ({"when": __import__("datetime").datetime(2025, 1, 1)}, "metadata.when", "json_type"),
        ({"big": 10**400}, "metadata.big", "json_type"),
    ],
)
def test_metadata_rejects(value: object, field: str, rule: str) -> None:
    assert rule_of(validate_metadata, value) == (field, rule)


def test_metadata_cycle_and_depth() -> None:
    cyclic: dict[str, Any] = {}
    cyclic["self"] = cyclic
    assert rule_of(validate_metadata, cyclic) == ("metadata.self", "cycle")
    deep: Any = "leaf"
    for _ in range(100_000):
        deep = [deep]
    assert rule_of(validate_metadata, {"deep": deep})[1] == "max_depth"
    # The bound is exact and named: the metadata object is level 1, its deepest container level VALUE_DEPTH_MAX.
    deep = []
    for _ in range(VALUE_DEPTH_MAX - 2):
        deep = [deep]
    assert validate_metadata({"deep": deep}) == {"deep": deep}
    assert rule_of(validate_metadata, {"deep": [deep]}) == (
        "metadata.deep" + "[0]" * (VALUE_DEPTH_MAX - 1),
        "max_depth",
    )
    with pytest.raises(ValidationError, match=f"nests deeper than {VALUE_DEPTH_MAX} levels"):
        validate_attachments([[deep]])
    # The same list twice is not a cycle.
    shared = [1, 2]
    assert validate_metadata({"a": shared, "b": shared}) == {"a": [1, 2], "b": [1, 2]}


def test_metadata_errors_name_the_field_but_not_the_values() -> None:
    with pytest.raises(ValidationError) as info:
        validate_metadata({"secret": "hunter2", "bad": object()}, field="session_metadata")
    assert info.value.field == "session_metadata.bad"
    assert "hunter2" not in str(info.value) + repr(info.value)
    assert info.value.value_repr is None


def test_js_json_length_of_tricky_values() -> None:
    assert js_json_length({"a": 1.0}) == len('{"a":1}')
    assert js_json_length([1e21, 1e20, 1.5e-7, 1e-6, -0.0]) == len("[1e+21,100000000000000000000,1.5e-7,0.000001,0]")
    assert js_json_length(['\u0001\n"\\é😀\ud800']) == len('["\\u0001\\n\\"\\\\é"]') + 2 + 6
    assert js_json_length(2**64) == len("18446744073709552000")


json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=any_char, max_size=12)
)
json_value = st.recursive(
    json_leaf,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(alphabet=any_char, max_size=6), kids, max_size=4),
    max_leaves=15,
)


@needs_node
def test_metadata_length_matches_json_stringify_in_javascript() -> None:
    samples: list[Any] = [{"a": 1e21}, {"b": [5e-324, 1.7976931348623157e308, -1e-7]}, {"c": 2**53 + 1}]
    # Around JavaScript's switches between fixed and exponent notation (1e-7 and 1e21).
    samples += [{"p": [sign * m * 10.0**e for e in range(-9, 24)]} for m in (1, 1.5, 1.2345678) for sign in (1, -1)]

    @settings(max_examples=400, database=None)
    @given(st.dictionaries(st.text(alphabet=any_char, max_size=6), json_value, max_size=5))
    def collect(value: dict[str, Any]) -> None:
        samples.append(value)

    collect()
    lengths = run_node("return input.map(v => JSON.stringify(v).length);", samples)
    for value, expected in zip(samples, lengths, strict=True):
        assert js_json_length(value) == expected, value


@given(n=st.integers(min_value=10_180, max_value=10_260), n_astral=st.integers(min_value=0, max_value=40), emoji=astral)
def test_metadata_accepted_iff_serialised_length_within_limit(n: int, n_astral: int, emoji: str) -> None:
    text = "x" * (n - 2 * n_astral) + emoji * n_astral
    assume(len(text) > 0)
    server_length = len('{"k":""}') + js_length(text)  # no character here needs escaping
    try:
        validate_metadata({"k": text})
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == (server_length <= METADATA_MAX_LENGTH)


# --- attachments ---------------------------------------------------------------------------------------


def test_attachments() -> None:
    items = ({"type": "image", "url": "https://x/y.png", "name": None},)
    assert validate_attachments(items) == [{"type": "image", "url": "https://x/y.png", "name": None}]
    assert rule_of(validate_attachments, {"type": "image"}) == ("attachments", "type")
    assert rule_of(validate_attachments, [{"size": float("nan")}]) == ("attachments[0].size", "json_type")


# --- limit ---------------------------------------------------------------------------------------------


def test_limit_examples() -> None:
    assert validate_limit(1) == 1
    assert validate_limit(100) == 100
    for value in (0, -1, 101, 1000):
        assert rule_of(validate_limit, value) == ("limit", "range")
    for bad in (True, 10.0, "10", None):
        assert rule_of(validate_limit, bad) == ("limit", "type")


def server_effective_limit(raw: str) -> int:
    """The server's `limit`: integer-prefix parse, 50 when unparsable, then clamped to 1..100."""
    match = re.match(r"\s*[+-]?\d+", raw)
    value = int(match.group()) if match else 50
    return min(max(value, 1), 100)


@given(st.integers())
def test_limit_accepted_iff_the_server_would_use_it_unchanged(value: int) -> None:
    try:
        validate_limit(value)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == (server_effective_limit(str(value)) == value)


# --- transport -----------------------------------------------------------------------------------------


def test_each_send_method_sends_a_transport_the_spec_names() -> None:
    from eliza_client._sending import _TRANSPORT_OF
    from eliza_sessions_api.models import SendMessageRequestTransport

    assert _TRANSPORT_OF == {"send_message": "websocket", "send_and_wait": "http", "stream": "sse"}
    spec_values = {member.value for member in SendMessageRequestTransport}
    assert set(_TRANSPORT_OF.values()) <= spec_values
    assert not set(_TRANSPORT_OF.values()) & {"sync", "stream"}  # legacy names are never sent


# --- timeout configuration -----------------------------------------------------------------------------


def test_timeout_config_examples() -> None:
    assert validate_timeout_config() is None
    assert validate_timeout_config(timeout_minutes=90, auto_renew=False) == SessionTimeoutSettings(
        timeout_minutes=90, auto_renew=False
    )
    assert validate_timeout_config(
        timeout_minutes=5, max_duration_minutes=2880, warning_threshold_minutes=1.5, auto_renew=True
    ) == SessionTimeoutSettings(
        timeout_minutes=5, auto_renew=True, max_duration_minutes=2880, warning_threshold_minutes=1.5
    )
    assert validate_timeout_config(max_duration_minutes=5) == SessionTimeoutSettings(max_duration_minutes=5)


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"timeout_minutes": 2}, "timeout_minutes", "range"),
        ({"timeout_minutes": 4.999}, "timeout_minutes", "range"),
        ({"timeout_minutes": 1441}, "timeout_minutes", "range"),
        ({"timeout_minutes": True}, "timeout_minutes", "type"),
        ({"timeout_minutes": "30"}, "timeout_minutes", "type"),
        ({"timeout_minutes": float("nan")}, "timeout_minutes", "range"),
        ({"max_duration_minutes": 2881}, "max_duration_minutes", "range"),
        ({"max_duration_minutes": 4}, "max_duration_minutes", "range"),
        ({"timeout_minutes": 60, "max_duration_minutes": 30}, "max_duration_minutes", "order"),
        ({"warning_threshold_minutes": 0.5}, "warning_threshold_minutes", "range"),
        ({"warning_threshold_minutes": float("inf")}, "warning_threshold_minutes", "range"),
        ({"auto_renew": "false"}, "auto_renew", "type"),
        ({"auto_renew": 0}, "auto_renew", "type"),
    ],
)
def test_timeout_config_rejects(kwargs: dict[str, Any], field: str, rule: str) -> None:
    assert rule_of(validate_timeout_config, **kwargs) == (field, rule)


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6) | st.integers(-(10**6), 10**6)


@given(finite)
def test_timeout_minutes_accepted_iff_the_patch_endpoint_accepts_it(value: float) -> None:
    server_accepts = 5 <= value <= 1440  # PATCH: a finite number must lie within MIN..MAX
    try:
        validate_timeout_config(timeout_minutes=value)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == server_accepts


@given(timeout=st.integers(5, 1440) | st.floats(5, 1440), max_duration=finite)
def test_max_duration_accepted_iff_the_server_keeps_it(timeout: float, max_duration: float) -> None:
    server_value = max(timeout, min(2 * 1440, max_duration))  # the server clamps instead of rejecting
    try:
        validate_timeout_config(timeout_minutes=timeout, max_duration_minutes=max_duration)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == (server_value == max_duration)


@given(finite)
def test_warning_threshold_accepted_iff_the_server_keeps_it(value: float) -> None:
    try:
        validate_timeout_config(warning_threshold_minutes=value)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == (max(1, value) == value)
    assert not math.isnan(value)
