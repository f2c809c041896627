"""Nesting: the decoder refuses bodies deeper than JSON_DEPTH_MAX before it recurses, so its verdict does not depend
on the caller's stack, and code that runs during a decode (a garbage-collector finalizer) always has room.

Found by the body fuzzer: a 1000-deep body recursed to the interpreter's limit, and a finalizer that the collector ran
there failed with RecursionError (pytest could not even report it).
"""

from __future__ import annotations

import gc
import json
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eliza_client import _json
from eliza_client._constants import JSON_DEPTH_MAX, VALUE_DEPTH_MAX
from eliza_client._json import MalformedJSON, parse


def nested(depth: int, *, kind: str = "[") -> bytes:
    """A body exactly ``depth`` levels deep: arrays, objects, or the two alternating."""
    if kind == "[":
        return b"[" * depth + b"]" * depth
    if kind == "{":
        return b'{"a":' * (depth - 1) + b"{}" + b"}" * (depth - 1)
    opens = ["[" if level % 2 == 0 else '{"k":' for level in range(depth)]
    closes = ["]" if level % 2 == 0 else "}" for level in reversed(range(depth))]
    inner = "0" if opens and opens[-1] != "[" else ""
    return ("".join(opens) + inner + "".join(closes)).encode()


def depth_of(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(item) for item in value.values()), default=0)
    return 0


def verdict(body: bytes | str) -> str:
    try:
        parse(body)
    except MalformedJSON as err:
        return "too deep" if err.too_deep else f"malformed: {err.reason}"
    return "ok"


@pytest.mark.parametrize("kind", ["[", "{", "mixed"])
def test_the_limit_is_exact(kind: str) -> None:
    for depth in (1, 2, 3, JSON_DEPTH_MAX - 1, JSON_DEPTH_MAX, JSON_DEPTH_MAX + 1, 5000):
        body = nested(depth, kind=kind)
        if depth < 900:  # (json.loads itself cannot read deeper)
            assert depth_of(json.loads(body)) == depth, (kind, depth)
        expected = "ok" if depth <= JSON_DEPTH_MAX else "too deep"
        assert verdict(body) == expected, (kind, depth)
        assert verdict(body.decode()) == expected, (kind, depth)  # (event data arrives as str)


def test_brackets_in_strings_do_not_count() -> None:
    for text in ["[" * 1000, "]" * 1000, '\\"' + "[" * 1000, "\\" * 7 + "{" * 1000, '"]]]]"[[[[' * 300]:
        body = json.dumps([text, {"k": text}, {text: [text]}])
        assert parse(body) == [text, {"k": text}, {text: [text]}]
    # An escaped quote does not end a string: the brackets after it are still string content.
    assert parse(b'["\\"' + b"[" * 1000 + b'"]') == ['"' + "[" * 1000]
    # An escaped backslash does: these brackets are structure (and too many).
    assert verdict(b'["\\\\", ' + nested(JSON_DEPTH_MAX) + b"]") == "too deep"
    # Past many escapes that hide nothing (looked at one by one), an escaped quote still hides what follows it; and
    # an escaped quote or backslash may hide the quote that makes the brackets after it structure.
    many = b"\\n" * 5000 + b"\\u00e9" * 5000
    assert parse(b'["' + many + b'\\"' + b"[" * 1000 + b'"]')[0].endswith('"' + "[" * 1000)
    assert verdict(b'["' + many + b'\\\\", ' + nested(JSON_DEPTH_MAX) + b"]") == "too deep"
    assert verdict(b'["' + many + b'\\\\", ' + nested(JSON_DEPTH_MAX - 1) + b"]") == "ok"
    assert verdict(b'["' + many + b'", ' + nested(JSON_DEPTH_MAX) + b"]") == "too deep"


def test_wide_shallow_bodies_are_read_and_wide_deep_ones_measured() -> None:
    # More opening brackets than the limit, nested a few levels (a page of messages) or nearly to the limit.
    for depth in (2, 3, 17, 31, 32, 33, 34, 100, JSON_DEPTH_MAX - 1, JSON_DEPTH_MAX):
        siblings = b",".join([nested(depth - 1, kind="mixed")] * (2 * JSON_DEPTH_MAX // depth + 2))
        assert verdict(b"[" + siblings + b"]") == "ok", depth
        assert verdict(b"[" + siblings + b"," + nested(JSON_DEPTH_MAX, kind="mixed") + b"]") == "too deep", depth


structural_text = st.text(alphabet='[]{}"\\ ab\n\u00e9\U0001f600', max_size=12)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | structural_text,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(structural_text, inner, max_size=3),
        max_leaves=12,
    ),
    wrap=st.integers(0, JSON_DEPTH_MAX + 4),
    wide=st.integers(1, 600),
)
def test_any_value_is_decoded_exactly_when_within_the_limit(value: Any, wrap: int, wide: int) -> None:
    for _ in range(wrap):
        value = [value] if wrap % 2 else {"w": value}
    if wide > 1:  # many siblings: more opening brackets than the limit at any depth
        value = [value] * (wide if depth_of(value) < 64 else 2)
    body = json.dumps(value, ensure_ascii=bool(wrap % 3))
    if depth_of(value) <= JSON_DEPTH_MAX:
        assert parse(body.encode()) == value
    else:
        assert verdict(body.encode()) == "too deep"


def test_malformed_bodies_are_still_malformed() -> None:
    assert verdict(b"[" * 100) == "malformed: Expecting value"
    assert verdict(b"[" * (JSON_DEPTH_MAX + 1)) == "too deep"
    assert verdict(b'["' + b"[" * 5000) == "malformed: Unterminated string starting at"
    assert verdict(b"]" * 5000).startswith("malformed")
    assert verdict(b"[1]" + b"[" * 5000) == "too deep"  # (would be "Extra data"; refused before reading)


def _at_stack_depth(frames: int, call: Callable[[], str]) -> str:
    if frames <= 0:
        return call()
    return _at_stack_depth(frames - 1, call)


def test_the_verdict_does_not_depend_on_the_callers_stack() -> None:
    # Before, a 600-deep body decoded from a shallow stack and was "too deep" from a Django view's deep one.
    room = sys.getrecursionlimit() - JSON_DEPTH_MAX - 100
    for depth in (JSON_DEPTH_MAX, JSON_DEPTH_MAX + 1, 600, 900):
        body = nested(depth)
        assert _at_stack_depth(room, lambda body=body: verdict(body)) == verdict(body), depth


class _Finalized:
    """Cyclic garbage whose finalizer needs 60 frames, records whether it had them, and leaves the next one."""

    def __init__(self, record: list[bool], budget: list[int]) -> None:
        self.record, self.budget, self.cycle = record, budget, self

    def __del__(self) -> None:
        try:
            _at_stack_depth(60, lambda: "")
            self.record.append(True)
        except RecursionError:
            self.record.append(False)
        if self.budget[0] > 0:
            self.budget[0] -= 1
            _Finalized(self.record, self.budget)


@pytest.fixture
def collector_on_every_allocation() -> Iterator[None]:
    thresholds = gc.get_threshold()
    gc.set_threshold(1)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.collect()


@pytest.mark.usefixtures("collector_on_every_allocation")
@pytest.mark.parametrize("depth", [JSON_DEPTH_MAX, 950, 200_000])
def test_a_finalizer_run_during_a_decode_has_room(depth: int) -> None:
    # The collector runs between the decoder's allocations, at whatever depth the decoder is: a chain of cyclic
    # garbage with finalizers makes it run one there, again and again, all through the decode.
    record: list[bool] = []
    _Finalized(record, [10_000])
    verdict(nested(depth))
    assert record, "no finalizer ran during the decode"
    assert all(record), f"{record.count(False)} of {len(record)} finalizers had no room"


def test_what_the_client_may_send_it_can_read_back() -> None:
    # A history page holds metadata 3 levels down (page, messages, message); the deepest accepted metadata fits.
    metadata: Any = {}
    for _ in range(VALUE_DEPTH_MAX - 1):
        metadata = {"m": metadata}
    page = {"messages": [{"metadata": metadata}], "hasMore": False}
    assert depth_of(metadata) == VALUE_DEPTH_MAX
    assert parse(json.dumps(page)) == page


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    value=st.recursive(
        st.none() | structural_text,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(structural_text, inner, max_size=3),
        max_leaves=20,
    ),
    wide=st.integers(1, 300),
    slice_size=st.integers(1, 9),
)
def test_strings_are_cut_out_alike_however_the_body_is_sliced(value: Any, wide: int, slice_size: int) -> None:
    # Bodies are cut into 64 KiB slices to find their strings; a string (with brackets in it) across a slice's end
    # must come out as it does whole. Small slices put every boundary at every kind of byte.
    body = json.dumps([value] * wide).encode()
    whole = _json._nested_deeper_than(body, 4)
    original = _json._STRING_SLICE
    _json._STRING_SLICE = slice_size
    try:
        assert _json._nested_deeper_than(body, 4) == whole == (depth_of([value] * wide) > 4)
    finally:
        _json._STRING_SLICE = original


def _rep(unit: bytes, size: int) -> bytes:
    return unit * (size // len(unit))


# What an adversary would send to make the measuring cost more than the decoding (found by an adversarial probe: the
# first version split a body of quotes into an object per string, 54 bytes of memory per byte of body).
HOSTILE_BODIES = {
    "quotes around brackets": _rep(b'"[', 4_000_000),
    "escaped quotes": _rep(b'\\\\"[', 4_000_000),
    "strings of brackets": b"[" + _rep(b'"\\\\[",', 4_000_000)[:-1] + b"]",
    "malformed, then nests": b"x" + b",".join([b"[" * 255 + b"]" * 255] * 8_000),
    "mismatched pairs": b"x" + _rep(b"{]", 4_000_000),
    "leaves all the way": b"[" + _rep(b"[]", 4_000_000) + b"]",
}


@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_measuring_a_hostile_body_takes_memory_of_its_own_size(name: str) -> None:

    body = HOSTILE_BODIES[name]
    tracemalloc.start()
    try:
        _json._nested_deeper_than(body, JSON_DEPTH_MAX)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= 2.5 * len(body) + 1_000_000, f"{peak / len(body):.1f} bytes per byte of body"
