"""Threads and sockets: 16 concurrent clients, SSE streaming alongside other requests, clean shutdown."""

from __future__ import annotations

import gc
import json
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from eliza_client.testing import LocalSessionsServer, ManualClock

from .conftest import SESSIONS, Api, new_user


class Gate:
    """Replaces the server's SSE pause: each pause blocks until the test lets one event through."""

    def __init__(self, server: LocalSessionsServer) -> None:
        self.allowed = threading.Semaphore(0)
        self.waiting = threading.Event()
        self.server = server

    def pause(self, seconds: float) -> bool:
        """Block until released; give up (like the real pause) once the server is stopping."""
        self.waiting.set()
        try:
            while not self.allowed.acquire(timeout=0.01):
                if self.server._stopping.is_set():
                    return False
            return True
        finally:
            self.waiting.clear()

    def release(self) -> None:
        self.allowed.release()


def read_event(lines: object) -> tuple[str, str]:
    """Read one SSE event (name, data) from an iterator of decoded lines."""
    iterator = iter(lines)  # type: ignore[call-overload]
    name = data = ""
    for line in iterator:
        if line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            data = line[len("data: ") :]
        elif line == "" and name:
            return name, data
    raise AssertionError("stream ended before a complete event")


def test_sse_events_are_flushed_one_by_one_while_other_requests_run(
    api: Api, server: LocalSessionsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(server)
    monkeypatch.setattr(server, "_pause", gate.pause)
    sid = api.create()["sessionId"]
    stream = requests.post(
        f"{server.base_url}{SESSIONS}/{sid}/messages",
        json={"content": "Hi", "transport": "sse"},
        stream=True,
        timeout=10,
    )
    assert stream.status_code == 200
    assert stream.headers["Content-Type"] == "text/event-stream"
    assert stream.headers["Cache-Control"] == "no-cache"
    assert stream.headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in stream.headers
    assert "ETag" not in stream.headers
    lines = stream.iter_lines(decode_unicode=True)
    name, _ = read_event(lines)
    assert name == "user_message"
    received = []
    while True:
        # the server is now blocked before its next event: whatever we read was flushed on its own
        assert gate.waiting.wait(10)
        assert api.get(f"{SESSIONS}/health").status_code == 200  # served while the stream is open
        gate.release()
        name, data = read_event(lines)
        received.append((name, data))
        if name == "done":
            break
    chunk_events = [data for name, data in received if name == "chunk"]
    assert len(chunk_events) >= 2
    stream.close()


def test_sse_chunks_concatenate_to_the_reply(api: Api) -> None:
    sid = api.create()["sessionId"]
    text = api.send(sid, "stream me please", transport="sse").text
    events = [block.split("\n") for block in text.strip("\n").split("\n\n")]
    names = [lines[0].removeprefix("event: ") for lines in events]
    assert names[0] == "user_message"
    assert names[-1] == "done"
    assert set(names[1:-1]) == {"chunk"}
    payloads = [json.loads(lines[1].removeprefix("data: ")) for lines in events]
    done = payloads[-1]
    chunks = payloads[1:-1]
    assert [c["index"] for c in chunks] == list(range(len(chunks)))
    assert all(c["messageId"] == done["responseId"] for c in chunks)
    assert "".join(c["chunk"] for c in chunks) == done["text"] == "You said: stream me please"
    assert "sessionStatus" not in text


def test_sixteen_concurrent_clients(clock: ManualClock) -> None:
    with LocalSessionsServer(clock=clock, rate_limit=None, reply_delay=0.005, chunk_delay=0.001) as server:

        def client(index: int) -> list[int]:
            statuses = []
            with requests.Session() as http:
                base = server.base_url + SESSIONS
                created = http.post(base, json={"agentId": server.agent_id, "userId": new_user()}, timeout=30)
                statuses.append(created.status_code)
                sid = created.json()["sessionId"]
                for turn in range(8):
                    transport = ("websocket", "http", "sse")[(index + turn) % 3]
                    reply = http.post(
                        f"{base}/{sid}/messages",
                        json={"content": f"{index}-{turn}", "transport": transport},
                        timeout=30,
                    )
                    statuses.append(reply.status_code)
                    statuses.append(http.get(f"{base}/{sid}/messages", params={"limit": 5}, timeout=30).status_code)
                statuses.append(http.post(f"{base}/{sid}/heartbeat", timeout=30).status_code)
            return statuses

        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(client, range(16)))
        assert server.wait_for_agent_replies(10)
        for statuses in results:
            assert set(statuses) <= {200, 201}, statuses
        listing = requests.get(server.base_url + SESSIONS, timeout=10).json()
        assert listing["total"] == 16
        total_stored = sum(len(server.stored_messages(s["sessionId"])) for s in listing["sessions"])
        websocket_turns = sum(1 for i in range(16) for t in range(8) if (i + t) % 3 == 0)
        assert total_stored == 16 * 8 + websocket_turns


def _open_sockets() -> set[str]:
    """The kernel identities (``socket:[inode]``) of this process's open sockets; unique, unlike fd numbers."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:"):
            found.add(target)
    return found


def test_stop_leaves_no_threads_or_sockets(clock: ManualClock) -> None:
    # Compared by identity, not by count, so that other tests' threads and sockets ending meanwhile don't matter.
    gc.collect()
    threads_before = set(threading.enumerate())
    sockets_before = _open_sockets()

    server = LocalSessionsServer(clock=clock, rate_limit=None, reply_delay=30.0).start()
    http = requests.Session()
    sid = http.post(
        server.base_url + SESSIONS, json={"agentId": server.agent_id, "userId": new_user()}, timeout=10
    ).json()["sessionId"]
    http.post(f"{server.base_url}{SESSIONS}/{sid}/messages", json={"content": "pending reply"}, timeout=10)
    # an idle keep-alive connection (the session's pool) and a raw connection that never sends anything
    idle = socket.create_connection(("127.0.0.1", server.port))
    # an SSE stream that is still open when the server stops
    gate = Gate(server)
    server._pause = gate.pause  # type: ignore[method-assign]
    stream = requests.post(
        f"{server.base_url}{SESSIONS}/{sid}/messages",
        json={"content": "x", "transport": "sse"},
        stream=True,
        timeout=10,
    )
    assert gate.waiting.wait(10)
    assert set(threading.enumerate()) - threads_before
    assert _open_sockets() - sockets_before
    port = server.port

    server.stop()
    server.stop()  # idempotent
    assert set(threading.enumerate()) - threads_before == set()
    with pytest.raises(RuntimeError):
        _ = server.base_url

    stream.close()
    idle.close()
    http.close()
    gc.collect()
    assert _open_sockets() - sockets_before == set()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)


def test_port_is_released_after_stop(clock: ManualClock) -> None:
    with LocalSessionsServer(clock=clock, rate_limit=None) as server:
        port = server.port
    with LocalSessionsServer(clock=clock, rate_limit=None, port=port) as again:
        assert again.port == port
        assert requests.get(again.base_url + f"{SESSIONS}/health", timeout=10).status_code == 200


def test_only_loopback_hosts(clock: ManualClock) -> None:
    for host in ("0.0.0.0", "192.168.1.10", "example.com", "::1"):
        with pytest.raises(ValueError, match="loopback"):
            LocalSessionsServer(host=host)
    with LocalSessionsServer(host="localhost", clock=clock) as server:
        assert server.base_url.startswith("http://127.0.0.1:")


def test_lifecycle_errors(clock: ManualClock) -> None:
    server = LocalSessionsServer(clock=clock)
    with pytest.raises(RuntimeError):
        _ = server.base_url
    server.start()
    with pytest.raises(RuntimeError):
        server.start()
    server.stop()
    with pytest.raises(RuntimeError):
        server.start()
    with pytest.raises(ValueError, match="at least one agent"):
        LocalSessionsServer(agent_names=())
    with pytest.raises(ValueError, match="distinct"):
        LocalSessionsServer(agent_names=("A", "A"))
