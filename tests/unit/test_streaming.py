"""The SSE decoder (WHATWG event-stream rules) and the chunk-boundary-proof line splitter."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eliza_client._streaming import (
    ServerSentEvent,
    iter_lines_from_chunks,
    iter_sse_events,
    iter_sse_events_from_chunks,
)

# The SSE example of the wire reference (§3.4 example 3), as the server writes it.
USER_MESSAGE = {
    "id": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
    "channel_id": "0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b",
    "content": "Hi",
    "created_at": 1767175380000,
    "source_type": "user",
    "raw_message": {"content": "Hi"},
    "metadata": {"platform": "web"},
}
REFERENCE_STREAM = (
    f"event: user_message\ndata: {json.dumps(USER_MESSAGE)}\n\n"
    'event: chunk\ndata: {"messageId":"6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c","chunk":"Hel","index":0}\n\n'
    'event: chunk\ndata: {"messageId":"6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c","chunk":"lo!","index":1}\n\n'
    'event: done\ndata: {"text":"Hello!","thought":"Greeting","actions":["REPLY"]}\n\n'
).encode()


def decode(text: str | bytes) -> list[ServerSentEvent]:
    raw = text.encode() if isinstance(text, str) else text
    return list(iter_sse_events_from_chunks([raw]))


def split_at(data: bytes, points: list[int]) -> list[bytes]:
    cuts = sorted({p % (len(data) + 1) for p in points})
    pieces, start = [], 0
    for cut in [*cuts, len(data)]:
        pieces.append(data[start:cut])
        start = cut
    return pieces


# --- the server's stream -------------------------------------------------------------------------------


def test_reference_stream() -> None:
    events = decode(REFERENCE_STREAM)
    assert [e.event for e in events] == ["user_message", "chunk", "chunk", "done"]
    assert json.loads(events[0].data) == USER_MESSAGE
    assert "".join(json.loads(e.data)["chunk"] for e in events if e.event == "chunk") == "Hello!"
    assert json.loads(events[3].data)["text"] == "Hello!"
    assert all(e.id is None and e.retry is None for e in events)


@pytest.mark.parametrize("eol", [b"\r\n", b"\r", b"\n"])
@given(points=st.lists(st.integers(min_value=0, max_value=10_000), max_size=30))
def test_reference_stream_survives_any_chunking_and_line_ending(eol: bytes, points: list[int]) -> None:
    data = REFERENCE_STREAM.replace(b"\n", eol)
    assert list(iter_sse_events_from_chunks(split_at(data, points))) == decode(REFERENCE_STREAM)


def test_error_event() -> None:
    (event,) = decode('event: error\ndata: {"error":"model failed"}\n\n')
    assert event == ServerSentEvent(event="error", data='{"error":"model failed"}')


# --- field parsing -------------------------------------------------------------------------------------


def test_multiline_data_is_joined_with_newlines() -> None:
    (event,) = decode("data: first\ndata:second\ndata\ndata:  indented\n\n")
    assert event.data == "first\nsecond\n\n indented"


def test_default_event_type_and_reset_after_dispatch() -> None:
    events = decode("event: custom\ndata: a\n\ndata: b\n\nevent:\ndata: c\n\n")
    assert [(e.event, e.data) for e in events] == [("custom", "a"), ("message", "b"), ("message", "c")]


def test_blank_line_without_data_dispatches_nothing_and_resets_the_type() -> None:
    events = decode("event: lonely\n\n\n\ndata: x\n\n")
    assert events == [ServerSentEvent(event="message", data="x")]


def test_empty_data_line_dispatches_empty_data() -> None:
    assert decode("data:\n\n") == [ServerSentEvent(event="message", data="")]
    assert decode("data\n\n") == [ServerSentEvent(event="message", data="")]


def test_comments_and_unknown_fields_are_ignored() -> None:
    events = decode(": keep-alive\n:\nfoo: bar\nDATA: upper\ndata: real\n: another\n\n")
    assert events == [ServerSentEvent(event="message", data="real")]


def test_only_one_space_after_the_colon_is_stripped() -> None:
    (event,) = decode("event:  spaced\ndata:\ttab\n\n")
    assert (event.event, event.data) == (" spaced", "\ttab")


def test_colon_in_value_is_kept() -> None:
    (event,) = decode("data: a:b: c\n\n")
    assert event.data == "a:b: c"


def test_last_event_id_persists_until_reset() -> None:
    events = decode("id: 1\ndata: a\n\ndata: b\n\nid: 2\x00x\ndata: c\n\nid\ndata: d\n\nid: 3\n\ndata: e\n\n")
    assert [e.id for e in events] == ["1", "1", "1", None, "3"]


def test_retry_accepts_ascii_digits_only_and_persists() -> None:
    events = decode(
        "retry: 1500\ndata: a\n\nretry: 1a\ndata: b\n\nretry: -5\nretry: ٣\ndata: c\n\nretry: 20\n\ndata: d\n\n"
    )
    assert [e.retry for e in events] == [1500, 1500, 1500, 20]


def test_trailing_event_without_blank_line_is_dropped() -> None:
    assert decode("data: complete\n\ndata: partial\n") == [ServerSentEvent(event="message", data="complete")]
    assert decode("data: complete\n\ndata: partial") == [ServerSentEvent(event="message", data="complete")]


def test_byte_order_mark_is_skipped_only_at_the_start() -> None:
    assert decode("\ufeffdata: a\n\n") == [ServerSentEvent(event="message", data="a")]
    # Not at the start, the BOM is part of the field name, which is then unknown.
    assert decode("data: a\n\n\ufeffdata: b\n\n") == [ServerSentEvent(event="message", data="a")]


def test_invalid_utf8_is_replaced() -> None:
    (event,) = decode(b"data: caf\xc3\n\n")
    assert event.data == "caf\ufffd"


def test_multibyte_characters_split_across_chunks() -> None:
    raw = "data: héllo 😀\n\n".encode()
    for cut in range(len(raw) + 1):
        assert list(iter_sse_events_from_chunks([raw[:cut], raw[cut:]])) == [
            ServerSentEvent(event="message", data="héllo 😀")
        ]


def test_lines_that_still_carry_terminators_are_tolerated() -> None:
    events = list(iter_sse_events([b"data: a\r\n", b"\r\n", b"data: b\n", b"\n"]))
    assert [e.data for e in events] == ["a", "b"]


# --- the line splitter ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chunks", "lines"),
    [
        ([b"a\r\nb\r\n"], [b"a", b"b"]),
        ([b"a\r", b"\nb\n"], [b"a", b"b"]),  # CRLF across chunks: one line end, not two
        ([b"a\r", b"\r\n"], [b"a", b""]),
        ([b"a\rb\nc\r\nd"], [b"a", b"b", b"c", b"d"]),
        ([b"\n\n"], [b"", b""]),
        ([b"\r"], [b""]),
        ([b"", b"abc", b""], [b"abc"]),
        ([], []),
        ([b"a\x0bb\x1cc\x85d"], [b"a\x0bb\x1cc\x85d"]),  # only CR and LF end lines in SSE
    ],
)
def test_iter_lines_from_chunks(chunks: list[bytes], lines: list[bytes]) -> None:
    assert list(iter_lines_from_chunks(chunks)) == lines


def test_empty_chunk_between_cr_and_lf_is_skipped_not_a_boundary() -> None:
    # Empty chunks carry no bytes; the LF after them still completes the CRLF.
    assert list(iter_lines_from_chunks([b"a\r", b"", b"\n"])) == [b"a"]


def test_lines_are_yielded_as_soon_as_they_end() -> None:
    pulled: list[int] = []

    def chunks() -> Iterator[bytes]:
        for number, chunk in enumerate([b"data: x\r", b"\r", b"never needed"]):
            pulled.append(number)
            yield chunk

    lines = iter_lines_from_chunks(chunks())
    assert next(lines) == b"data: x"
    assert pulled == [0]  # the CR was enough: the splitter did not wait to see whether LF follows
    events = iter_sse_events_from_chunks([b"data: x\r", b"\r"])
    assert next(events).data == "x"


def test_long_line_over_many_small_chunks() -> None:
    line = b"data: " + b"x" * 200_000
    chunks = [line[i : i + 7] for i in range(0, len(line), 7)] + [b"\n\n"]
    (event,) = iter_sse_events_from_chunks(chunks)
    assert len(event.data) == 200_000


# --- properties ----------------------------------------------------------------------------------------

line_text = st.text(alphabet=st.characters(exclude_characters="\r\n", exclude_categories=["Cs"]), max_size=20)
events_strategy = st.lists(
    st.tuples(
        st.text(alphabet="abcdefghij_", min_size=1, max_size=8),  # event name
        st.lists(line_text, min_size=1, max_size=3),  # data lines
        st.none() | st.text(alphabet="0123456789abc", min_size=1, max_size=5),  # id
    ),
    max_size=6,
)


@given(
    events=events_strategy,
    eol=st.sampled_from(["\n", "\r", "\r\n"]),
    points=st.lists(st.integers(min_value=0, max_value=100_000), max_size=40),
    comments=st.booleans(),
)
def test_encode_split_decode_round_trip(
    events: list[tuple[str, list[str], str | None]], eol: str, points: list[int], comments: bool
) -> None:
    wire, expected, last_id = [], [], None
    for name, data_lines, event_id in events:
        if comments:
            wire.append(": ping")
        wire.append(f"event: {name}")
        wire.extend(f"data: {line}" for line in data_lines)
        if event_id is not None:
            wire.append(f"id: {event_id}")
            last_id = event_id
        wire.append("")
        expected.append(ServerSentEvent(event=name, data="\n".join(data_lines), id=last_id))
    raw = "".join(line + eol for line in wire).encode()
    assert list(iter_sse_events_from_chunks(split_at(raw, points))) == expected


@given(
    lines=st.lists(st.binary().map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")), max_size=10),
    eols=st.lists(st.sampled_from([b"\n", b"\r", b"\r\n"]), min_size=10, max_size=10),
    points=st.lists(st.integers(min_value=0, max_value=10_000), max_size=20),
)
def test_splitter_recovers_lines_under_any_chunking(lines: list[bytes], eols: list[bytes], points: list[int]) -> None:
    raw = b"".join(line + eol for line, eol in zip(lines, eols, strict=False))
    # The oracle splits the whole input at once (CR followed by LF is one line end, so "\r" + "" + "\n"
    # reads back as a single line end); every line was terminated, so the last piece is empty.
    expected = re.split(rb"\r\n|\r|\n", raw)[:-1]
    assert list(iter_lines_from_chunks(split_at(raw, points))) == expected
