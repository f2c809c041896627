"""A deliberately hostile HTTP server on loopback, for testing the client outside the envelope it was built for.

Each accepted connection reads one request head (and its ``Content-Length`` body), then hands the raw socket to the
test's *script*: a function that writes whatever it likes — a status line dripped byte by byte, endless bodies,
decompression bombs, redirects, bodies nested 200 000 deep. Scripts are plain functions of ``(Conn)``; helpers here
build the common ones.

Everything is bounded: every script loop checks :attr:`Conn.stopped` (set when the server stops or the client hangs
up) and a hard byte budget, the server joins its threads with a timeout, and it only ever listens on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

Script = Callable[["Conn"], "bool | None"]

#: Bytes any one connection may send, whatever its script says: a runaway script cannot fill the machine.
MAX_BYTES_PER_CONNECTION = 4 * 1024**3


class Conn:
    """One accepted connection: the request that arrived, and ways to answer it (all bounded)."""

    def __init__(self, sock: socket.socket, server: HostileServer, method: str, path: str, body: bytes) -> None:
        self.sock = sock
        self.server = server
        self.method = method
        self.path = path
        self.body = body
        self.sent = 0

    @property
    def stopped(self) -> bool:
        return self.server.stopping.is_set()

    def send(self, data: bytes) -> bool:
        """Write ``data``; False once the client has gone (or the budget is spent)."""
        if self.stopped or self.sent + len(data) > MAX_BYTES_PER_CONNECTION:
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        self.sent += len(data)
        with self.server.lock:
            self.server.bytes_sent += len(data)
        return True

    def drip(self, data: bytes, interval: float, step: int = 1) -> bool:
        """Write ``data`` ``step`` bytes at a time, ``interval`` seconds apart."""
        for start in range(0, len(data), step):
            if not self.send(data[start : start + step]):
                return False
            if self.server.stopping.wait(interval):
                return False
        return True

    def forever(self, piece: bytes, interval: float = 0.0) -> None:
        """Write ``piece`` again and again until the client goes away or the server stops."""
        while self.send(piece):
            if interval and self.server.stopping.wait(interval):
                return

    def hold(self, seconds: float) -> None:
        """Say nothing for a while (bounded by the server's stop)."""
        self.server.stopping.wait(seconds)


class HostileServer:
    """``with HostileServer(script) as server: ... server.url``. ``script`` may be replaced between requests."""

    def __init__(self, script: Script | None = None) -> None:
        self.script: Script = script or respond(200, {"ok": True})
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.connections = 0
        self.requests: list[tuple[str, str, bytes]] = []
        self.bytes_sent = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._threads: list[threading.Thread] = []
        self._socks: list[socket.socket] = []
        self._acceptor = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)

    def __enter__(self) -> HostileServer:
        self._acceptor.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            socks = list(self._socks)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._acceptor.join(5)
        for thread in self._threads:
            thread.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.lock:
                self.connections += 1
                self._socks.append(sock)
            thread = threading.Thread(target=self._handle, args=(sock,), name="hostile-conn", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, sock: socket.socket) -> None:
        sock.settimeout(10)
        try:
            while not self.stopping.is_set():
                request = _read_request(sock)
                if request is None:
                    return
                method, path, body = request
                with self.lock:
                    self.requests.append(request)
                conn = Conn(sock, self, method, path, body)
                keep_alive = self.script(conn)
                if not keep_alive:
                    return
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                sock.close()


def _read_request(sock: socket.socket) -> tuple[str, str, bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, OSError):
            return None
        if not chunk:
            return None
        data += chunk
        if len(data) > 1024 * 1024:
            return None
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path = lines[0].split(" ")[:2]
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return method, path, rest[:length]


# --- script builders ---------------------------------------------------------------------------------------------


def head(status: int, headers: dict[str, str] | None = None, *, reason: str = "X") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def respond(status: int, body: Any, headers: dict[str, str] | None = None, *, keep_alive: bool = True) -> Script:
    """A plain answer: ``body`` as JSON (or bytes as they are), with a correct Content-Length."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()

    def script(conn: Conn) -> bool:
        all_headers = {"Content-Type": "application/json", "Content-Length": str(len(raw)), **(headers or {})}
        if not keep_alive:
            all_headers["Connection"] = "close"
        conn.send(head(status, all_headers) + raw)
        return keep_alive

    return script


def chunked(pieces: Iterator[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        if piece:
            yield b"%x\r\n%s\r\n" % (len(piece), piece)
    yield b"0\r\n\r\n"


@lru_cache(maxsize=8)
def gzip_bomb(expanded_mib: int) -> bytes:
    """A gzip body of ~1/1000 of its size: ``expanded_mib`` MiB of zeros (made once per test run)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1024 * 1024)
    parts = [compressor.compress(block) for _ in range(expanded_mib)]
    parts.append(compressor.flush())
    return b"".join(parts)


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


def deep_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def session_json(**overrides: Any) -> dict[str, Any]:
    """A valid ``GET /sessions/{id}`` body (1.7.2 shape), with fields replaced as asked."""
    body: dict[str, Any] = {
        "sessionId": "8a3f2b1c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
        "channelId": "5b4c3d2e-1f0a-4b9c-8d7e-6f5a4b3c2d1e",
        "agentId": "219704e1-586e-5373-9adc-602e9713c0ab",
        "userId": "9d8c7b6a-5f4e-4d3c-8b2a-190f8e7d6c5b",
        "createdAt": "2026-12-01T10:00:00.000Z",
        "lastActivity": "2026-12-01T10:00:00.000Z",
        "metadata": {},
        "expiresAt": "2026-12-01T10:30:00.000Z",
        "timeoutConfig": {
            "timeoutMinutes": 30,
            "autoRenew": True,
            "maxDurationMinutes": 720,
            "warningThresholdMinutes": 5,
        },
        "renewalCount": 0,
        "timeRemaining": 1_800_000,
        "isNearExpiration": False,
    }
    body.update(overrides)
    return body
