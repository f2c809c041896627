"""Size caps on decoded bytes: endless bodies, decompression bombs and huge error bodies cost a bounded amount of
memory (measured in a fresh process) and end promptly in a typed error."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from eliza_client import InternalServerError, Limits, ResponseTooLargeError

from .conftest import SESSION_ID, make_client
from .server import Conn, HostileServer, chunked, gzip_bomb, head
from .test_streams import USER_MESSAGE

PROBE = Path(__file__).with_name("_memory_probe.py")
MiB = 1024 * 1024
BOMB_MIB = 256


def probe(server: HostileServer, operation: str, max_response: int, max_event: int = 64 * 1024) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, str(PROBE), server.url, operation, str(max_response), str(max_event)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outcome: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome


def pieces(data: bytes, size: int = 65536) -> Iterator[bytes]:
    return (data[i : i + size] for i in range(0, len(data), size))


def endless_chunked(conn: Conn) -> None:
    conn.send(head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}))
    block = b"%x\r\n%s\r\n" % (65536, b"[" * 65536)
    conn.forever(block)


def endless_close_delimited(conn: Conn) -> None:
    # No length at all: the body ends when the connection does, which here is never.
    conn.send(head(200, {"Content-Type": "application/json", "Connection": "close"}))
    conn.forever(b" " * 65536)


def bomb(status: int, content_type: str = "application/json") -> object:
    data = gzip_bomb(BOMB_MIB)

    def script(conn: Conn) -> None:
        conn.send(
            head(status, {"Content-Type": content_type, "Content-Encoding": "gzip", "Content-Length": str(len(data))})
        )
        for part in pieces(data):
            if not conn.send(part):
                return

    return script


def empty_history(conn: Conn) -> bool:
    """The client's look-up of its caller-chosen id, before it sends: nothing there yet."""
    page = b'{"messages":[],"hasMore":false}'
    conn.send(head(200, {"Content-Type": "application/json", "Content-Length": str(len(page))}) + page)
    return True


def sse_bomb(conn: Conn) -> bool | None:
    if conn.method == "GET":
        return empty_history(conn)
    data = gzip_bomb(BOMB_MIB)
    conn.send(
        head(200, {"Content-Type": "text/event-stream", "Content-Encoding": "gzip", "Transfer-Encoding": "chunked"})
    )
    for part in chunked(iter([gzip.compress(USER_MESSAGE), *pieces(data)])):
        if not conn.send(part):
            return None
    return None


def sse_one_line(conn: Conn) -> bool | None:
    if conn.method == "GET":
        return empty_history(conn)
    conn.send(head(200, {"Content-Type": "text/event-stream", "Transfer-Encoding": "chunked"}))
    conn.send(b"%x\r\n%s\r\n" % (len(USER_MESSAGE), USER_MESSAGE))
    conn.forever(b"%x\r\ndata: %s\r\n" % (65536 + 6, b"z" * 65536))
    return None


#: Growth allowed over the cap: decoder and socket buffers, one read's worth of pieces, the join of the body.
SLACK = 24 * MiB


@pytest.mark.parametrize(
    ("script", "operation", "cap", "expected"),
    [
        (endless_chunked, "get", 8 * MiB, "ResponseTooLargeError"),
        (endless_close_delimited, "get", 8 * MiB, "ResponseTooLargeError"),
        (bomb(200), "get", 8 * MiB, "ResponseTooLargeError"),
        (bomb(500), "get", 8 * MiB, "InternalServerError"),
        # The stored user message arrived first: the reply is lost (do not resend), because of the cap.
        (sse_bomb, "stream", 8 * MiB, "ReplyLostError<-ResponseTooLargeError"),
        (sse_one_line, "stream", 64 * MiB, "ReplyLostError<-ResponseTooLargeError"),
    ],
    ids=[
        "endless-chunked",
        "endless-close-delimited",
        "gzip-bomb",
        "gzip-bomb-on-500",
        "sse-gzip-bomb",
        "sse-one-line",
    ],
)
def test_memory_stays_near_the_cap(
    hostile: HostileServer, script: object, operation: str, cap: int, expected: str
) -> None:
    hostile.script = script  # type: ignore[assignment]
    # The event cap (64 KiB) bounds the single SSE line; the body cap bounds everything else.
    outcome = probe(hostile, operation, cap)
    assert outcome["error"] == expected, outcome
    growth = outcome["peak_growth"]
    assert isinstance(growth, int)
    bound = (cap if operation == "get" else 8 * MiB) + SLACK
    assert growth < bound, f"peak grew by {growth / MiB:.1f} MiB (bound {bound / MiB:.0f} MiB; bomb {BOMB_MIB} MiB)"
    assert isinstance(outcome["elapsed"], float)
    assert outcome["elapsed"] < 10


def test_an_oversized_body_raises_a_typed_error_and_discards_the_connection(hostile: HostileServer) -> None:
    hostile.script = endless_chunked
    with make_client(hostile, limits=Limits(max_response_bytes=2 * MiB)) as client:
        with pytest.raises(ResponseTooLargeError) as info:
            client.sessions.get(SESSION_ID)
    error = info.value
    assert error.limit == 2 * MiB
    assert error.status_code == 200
    assert error.operation == "get"
    assert hostile.bytes_sent < 2 * MiB + 16 * MiB  # it stopped reading (loopback socket buffers aside)


def test_an_error_body_is_read_up_to_its_cap_and_a_retry_never_downloads_it_whole(hostile: HostileServer) -> None:
    big = json.dumps({"error": {"code": "BOOM", "message": "m" * (100 * MiB)}}).encode()

    def huge_500(conn: Conn) -> bool:
        conn.send(head(500, {"Content-Type": "application/json", "Content-Length": str(len(big))}))
        for part in pieces(big, 1024 * 1024):
            if not conn.send(part):
                break
        return False

    hostile.script = huge_500
    limits = Limits(max_error_body_bytes=16 * 1024)
    with make_client(hostile, limits=limits, max_retries=2) as client:
        with pytest.raises(InternalServerError) as info:
            client.sessions.get(SESSION_ID)
    error = info.value
    assert len(hostile.requests) == 3  # retried twice, as a 500 is
    assert isinstance(error.body, str)
    assert len(error.body) <= 500  # what an error keeps is the truncated text of what was read
    # Three attempts read 16 KiB each; the server could push only what loopback buffers took before the close.
    assert hostile.bytes_sent < 3 * 16 * MiB, hostile.bytes_sent
