"""Deadlines that hold while bytes keep arriving: a watchdog that cuts a connection when its time is up.

Why a watchdog: a socket timeout bounds each ``recv`` only, and every byte resets it, so a server that drips one
byte every 100 ms (or sends a ``100 Continue`` every second, or dribbles its status line) keeps a call alive for
ever. Checking the clock between reads cannot help either while a read is blocked inside ``http.client``. So a
call registers the socket it is using with a :class:`SocketGuard`, and one process-wide thread shuts that socket
down (``SHUT_RDWR``) when the guard's expiry passes: the blocked read returns at once, the reading code sees the
failure, asks the guard whether it fired, and raises ``APITimeoutError`` with the guard's phase.

How sockets are found: :class:`GuardedAdapter` (mounted on the ``requests.Session`` the client creates) uses
connection classes that attach their socket to the calling thread's current guard (:func:`guarding`) whenever they
connect or send a request, and pools that detach it before a connection goes back to the pool — under the guard's
lock, so a guard can never cut a connection another call has taken from the pool since. A session supplied by the
caller keeps its own adapters: there only the body is guarded (its socket is attached once the headers are in).

One guard serves one HTTP exchange; an event stream re-arms its guard after every event (the idle limit).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any, Final, Literal

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["Deadline", "GuardPhase", "GuardedAdapter", "SocketGuard", "attach_response", "guarding"]

GuardPhase = Literal["read", "total"]


class Deadline:
    """The end of a public call's time budget (``Timeout.total``), on the monotonic clock; ``None``: no end."""

    __slots__ = ("expires",)

    def __init__(self, seconds: float | None) -> None:
        self.expires: float | None = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        """Seconds left (may be negative), or ``None`` without a deadline."""
        return None if self.expires is None else self.expires - time.monotonic()

    def passed(self) -> bool:
        return self.expires is not None and time.monotonic() >= self.expires


class SocketGuard:
    """Cuts the attached socket when ``expires`` passes; remembers that it did, and in which phase.

    Thread-safe: the owning call attaches, re-arms and disarms; the watchdog thread fires. All four take the lock,
    so a socket is never shut down after it was detached.
    """

    __slots__ = ("__weakref__", "_lock", "_sockets", "armed", "expires", "fired", "phase")

    def __init__(self, expires: float | None, phase: GuardPhase = "total") -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.expires = expires
        self.phase: GuardPhase = phase
        self.armed = True  # False once disarmed: the exchange is over
        self.fired: GuardPhase | None = None
        _watchdog.schedule(self)

    def attach(self, sock: socket.socket | None) -> None:
        """Watch ``sock`` (idempotent); cut it at once if the guard has already fired or expired."""
        if sock is None or not self.armed:
            return
        with self._lock:
            if not self.armed or any(s is sock for s in self._sockets):
                return
            self._sockets.append(sock)
            if self.fired is None and (self.expires is None or time.monotonic() < self.expires):
                return
            self.fired = self.fired or self.phase
        _shutdown(sock)

    def detach(self, sock: socket.socket | None) -> None:
        """Stop watching ``sock`` (it is going back to the pool, or was closed)."""
        with self._lock:
            self._sockets = [s for s in self._sockets if s is not sock]

    def rearm(self, expires: float | None, phase: GuardPhase) -> None:
        """Move the expiry (an event stream after each event). Never revives a guard that has fired."""
        with self._lock:
            if self.fired is not None or not self.armed:
                return
            self.expires = expires
            self.phase = phase
        _watchdog.schedule(self)

    def disarm(self) -> None:
        """The exchange is over: never fire, forget the sockets."""
        with self._lock:
            self.armed = False
            self._sockets = []

    def _fire(self, when: float) -> None:
        with self._lock:
            if not self.armed or self.fired is not None or self.expires != when:
                return  # disarmed, or re-armed since this expiry was scheduled
            self.fired = self.phase
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    # The plain socket method, also for an SSLSocket: its own shutdown() drops the SSL object, which another thread
    # may be reading through. Cutting the file descriptor makes that read return; the reader then cleans up.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread for the process, sleeping until the earliest armed expiry."""

    def __init__(self) -> None:
        self._cv = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, SocketGuard]] = []
        self._counter = itertools.count()
        self._thread: threading.Thread | None = None

    def schedule(self, guard: SocketGuard) -> None:
        when = guard.expires
        if when is None:
            return
        with self._cv:
            wake = not self._heap or when < self._heap[0][0]
            heapq.heappush(self._heap, (when, next(self._counter), guard))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="eliza-client-deadlines", daemon=True)
                self._thread.start()
            elif wake:
                self._cv.notify()

    def _run(self) -> None:
        while True:
            with self._cv:
                while True:
                    # Entries of guards that were disarmed or re-armed are dropped as they surface.
                    while self._heap and (not self._heap[0][2].armed or self._heap[0][2].expires != self._heap[0][0]):
                        heapq.heappop(self._heap)
                    if not self._heap:
                        self._cv.wait()
                        continue
                    when, _, guard = self._heap[0]
                    delay = when - time.monotonic()
                    if delay <= 0:
                        heapq.heappop(self._heap)
                        break
                    self._cv.wait(delay)
            guard._fire(when)

    def _after_fork(self) -> None:
        # The thread does not survive a fork; the child starts its own on first use.
        self._cv = threading.Condition(threading.Lock())
        self._heap = []
        self._thread = None


_watchdog: Final = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_watchdog._after_fork)

_current = threading.local()


@contextlib.contextmanager
def guarding(guard: SocketGuard) -> Iterator[None]:
    """Make ``guard`` the one the guarded connections of this thread attach to, while the request is sent."""
    previous = getattr(_current, "guard", None)
    _current.guard = guard
    try:
        yield
    finally:
        _current.guard = previous


def _attach(conn: Any) -> None:
    guard: SocketGuard | None = getattr(_current, "guard", None)
    if guard is not None and conn.sock is not None:
        guard.attach(conn.sock)
        conn._eliza_guard = guard


def _detach(conn: Any) -> None:
    guard: SocketGuard | None = getattr(conn, "_eliza_guard", None)
    if guard is not None:
        guard.detach(conn.sock)
        conn._eliza_guard = None


def attach_response(guard: SocketGuard, raw: Any) -> None:
    """Guard the socket a response's body is read from (for connections that did not attach themselves)."""
    conn = getattr(raw, "connection", None)
    sock = getattr(conn, "sock", None)
    if isinstance(sock, socket.socket):
        guard.attach(sock)


class _GuardedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _attach(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)
        super().request(*args, **kwargs)

    def close(self) -> None:
        _detach(self)
        super().close()


class _GuardedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _attach(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)
        super().request(*args, **kwargs)

    def close(self) -> None:
        _detach(self)
        super().close()


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection

    def _put_conn(self, conn: Any) -> None:
        if conn is not None:
            _detach(conn)
        super()._put_conn(conn)


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection

    def _put_conn(self, conn: Any) -> None:
        if conn is not None:
            _detach(conn)
        super()._put_conn(conn)


_POOL_CLASSES: Final = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


class GuardedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections attach their sockets to the calling thread's :class:`SocketGuard`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if proxy.lower().startswith(("http://", "https://")):
            manager.pool_classes_by_scheme = _POOL_CLASSES
        return manager
