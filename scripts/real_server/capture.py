#!/usr/bin/env python3
"""Capture what a real ``@elizaos/server`` release says on the wire, for every Sessions API route and error.

Run it inside the harness (loopback-only namespace), with the main, keyed and streaming instances::

    python scripts/real_server/harness.py run --server-version 1.7.2 --keyed-instance --stream-instance \\
        --env SESSION_MIN_TIMEOUT_MINUTES=1 --env SESSION_CLEANUP_INTERVAL_MINUTES=60 \\
        -- python scripts/real_server/capture.py --out scripts/real_server/captures/1.7.2.json

The same scenario runs against every release (``--server-version`` of the harness; the release is recorded as
the file's ``version``, from ``ELIZA_REAL_SERVER_VERSION`` or ``--server-version``). Routes that answer
differently on a release (1.6.5 and 1.7.0 send) are simply recorded as they are.

Requests are written byte-for-byte over a plain socket (so malformed bodies, missing bodies and odd headers
go out exactly as listed), and responses are read raw: status line, headers in order, the body exactly as
sent, and for ``Transfer-Encoding: chunked`` replies each chunk with its arrival time. Nothing is normalised:
ids, times and ETags are kept as they were.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SESSIONS = "/api/messaging/sessions"
VERSION = "/api/system/version"
UNKNOWN_AGENT = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
USER = "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"
NO_SUCH_SESSION = "00000000-1111-4222-8333-444444444444"
JSON_CT = "application/json"


@dataclass
class Server:
    name: str
    base_url: str
    agent_id: str
    api_key: str | None

    @property
    def hostport(self) -> tuple[str, int]:
        parts = urlsplit(self.base_url)
        assert parts.hostname is not None
        assert parts.port is not None
        return parts.hostname, parts.port


@dataclass
class Capture:
    exchanges: list[dict[str, Any]] = field(default_factory=list)

    def add(self, item: dict[str, Any]) -> dict[str, Any]:
        self.exchanges.append(item)
        resp = item["response"]
        body = resp.get("body", "")
        short = body if len(body) < 160 else body[:157] + "..."
        print(f"{item['id']:<46} {resp.get('status')} {short}", file=sys.stderr, flush=True)
        return item


class _Reader:
    def __init__(self, sock: socket.socket, started: float) -> None:
        self.sock = sock
        self.buf = b""
        self.started = started
        self.eof = False
        self.consumed = 0  # absolute offset of buf[0] in the response byte stream
        self.received = 0
        self.recv_log: list[tuple[int, float]] = []  # (bytes received so far, ms since request start)

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        if not data:
            self.eof = True
            return False
        self.buf += data
        self.received += len(data)
        self.recv_log.append((self.received, round((time.monotonic() - self.started) * 1000, 1)))
        return True

    def arrival_ms(self, offset: int) -> float | None:
        """When the byte at absolute ``offset - 1`` arrived (ms after the request was sent)."""
        for total, t_ms in self.recv_log:
            if total >= offset:
                return t_ms
        return None

    def _take(self, n: int) -> bytes:
        out, self.buf = self.buf[:n], self.buf[n:]
        self.consumed += n
        return out

    def read_until(self, sep: bytes) -> bytes:
        while sep not in self.buf:
            if not self._fill():
                raise ConnectionError(f"connection closed before {sep!r}")
        head = self._take(self.buf.index(sep))
        self._take(len(sep))
        return head

    def read_exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not self._fill():
                raise ConnectionError("connection closed early")
        return self._take(n)

    def read_all(self) -> bytes:
        while self._fill():
            pass
        return self._take(len(self.buf))


def exchange(
    server: Server,
    method: str,
    path: str,
    *,
    body: bytes | str | dict[str, Any] | list[Any] | None = None,
    content_type: str | None = None,
    headers: list[tuple[str, str]] | None = None,
    api_key: bool = True,
    content_length: bool = True,
    timeout: float = 60.0,
) -> dict[str, Any]:
    """Send one raw HTTP/1.1 request and read the complete response."""
    host, port = server.hostport
    if isinstance(body, dict | list):
        raw_body: bytes | None = json.dumps(body, separators=(",", ":")).encode()
        if content_type is None:
            content_type = JSON_CT
    elif isinstance(body, str):
        raw_body = body.encode()
    else:
        raw_body = body
    req_headers: list[tuple[str, str]] = [("Host", f"{host}:{port}")]
    if content_type is not None:
        req_headers.append(("Content-Type", content_type))
    if api_key and server.api_key:
        req_headers.append(("X-API-KEY", server.api_key))
    req_headers.extend(headers or [])
    if raw_body is not None and content_length:
        req_headers.append(("Content-Length", str(len(raw_body))))
    elif raw_body is None and method in {"POST", "PUT", "PATCH"} and content_length:
        req_headers.append(("Content-Length", "0"))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in req_headers) + "\r\n"
    wire = head.encode() + (raw_body or b"")

    started = time.monotonic()
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        sock.sendall(wire)
        reader = _Reader(sock, started)
        head_text = reader.read_until(b"\r\n\r\n").decode("latin-1")
        status_line, _, header_block = head_text.partition("\r\n")
        first_byte_ms = reader.recv_log[0][1] if reader.recv_log else None
        resp_headers = [tuple(line.split(": ", 1)) for line in header_block.split("\r\n") if line]
        lower = {k.lower(): v for k, v in resp_headers}
        chunks: list[dict[str, Any]] = []
        if method == "HEAD" or status_line.split(" ")[1] in {"204", "304"}:
            raw_resp_body = b""
        elif lower.get("transfer-encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            while True:
                size_line = reader.read_until(b"\r\n").decode("latin-1")
                size = int(size_line.split(";")[0], 16)
                data = reader.read_exact(size)
                reader.read_exact(2)
                chunks.append(
                    {
                        "arrived_ms": reader.arrival_ms(reader.consumed),
                        "size": size,
                        "data": data.decode("utf-8", "replace"),
                    }
                )
                if size == 0:
                    break
                parts.append(data)
            raw_resp_body = b"".join(parts)
        elif "content-length" in lower:
            raw_resp_body = reader.read_exact(int(lower["content-length"]))
        else:
            raw_resp_body = reader.read_all()
        elapsed_ms = round((time.monotonic() - started) * 1000, 1)
    finally:
        sock.close()
    text = raw_resp_body.decode("utf-8", "replace")
    parsed: Any = None
    if "json" in lower.get("content-type", ""):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
    _, status, *reason = status_line.split(" ", 2)
    result: dict[str, Any] = {
        "request": {
            "method": method,
            "path": path,
            "headers": [list(h) for h in req_headers],
            "body": None if raw_body is None else raw_body.decode("utf-8", "replace"),
        },
        "response": {
            "status_line": status_line,
            "status": int(status),
            "reason": reason[0] if reason else "",
            "headers": [list(h) for h in resp_headers],
            "body": text,
            "json": parsed,
            "first_byte_ms": first_byte_ms,
            "elapsed_ms": elapsed_ms,
        },
    }
    if chunks:
        result["response"]["chunks"] = chunks
        result["response"]["recv_log"] = [list(x) for x in reader.recv_log]
    return result


class Runner:
    def __init__(self, capture: Capture) -> None:
        self.capture = capture

    def do(self, ident: str, server: Server, method: str, path: str, note: str = "", **kw: Any) -> dict[str, Any]:
        item = exchange(server, method, path, **kw)
        item = {"id": ident, "instance": server.name, "note": note, "at": time.time(), **item}
        response: dict[str, Any] = self.capture.add(item)["response"]
        return response


def _server(prefix: str, name: str) -> Server | None:
    base = os.environ.get(f"{prefix}BASE_URL")
    agent = os.environ.get(f"{prefix}AGENT_ID")
    if not base or not agent:
        return None
    return Server(name, base, agent, os.environ.get(f"{prefix}API_KEY"))


def create_body(agent: str, **extra: Any) -> dict[str, Any]:
    return {"agentId": agent, "userId": USER, **extra}


def scenario_main(r: Runner, s: Server, expiry: bool) -> None:
    a = s.agent_id
    # --- the release
    r.do("version.ok", s, "GET", VERSION)
    # --- health / list on an empty server
    r.do("health.empty", s, "GET", f"{SESSIONS}/health")
    r.do("list.empty", s, "GET", SESSIONS)

    # --- create
    ok = r.do("create.ok", s, "POST", SESSIONS, body=create_body(a, metadata={"platform": "web", "n": 1}))
    sid = ok["json"]["sessionId"]
    r.do("create.minimal", s, "POST", SESSIONS, body=create_body(a))
    r.do("create.missing_userId", s, "POST", SESSIONS, body={"agentId": a})
    r.do("create.missing_both", s, "POST", SESSIONS, body={})
    r.do("create.agentId_number", s, "POST", SESSIONS, body={"agentId": 5, "userId": USER})
    r.do("create.bad_uuid_agent", s, "POST", SESSIONS, body={"agentId": "not-a-uuid", "userId": USER})
    r.do("create.bad_uuid_user", s, "POST", SESSIONS, body={"agentId": a, "userId": "nope"})
    r.do("create.unknown_agent", s, "POST", SESSIONS, body={"agentId": UNKNOWN_AGENT, "userId": USER})
    r.do(
        "create.nil_uuid_user",
        s,
        "POST",
        SESSIONS,
        body={"agentId": a, "userId": "0" * 8 + "-0000-0000-0000-" + "0" * 12},
    )
    big = {"blob": "x" * 10240}
    r.do("create.metadata_too_big", s, "POST", SESSIONS, body=create_body(a, metadata=big))
    limit_meta = {"b": "x" * (10240 - len('{"b":""}'))}
    r.do("create.metadata_exactly_10240", s, "POST", SESSIONS, body=create_body(a, metadata=limit_meta))
    over_meta = {"b": "x" * (10241 - len('{"b":""}'))}
    r.do("create.metadata_10241", s, "POST", SESSIONS, body=create_body(a, metadata=over_meta))
    r.do("create.metadata_string", s, "POST", SESSIONS, body=create_body(a, metadata="abc"))
    r.do("create.metadata_array", s, "POST", SESSIONS, body=create_body(a, metadata=["p", "q"]))
    r.do("create.metadata_null", s, "POST", SESSIONS, body=create_body(a, metadata=None))
    r.do("create.no_body", s, "POST", SESSIONS)
    r.do("create.no_body_json_ct", s, "POST", SESSIONS, content_type=JSON_CT)
    r.do(
        "create.wrong_content_type",
        s,
        "POST",
        SESSIONS,
        body=json.dumps(create_body(a)),
        content_type="text/plain",
    )
    r.do("create.malformed_json", s, "POST", SESSIONS, body='{"agentId": ', content_type=JSON_CT)
    r.do("create.json_array", s, "POST", SESSIONS, body="[1,2]", content_type=JSON_CT)
    r.do("create.json_primitive", s, "POST", SESSIONS, body='"x"', content_type=JSON_CT)
    r.do(
        "create.clamp_low_high",
        s,
        "POST",
        SESSIONS,
        note="with SESSION_MIN_TIMEOUT_MINUTES=1 on this instance",
        body=create_body(
            a,
            timeoutConfig={"timeoutMinutes": 0, "maxDurationMinutes": 99999, "warningThresholdMinutes": 0},
        ),
    )
    r.do(
        "create.clamp_timeout_high",
        s,
        "POST",
        SESSIONS,
        body=create_body(a, timeoutConfig={"timeoutMinutes": 99999}),
    )
    r.do(
        "create.numeric_strings",
        s,
        "POST",
        SESSIONS,
        body=create_body(a, timeoutConfig={"timeoutMinutes": "10", "maxDurationMinutes": "0x40"}),
    )
    r.do(
        "create.timeout_null",
        s,
        "POST",
        SESSIONS,
        body=create_body(a, timeoutConfig={"timeoutMinutes": None}),
    )
    r.do(
        "create.timeout_abc",
        s,
        "POST",
        SESSIONS,
        body=create_body(a, timeoutConfig={"timeoutMinutes": "abc"}),
    )
    r.do(
        "create.autoRenew_string",
        s,
        "POST",
        SESSIONS,
        body=create_body(a, timeoutConfig={"autoRenew": "false"}),
    )
    r.do(
        "create.full_config",
        s,
        "POST",
        SESSIONS,
        body=create_body(
            a,
            timeoutConfig={
                "timeoutMinutes": 45,
                "autoRenew": True,
                "maxDurationMinutes": 300,
                "warningThresholdMinutes": 10,
            },
        ),
    )
    r.do("create.trailing_slash", s, "POST", SESSIONS + "/", body=create_body(a))

    # --- get
    r.do("get.ok", s, "GET", f"{SESSIONS}/{sid}")
    r.do("get.not_found_uuid", s, "GET", f"{SESSIONS}/{NO_SUCH_SESSION}")
    r.do("get.not_found_word", s, "GET", f"{SESSIONS}/nope")
    r.do("get.uppercase_path", s, "GET", f"/API/MESSAGING/SESSIONS/{sid}")
    r.do("get.trailing_slash", s, "GET", f"{SESSIONS}/{sid}/")

    # --- send
    msgs = f"{SESSIONS}/{sid}/messages"
    r.do("send.websocket_default", s, "POST", msgs, body={"content": "Hello", "metadata": {"priority": "high"}})
    r.do("send.websocket_explicit", s, "POST", msgs, body={"content": "Hello again", "transport": "websocket"})
    time.sleep(1.5)
    r.do("send.http", s, "POST", msgs, body={"content": "What is 2+2?", "transport": "http"})
    r.do("send.sse", s, "POST", msgs, body={"content": "Hi", "transport": "sse"})
    r.do(
        "send.sse_with_accept",
        s,
        "POST",
        msgs,
        body={"content": "Hi SSE", "transport": "sse"},
        headers=[("Accept", "text/event-stream")],
    )
    r.do("send.legacy_mode_sync", s, "POST", msgs, body={"content": "legacy sync", "mode": "sync"})
    r.do("send.legacy_mode_stream", s, "POST", msgs, body={"content": "legacy stream", "mode": "stream"})
    r.do("send.legacy_mode_websocket", s, "POST", msgs, body={"content": "legacy ws", "mode": "websocket"})
    r.do(
        "send.transport_null_mode_sync",
        s,
        "POST",
        msgs,
        body={"content": "null transport", "transport": None, "mode": "sync"},
    )
    r.do(
        "send.transport_and_mode",
        s,
        "POST",
        msgs,
        body={"content": "both", "transport": "http", "mode": "stream"},
    )
    r.do("send.bad_transport", s, "POST", msgs, body={"content": "x", "transport": "foo"})
    r.do("send.bad_mode", s, "POST", msgs, body={"content": "x", "mode": "foo"})
    r.do("send.numeric_transport", s, "POST", msgs, body={"content": "x", "transport": 123})
    r.do("send.transport_toString", s, "POST", msgs, body={"content": "proto", "transport": "toString"})
    r.do("send.empty_content", s, "POST", msgs, body={"content": ""})
    r.do("send.whitespace_content", s, "POST", msgs, body={"content": "   "})
    r.do("send.content_4000", s, "POST", msgs, body={"content": "y" * 4000})
    r.do("send.content_4001", s, "POST", msgs, body={"content": "y" * 4001})
    r.do("send.content_2000_emoji", s, "POST", msgs, body={"content": "\U0001f600" * 2000})
    r.do("send.content_2001_emoji", s, "POST", msgs, body={"content": "\U0001f600" * 2001})
    r.do("send.content_missing", s, "POST", msgs, body={"transport": "http"})
    r.do("send.content_number", s, "POST", msgs, body={"content": 5})
    r.do("send.metadata_too_big", s, "POST", msgs, body={"content": "m", "metadata": {"blob": "x" * 10240}})
    r.do(
        "send.with_attachments",
        s,
        "POST",
        msgs,
        body={
            "content": "att",
            "attachments": [{"type": "image", "url": "https://example.invalid/a.png", "name": "a.png"}],
        },
    )
    r.do("send.no_body", s, "POST", msgs)
    r.do("send.no_body_json_ct", s, "POST", msgs, content_type=JSON_CT)
    r.do("send.wrong_content_type", s, "POST", msgs, body='{"content":"x"}', content_type="text/plain")
    r.do("send.malformed_json", s, "POST", msgs, body='{"content": "x', content_type=JSON_CT)
    r.do("send.unknown_session", s, "POST", f"{SESSIONS}/{NO_SUCH_SESSION}/messages", body={"content": "x"})
    r.do(
        "send.unknown_session_sse",
        s,
        "POST",
        f"{SESSIONS}/{NO_SUCH_SESSION}/messages",
        body={"content": "x", "transport": "sse"},
    )
    r.do("send.metadata_string", s, "POST", msgs, body={"content": "meta string", "metadata": "ab"})
    r.do(
        "send.metadata_overrides_reserved",
        s,
        "POST",
        msgs,
        body={"content": "reserved", "metadata": {"sessionId": "spoofed", "userId": "spoofed"}},
    )
    r.do(
        "send.unknown_session_bad_transport",
        s,
        "POST",
        f"{SESSIONS}/{NO_SUCH_SESSION}/messages",
        body={"content": "x", "transport": "foo"},
    )
    r.do(
        "send.unknown_session_empty_content",
        s,
        "POST",
        f"{SESSIONS}/{NO_SUCH_SESSION}/messages",
        body={"content": ""},
    )
    time.sleep(1.5)

    # --- messages on a dedicated session with a known history
    p = r.do("create.pagination_session", s, "POST", SESSIONS, body=create_body(a))["json"]["sessionId"]
    pm = f"{SESSIONS}/{p}/messages"
    for i in range(5):
        r.do(f"send.pagination_{i}", s, "POST", pm, body={"content": f"page message {i}"})
        time.sleep(0.6)
    time.sleep(1.0)
    r.do("send.pagination_http", s, "POST", pm, body={"content": "page http", "transport": "http"})
    r.do("send.pagination_sse", s, "POST", pm, body={"content": "page sse", "transport": "sse"})
    time.sleep(1.0)
    # how long until a websocket-mode reply is visible in GET messages (polled, only the last poll is kept)
    lat = r.do("create.latency_session", s, "POST", SESSIONS, body=create_body(a))["json"]["sessionId"]
    sent_at = time.monotonic()
    r.do("send.latency_websocket", s, "POST", f"{SESSIONS}/{lat}/messages", body={"content": "latency probe"})
    polls = 0
    while time.monotonic() - sent_at < 5:
        polls += 1
        item = exchange(s, "GET", f"{SESSIONS}/{lat}/messages")
        if any(m.get("isAgent") for m in (item["response"]["json"] or {}).get("messages", [])):
            waited = round((time.monotonic() - sent_at) * 1000)
            r.capture.add(
                {
                    "id": "messages.latency_agent_reply_visible",
                    "instance": s.name,
                    "note": f"agent reply visible {waited} ms after the websocket-mode POST ({polls} polls)",
                    "at": time.time(),
                    **item,
                }
            )
            break
        time.sleep(0.025)
    full = r.do("messages.default", s, "GET", pm)
    r.do("messages.main_session", s, "GET", msgs)
    r.do("messages.limit_1", s, "GET", pm + "?limit=1")
    r.do("messages.limit_0", s, "GET", pm + "?limit=0")
    r.do("messages.limit_negative", s, "GET", pm + "?limit=-5")
    r.do("messages.limit_1000", s, "GET", pm + "?limit=1000")
    r.do("messages.limit_abc", s, "GET", pm + "?limit=abc")
    r.do("messages.limit_empty", s, "GET", pm + "?limit=")
    page1 = r.do("messages.page1_limit3", s, "GET", pm + "?limit=3")
    cur = page1["json"].get("cursors") or {}
    if cur:
        page2 = r.do("messages.page2_before", s, "GET", pm + f"?limit=3&before={cur['before']}")
        cur2 = page2["json"].get("cursors") or {}
        if cur2:
            r.do("messages.page3_before", s, "GET", pm + f"?limit=3&before={cur2['before']}")
        r.do("messages.after_newest", s, "GET", pm + f"?after={cur['after']}")
    all_msgs = full["json"].get("messages") or []
    if len(all_msgs) >= 2:
        oldest_ms = int(_iso_ms(all_msgs[-1]["createdAt"]))
        newest_ms = int(_iso_ms(all_msgs[0]["createdAt"]))
        r.do("messages.after_oldest_limit2", s, "GET", pm + f"?after={oldest_ms}&limit=2")
        r.do("messages.after_oldest", s, "GET", pm + f"?after={oldest_ms}")
        r.do("messages.before_and_after", s, "GET", pm + f"?before={newest_ms}&after={oldest_ms}&limit=2")
        r.do("messages.before_oldest_empty", s, "GET", pm + f"?before={oldest_ms}")
    r.do("messages.after_iso", s, "GET", pm + "?after=2026-01-01T00:00:00Z")
    r.do("messages.before_iso", s, "GET", pm + "?before=2026-01-01T00:00:00Z")
    r.do("messages.before_bad", s, "GET", pm + "?before=yesterday")
    r.do("messages.after_bad", s, "GET", pm + "?after=abc")
    r.do("messages.after_huge", s, "GET", pm + "?after=99999999999999999")
    r.do("messages.before_huge", s, "GET", pm + "?before=99999999999999999")
    r.do("messages.before_empty_string", s, "GET", pm + "?before=")
    r.do("messages.empty_page_before_1", s, "GET", pm + "?before=1")
    r.do("messages.after_future_empty", s, "GET", pm + f"?after={int(time.time() * 1000) + 3_600_000}")
    r.do("messages.unknown_session", s, "GET", f"{SESSIONS}/{NO_SUCH_SESSION}/messages")
    r.do("messages.page_offset_ignored", s, "GET", pm + "?page=2&offset=3&limit=2")
    empty = r.do("create.empty_history_session", s, "POST", SESSIONS, body=create_body(a))["json"]["sessionId"]
    r.do("messages.no_messages", s, "GET", f"{SESSIONS}/{empty}/messages")

    # --- renew / heartbeat
    r.do("renew.ok", s, "POST", f"{SESSIONS}/{sid}/renew")
    r.do("renew.with_json_body", s, "POST", f"{SESSIONS}/{sid}/renew", body={})
    r.do("heartbeat.ok", s, "POST", f"{SESSIONS}/{sid}/heartbeat")
    r.do("renew.unknown", s, "POST", f"{SESSIONS}/{NO_SUCH_SESSION}/renew")
    r.do("heartbeat.unknown", s, "POST", f"{SESSIONS}/{NO_SUCH_SESSION}/heartbeat")
    nr = r.do("create.autoRenew_false", s, "POST", SESSIONS, body=create_body(a, timeoutConfig={"autoRenew": False}))[
        "json"
    ]["sessionId"]
    time.sleep(0.05)
    r.do("heartbeat.autoRenew_false", s, "POST", f"{SESSIONS}/{nr}/heartbeat")
    r.do("send.autoRenew_false", s, "POST", f"{SESSIONS}/{nr}/messages", body={"content": "no renew"})
    r.do("get.autoRenew_false_after_send", s, "GET", f"{SESSIONS}/{nr}")
    r.do("renew.autoRenew_false", s, "POST", f"{SESSIONS}/{nr}/renew")

    # --- PATCH timeout
    t = f"{SESSIONS}/{sid}/timeout"
    r.do("patch.ok", s, "PATCH", t, body={"timeoutMinutes": 90, "autoRenew": False})
    r.do("patch.empty_object", s, "PATCH", t, body={})
    r.do("patch.out_of_range_high", s, "PATCH", t, body={"timeoutMinutes": 99999})
    r.do("patch.out_of_range_low", s, "PATCH", t, body={"timeoutMinutes": 0})
    r.do("patch.autoRenew_yes", s, "PATCH", t, body={"autoRenew": "yes"})
    r.do("patch.timeout_null", s, "PATCH", t, body={"timeoutMinutes": None})
    r.do("patch.timeout_abc", s, "PATCH", t, body={"timeoutMinutes": "abc"})
    r.do("patch.timeout_string_num", s, "PATCH", t, body={"timeoutMinutes": "20"})
    r.do("patch.no_body", s, "PATCH", t)
    r.do("patch.no_body_json_ct", s, "PATCH", t, content_type=JSON_CT)
    r.do("patch.wrong_content_type", s, "PATCH", t, body='{"timeoutMinutes":10}', content_type="text/plain")
    r.do("patch.json_array", s, "PATCH", t, body="[]", content_type=JSON_CT)
    r.do(
        "patch.full",
        s,
        "PATCH",
        t,
        body={
            "timeoutMinutes": 60,
            "autoRenew": True,
            "maxDurationMinutes": 600,
            "warningThresholdMinutes": 7,
        },
    )
    r.do("patch.unknown", s, "PATCH", f"{SESSIONS}/{NO_SUCH_SESSION}/timeout", body={"timeoutMinutes": 10})

    # --- list / health with sessions
    r.do("list.with_sessions", s, "GET", SESSIONS)
    r.do("health.with_sessions", s, "GET", f"{SESSIONS}/health")

    # --- routing oddities
    r.do("route.unknown_subpath", s, "GET", f"{SESSIONS}/{sid}/unknown")
    r.do("route.unknown_api", s, "GET", "/api/nope")
    r.do("route.put_session", s, "PUT", f"{SESSIONS}/{sid}", body={})
    r.do("route.delete_collection", s, "DELETE", SESSIONS)
    r.do("route.get_renew", s, "GET", f"{SESSIONS}/{sid}/renew")
    r.do("route.post_health", s, "POST", f"{SESSIONS}/health")
    r.do(
        "route.options_preflight",
        s,
        "OPTIONS",
        f"{SESSIONS}/{sid}/messages",
        headers=[
            ("Origin", "http://localhost:5173"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type,x-api-key"),
        ],
    )
    r.do("route.get_with_origin", s, "GET", f"{SESSIONS}/health", headers=[("Origin", "http://localhost:5173")])
    r.do("route.healthz", s, "GET", "/healthz")
    r.do("route.health", s, "GET", "/health")
    r.do("route.root_ping", s, "GET", "/api/server/ping")
    r.do("route.non_api_unknown", s, "GET", "/no-such-page")
    r.do(
        "route.delete_health",
        s,
        "DELETE",
        f"{SESSIONS}/health",
        note="'health' is matched by DELETE /:sessionId",
    )
    r.do("route.head_session", s, "HEAD", f"{SESSIONS}/{sid}")

    # --- delete
    r.do("delete.ok", s, "DELETE", f"{SESSIONS}/{sid}")
    r.do("delete.again", s, "DELETE", f"{SESSIONS}/{sid}")
    r.do("get.after_delete", s, "GET", f"{SESSIONS}/{sid}")
    r.do("messages.after_delete", s, "GET", f"{SESSIONS}/{sid}/messages")

    if expiry:
        scenario_expiry(r, s)


def scenario_expiry(r: Runner, s: Server) -> None:
    a = s.agent_id
    ops = ["get", "send", "messages", "renew", "heartbeat", "patch", "delete"]
    sids: dict[str, str] = {}
    for op in ops:
        resp = r.do(
            f"expiry.create_for_{op}",
            s,
            "POST",
            SESSIONS,
            body=create_body(a, timeoutConfig={"timeoutMinutes": 1, "autoRenew": False}),
        )
        sids[op] = resp["json"]["sessionId"]
    r.do("expiry.get_before", s, "GET", f"{SESSIONS}/{sids['get']}")
    print("waiting 62 s for the 1-minute sessions to expire...", file=sys.stderr, flush=True)
    time.sleep(62)
    r.do("expiry.health_expired_unswept", s, "GET", f"{SESSIONS}/health")
    r.do("expiry.list_expired_unswept", s, "GET", SESSIONS)
    r.do("expiry.get_410", s, "GET", f"{SESSIONS}/{sids['get']}")
    r.do("expiry.get_then_404", s, "GET", f"{SESSIONS}/{sids['get']}")
    r.do("expiry.send_410", s, "POST", f"{SESSIONS}/{sids['send']}/messages", body={"content": "late"})
    r.do("expiry.send_then_404", s, "POST", f"{SESSIONS}/{sids['send']}/messages", body={"content": "late"})
    r.do("expiry.messages_410", s, "GET", f"{SESSIONS}/{sids['messages']}/messages")
    r.do("expiry.renew_410", s, "POST", f"{SESSIONS}/{sids['renew']}/renew")
    r.do("expiry.heartbeat_410", s, "POST", f"{SESSIONS}/{sids['heartbeat']}/heartbeat")
    r.do("expiry.patch_410", s, "PATCH", f"{SESSIONS}/{sids['patch']}/timeout", body={"timeoutMinutes": 30})
    r.do("expiry.delete_expired", s, "DELETE", f"{SESSIONS}/{sids['delete']}")
    r.do("expiry.list_after", s, "GET", SESSIONS)
    r.do("expiry.health_after", s, "GET", f"{SESSIONS}/health")


def scenario_keyed(r: Runner, s: Server, force_429: bool) -> None:
    a = s.agent_id
    r.do("auth.health_no_key", s, "GET", f"{SESSIONS}/health", api_key=False)
    r.do("auth.health_key", s, "GET", f"{SESSIONS}/health")
    r.do("auth.version_no_key", s, "GET", VERSION, api_key=False)
    r.do("auth.version_key", s, "GET", VERSION)
    r.do(
        "auth.health_wrong_key",
        s,
        "GET",
        f"{SESSIONS}/health",
        api_key=False,
        headers=[("X-API-KEY", "wrong")],
    )
    r.do(
        "auth.health_bearer",
        s,
        "GET",
        f"{SESSIONS}/health",
        api_key=False,
        headers=[("Authorization", f"Bearer {s.api_key}")],
    )
    r.do(
        "auth.health_lowercase_header",
        s,
        "GET",
        f"{SESSIONS}/health",
        api_key=False,
        headers=[("x-api-key", s.api_key or "")],
    )
    r.do("auth.list_no_key", s, "GET", SESSIONS, api_key=False)
    r.do("auth.get_unknown_no_key", s, "GET", f"{SESSIONS}/{NO_SUCH_SESSION}", api_key=False)
    r.do("auth.create_no_key", s, "POST", SESSIONS, body=create_body(a), api_key=False)
    r.do("auth.malformed_json_no_key", s, "POST", SESSIONS, body="{", content_type=JSON_CT, api_key=False)
    r.do("auth.unknown_route_no_key", s, "GET", "/api/nope", api_key=False)
    r.do(
        "auth.options_no_key",
        s,
        "OPTIONS",
        SESSIONS,
        api_key=False,
        headers=[("Origin", "http://localhost:5173"), ("Access-Control-Request-Method", "POST")],
    )
    r.do("auth.healthz_no_key", s, "GET", "/healthz", api_key=False)
    created = r.do(
        "auth.create_key_clamp_default_min",
        s,
        "POST",
        SESSIONS,
        note="default SESSION_MIN (5)",
        body=create_body(a, timeoutConfig={"timeoutMinutes": 2, "autoRenew": False, "maxDurationMinutes": 99999}),
    )
    sid = created["json"]["sessionId"]
    r.do("auth.get_key", s, "GET", f"{SESSIONS}/{sid}")
    r.do("auth.get_no_key", s, "GET", f"{SESSIONS}/{sid}", api_key=False)
    r.do(
        "auth.send_http_key",
        s,
        "POST",
        f"{SESSIONS}/{sid}/messages",
        body={"content": "hi", "transport": "http"},
    )
    r.do("auth.patch_low_default_min", s, "PATCH", f"{SESSIONS}/{sid}/timeout", body={"timeoutMinutes": 2})
    r.do("auth.delete_no_key", s, "DELETE", f"{SESSIONS}/{sid}", api_key=False)
    r.do("auth.delete_key", s, "DELETE", f"{SESSIONS}/{sid}")
    if force_429:
        scenario_429(r, s)


def scenario_429(r: Runner, s: Server) -> None:
    """Spend the 1000-request budget with cheap GETs on one keep-alive connection, then record the 429s."""
    host, port = s.hostport
    conn = http.client.HTTPConnection(host, port, timeout=10)
    headers = {"X-API-KEY": s.api_key or ""}
    remaining = None
    sent = 0
    started = time.monotonic()
    for _ in range(1100):
        conn.request("GET", f"{SESSIONS}/health", headers=headers)
        resp = conn.getresponse()
        resp.read()
        sent += 1
        remaining = resp.getheader("RateLimit-Remaining")
        if resp.status == 429 or remaining == "0":
            break
    conn.close()
    print(
        f"429 run-up: {sent} requests in {time.monotonic() - started:.1f} s, remaining={remaining}",
        file=sys.stderr,
    )
    r.do("ratelimit.health_429", s, "GET", f"{SESSIONS}/health", note=f"after {sent} quick GETs")
    r.do("ratelimit.create_429", s, "POST", SESSIONS, body=create_body(s.agent_id))
    r.do("ratelimit.no_key_401_still", s, "GET", f"{SESSIONS}/health", api_key=False)
    r.do("ratelimit.healthz_outside_api", s, "GET", "/healthz")


def scenario_stream(r: Runner, s: Server) -> None:
    a = s.agent_id
    sid = r.do("stream.create", s, "POST", SESSIONS, body=create_body(a))["json"]["sessionId"]
    m = f"{SESSIONS}/{sid}/messages"
    r.do("stream.sse_chunks", s, "POST", m, body={"content": "stream please", "transport": "sse"})
    r.do("stream.http", s, "POST", m, body={"content": "http with streaming model", "transport": "http"})
    r.do("stream.websocket", s, "POST", m, body={"content": "ws with streaming model"})
    time.sleep(1.5)
    r.do("stream.messages", s, "GET", m)


def scenario_slow_model(r: Runner, s: Server) -> None:
    """With ELIZA_REAL_FIXED_MODEL_DELAY_MS set: when do the SSE events arrive, how long does http take."""
    a = s.agent_id
    sid = r.do("slow.create", s, "POST", SESSIONS, body=create_body(a))["json"]["sessionId"]
    m = f"{SESSIONS}/{sid}/messages"
    r.do("slow.sse", s, "POST", m, body={"content": "slow sse", "transport": "sse"})
    r.do("slow.http", s, "POST", m, body={"content": "slow http", "transport": "http"})
    r.do("slow.websocket", s, "POST", m, body={"content": "slow ws"})


def _iso_ms(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--server-version",
        default=os.environ.get("ELIZA_REAL_SERVER_VERSION"),
        help="the release being captured (default: ELIZA_REAL_SERVER_VERSION, set by the harness)",
    )
    parser.add_argument("--no-expiry", action="store_true", help="skip the ~62 s expiry scenario")
    parser.add_argument("--no-429", action="store_true", help="do not spend the keyed instance's rate budget")
    parser.add_argument("--model-delay-ms", type=int, default=0, help="the servers' model delay (recorded only)")
    parser.add_argument(
        "--scenario",
        choices=["full", "slow-model"],
        default="full",
        help="slow-model: only SSE/http timing probes (run with ELIZA_REAL_FIXED_MODEL_DELAY_MS set)",
    )
    args = parser.parse_args()
    main_server = _server("ELIZA_REAL_", "main")
    if main_server is None:
        print(
            "capture.py: ELIZA_REAL_BASE_URL/ELIZA_REAL_AGENT_ID not set; run it inside harness.py",
            file=sys.stderr,
        )
        return 2
    harness_version = os.environ.get("ELIZA_REAL_SERVER_VERSION")
    if not args.server_version:
        print(
            "capture.py: the server version is unknown (no --server-version, no ELIZA_REAL_SERVER_VERSION)",
            file=sys.stderr,
        )
        return 2
    if harness_version and harness_version != args.server_version:
        print(
            f"capture.py: --server-version {args.server_version} but the harness runs {harness_version}",
            file=sys.stderr,
        )
        return 2
    keyed = _server("ELIZA_REAL_KEYED_", "keyed")
    stream = _server("ELIZA_REAL_STREAM_", "stream")
    capture = Capture()
    runner = Runner(capture)
    started = time.time()
    if args.scenario == "slow-model":
        scenario_slow_model(runner, main_server)
        if stream:
            scenario_slow_model(runner, stream)
    else:
        if stream:
            scenario_stream(runner, stream)
        if keyed:
            scenario_keyed(runner, keyed, force_429=not args.no_429)
        scenario_main(runner, main_server, expiry=not args.no_expiry)
    doc = {
        "server": "@elizaos/server",
        "version": args.server_version,
        "captured_at": started,
        "instances": {
            srv.name: {"base_url": srv.base_url, "agent_id": srv.agent_id, "api_key": srv.api_key}
            for srv in (main_server, keyed, stream)
            if srv is not None
        },
        "scenario": args.scenario,
        "model_delay_ms": args.model_delay_ms,
        "environment": {
            "main": "SESSION_MIN_TIMEOUT_MINUTES=1, SESSION_CLEANUP_INTERVAL_MINUTES=60, no API key, "
            "fixed-reply model (not streaming)",
            "keyed": "ELIZA_SERVER_AUTH_TOKEN set, default SESSION_* settings, fixed-reply model (not streaming)",
            "stream": "no API key, fixed-reply model that streams its reply in 16-char pieces when asked to",
        },
        "command": " ".join(sys.argv),
        "exchanges": capture.exchanges,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(capture.exchanges)} exchanges to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
