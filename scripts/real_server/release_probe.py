#!/usr/bin/env python3
"""Probe how a real ``@elizaos/server`` release answers the send forms that differ between releases.

Run inside the harness with the keyed and streaming instances, once per release::

    python scripts/real_server/harness.py run --server-version 1.7.0 --keyed-instance --stream-instance \\
        -- python scripts/real_server/release_probe.py --out /tmp/notes/probe-1.7.0.json

What it records (raw, via ``capture.exchange``): the send answer for no transport/mode field, each ``transport``,
each ``mode``, three mixed forms, bad values (``mode: "http"``, ``transport: "foo"``, ``mode: "foo"``), each with
``metadata: {"clientMessageId": …}``; the history afterwards; how long after the POST an agent reply appears in
``GET …/messages`` (polled every 25 ms) for the no-field and the sync forms; SSE with a streaming model;
``GET /api/system/version`` with, without and with a wrong API key on the keyed instance.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from capture import SESSIONS, Capture, Runner, Server, _server, create_body, exchange

SEND_FORMS: list[tuple[str, dict[str, Any]]] = [
    ("none", {}),
    ("transport_http", {"transport": "http"}),
    ("transport_sse", {"transport": "sse"}),
    ("transport_websocket", {"transport": "websocket"}),
    ("mode_sync", {"mode": "sync"}),
    ("mode_stream", {"mode": "stream"}),
    ("mode_websocket", {"mode": "websocket"}),
    ("mixed_http_sync", {"transport": "http", "mode": "sync"}),
    ("mixed_sse_stream", {"transport": "sse", "mode": "stream"}),
    ("mixed_websocket_websocket", {"transport": "websocket", "mode": "websocket"}),
    ("bad_mode_http", {"mode": "http"}),
    ("bad_transport_foo", {"transport": "foo"}),
    ("bad_mode_foo", {"mode": "foo"}),
]


def _new_session(r: Runner, s: Server, ident: str) -> str:
    created = r.do(ident, s, "POST", SESSIONS, body=create_body(s.agent_id))
    session_id: str = created["json"]["sessionId"]
    return session_id


def probe_sends(r: Runner, s: Server) -> None:
    sid = _new_session(r, s, "create.sends")
    for name, fields in SEND_FORMS:
        body = {"content": f"form {name}", "metadata": {"clientMessageId": f"cm-{name}"}, **fields}
        r.do(f"send.{name}", s, "POST", f"{SESSIONS}/{sid}/messages", body=body)
        time.sleep(0.05)
    time.sleep(2.0)
    r.do("messages.after_sends", s, "GET", f"{SESSIONS}/{sid}/messages?limit=100")


def probe_reply_latency(r: Runner, s: Server, name: str, fields: dict[str, Any]) -> None:
    """A fresh session, one send, then poll GET messages until an agent message shows up (at most 5 s)."""
    sid = _new_session(r, s, f"create.latency_{name}")
    path = f"{SESSIONS}/{sid}/messages"
    body = {"content": f"latency {name}", "metadata": {"clientMessageId": f"lat-{name}"}, **fields}
    sent_at = time.monotonic()
    r.do(f"send.latency_{name}", s, "POST", path, body=body)
    polls = 0
    while time.monotonic() - sent_at < 5:
        polls += 1
        item = exchange(s, "GET", path)
        messages = (item["response"]["json"] or {}).get("messages", [])
        if any(m.get("isAgent") for m in messages):
            waited = round((time.monotonic() - sent_at) * 1000)
            r.capture.add(
                {
                    "id": f"messages.latency_{name}",
                    "instance": s.name,
                    "note": f"agent reply visible {waited} ms after the POST ({polls} polls)",
                    "waited_ms": waited,
                    "at": time.time(),
                    **item,
                }
            )
            return
        time.sleep(0.025)
    r.capture.add(
        {
            "id": f"messages.latency_{name}",
            "instance": s.name,
            "note": f"no agent reply in GET messages within 5 s ({polls} polls)",
            "waited_ms": None,
            "at": time.time(),
            **exchange(s, "GET", path),
        }
    )


def probe_stream(r: Runner, s: Server) -> None:
    sid = _new_session(r, s, "stream.create")
    path = f"{SESSIONS}/{sid}/messages"
    for name, fields in (("mode_stream", {"mode": "stream"}), ("transport_sse", {"transport": "sse"})):
        r.do(f"stream.{name}", s, "POST", path, body={"content": f"stream {name}", **fields})
    time.sleep(1.5)
    r.do("stream.messages", s, "GET", path)


def probe_version(r: Runner, keyed: Server) -> None:
    r.do("version.key", keyed, "GET", "/api/system/version")
    r.do("version.no_key", keyed, "GET", "/api/system/version", api_key=False)
    r.do("version.wrong_key", keyed, "GET", "/api/system/version", api_key=False, headers=[("X-API-KEY", "wrong")])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    main_server = _server("ELIZA_REAL_", "main")
    if main_server is None:
        print("release_probe.py: run it inside harness.py (ELIZA_REAL_BASE_URL not set)", file=sys.stderr)
        return 2
    keyed = _server("ELIZA_REAL_KEYED_", "keyed")
    stream = _server("ELIZA_REAL_STREAM_", "stream")
    capture = Capture()
    r = Runner(capture)
    r.do("version.main", main_server, "GET", "/api/system/version")
    probe_sends(r, main_server)
    probe_reply_latency(r, main_server, "none", {})
    probe_reply_latency(r, main_server, "mode_sync", {"mode": "sync"})
    probe_reply_latency(r, main_server, "transport_http", {"transport": "http"})
    if stream:
        probe_stream(r, stream)
    if keyed:
        probe_version(r, keyed)
    doc = {
        "server": "@elizaos/server",
        "version": os.environ.get("ELIZA_REAL_SERVER_VERSION"),
        "exchanges": capture.exchanges,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(capture.exchanges)} exchanges to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
