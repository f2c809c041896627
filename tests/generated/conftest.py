"""A tiny loopback HTTP server that records requests and answers with canned responses.

The generated client is tested against it over real HTTP: what goes out (request line, headers, body) is
recorded, and what comes back is exactly the bytes a test queued, so every documented response shape (and
shapes the server may send one day) can be produced on demand.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs
import pytest


@attrs.frozen
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@attrs.frozen
class Canned:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class StubServer:
    """Answers queued responses in order and records every request."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._queue: list[Canned] = []
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with stub._lock:
                    stub.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
                    canned = stub._queue.pop(0) if stub._queue else Canned(599, b"no response queued")
                self.send_response(canned.status)
                header_names = {name.lower() for name, _ in canned.headers}
                for name, value in canned.headers:
                    self.send_header(name, value)
                if "content-type" not in header_names:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(canned.body)))
                self.end_headers()
                self.wfile.write(canned.body)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def respond(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        with self._lock:
            self._queue.append(Canned(status, raw, tuple((headers or {}).items())))

    @property
    def last(self) -> Recorded:
        return self.requests[-1]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
