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
import os
import socket
import threading
import time
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


# One lock for every guard and the watchdog: each use holds it for a few instructions, and one lock per process
# costs less than a lock allocated per request. Not Final: a forked child replaces it (see _after_fork), so it is
# always looked up by name.
_LOCK = threading.Lock()


class SocketGuard:
    """Cuts the attached socket when ``expires`` passes; remembers that it did, and in which phase.

    Thread-safe: the owning call attaches, re-arms and disarms; the watchdog thread fires. All of them hold the
    module's lock, so a socket is never shut down after it was detached.
    """

    __slots__ = ("__weakref__", "armed", "expires", "fired", "phase", "sent", "sock")

    def __init__(self, expires: float | None, phase: GuardPhase = "total") -> None:
        self.sock: socket.socket | None = None  # one exchange uses one connection at a time
        self.expires = expires
        self.phase: GuardPhase = phase
        self.armed = True  # False once disarmed: the exchange is over
        self.fired: GuardPhase | None = None
        # Set by the guarded connections: False while a new connection is being opened (TCP and TLS handshake),
        # True once the request is being written. None: the connection is not ours (a caller's own session), so
        # nothing is known and a failure is taken to be after sending.
        self.sent: bool | None = None
        if expires is not None:
            _watchdog.add(self)

    def attach(self, sock: socket.socket | None) -> None:
        """Watch ``sock``; cut it at once if the guard has already fired or expired."""
        if sock is None:
            return
        with _LOCK:
            if not self.armed or self.sock is sock:
                return
            self.sock = sock
            if self.fired is None and (self.expires is None or time.monotonic() < self.expires):
                return
            self.fired = self.fired or self.phase
            _shutdown(sock)

    def detach(self, sock: socket.socket | None) -> None:
        """Stop watching ``sock`` (it is going back to the pool, or was closed)."""
        with _LOCK:
            if self.sock is sock:
                self.sock = None

    def rearm(self, expires: float | None, phase: GuardPhase) -> None:
        """Move the expiry (an event stream after each event). Never revives a guard that has fired."""
        with _LOCK:
            if self.fired is not None or not self.armed:
                return
            self.expires = expires
            self.phase = phase
            _watchdog.add_locked(self)

    def disarm(self) -> None:
        """The exchange is over: never fire, forget the socket."""
        with _LOCK:
            self.armed = False
            self.sock = None
            _watchdog.active.discard(self)

    def _fire_locked(self) -> socket.socket | None:
        """Called by the watchdog, holding the lock, for a guard found due: mark it fired, return what to cut."""
        if not self.armed or self.fired is not None:
            return None
        self.fired = self.phase
        sock, self.sock = self.sock, None
        return sock


def _shutdown(sock: socket.socket) -> None:
    # The plain socket method, also for an SSLSocket: its own shutdown() drops the SSL object, which another thread
    # may be reading through. Cutting the file descriptor makes that read return; the reader then cleans up.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


#: Seconds the watchdog sleeps when no guard expires sooner; a guard expiring sooner wakes it.
_IDLE_LOOK: Final = 10.0


class _Watchdog:
    """One daemon thread for the process, sleeping until the earliest expiry among the guards in use.

    It keeps the guards in use (not a heap of every expiry ever scheduled): a call adds its guard and removes it
    when done, both O(1), and the thread is only woken when a new guard expires before its planned wake-up — rare,
    since most calls share one total and so expire after the ones before them.
    """

    def __init__(self) -> None:
        self._cv = threading.Condition(_LOCK)
        self.active: set[SocketGuard] = set()
        self._wake_at: float | None = None  # when the thread means to look next
        self._thread: threading.Thread | None = None

    def add(self, guard: SocketGuard) -> None:
        with _LOCK:
            self.add_locked(guard)

    def add_locked(self, guard: SocketGuard) -> None:
        when = guard.expires
        if when is None:
            self.active.discard(guard)
            return
        self.active.add(guard)
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="eliza-client-deadlines", daemon=True)
            self._wake_at = when
            self._thread.start()
        elif self._wake_at is None or when < self._wake_at:
            self._wake_at = when
            self._cv.notify()

    def _run(self) -> None:
        while True:
            with _LOCK:
                now = time.monotonic()
                due = [g for g in self.active if g.expires is not None and g.expires <= now]
                if not due:
                    # With nothing in use the thread still looks again after a while: were it to wait to be
                    # notified, every call after an idle moment would have to wake it (a thread switch per call).
                    earliest = min((g.expires for g in self.active if g.expires is not None), default=None)
                    self._wake_at = now + _IDLE_LOOK if earliest is None else min(earliest, now + _IDLE_LOOK)
                    self._cv.wait(self._wake_at - now)
                    continue
                self.active.difference_update(due)
                # Cut while still holding the lock: released first, the owner could detach the socket and return
                # it to the pool, and another call's guard attach it, before the cut — which would then hit that
                # other call. shutdown() does not block.
                for guard in due:
                    sock = guard._fire_locked()
                    if sock is not None:
                        _shutdown(sock)

    def _after_fork(self) -> None:
        # The thread does not survive a fork; the child starts its own on first use. The lock may have been held
        # by a parent's thread at the moment of the fork, a thread the child does not have: it would stay locked
        # for ever, so the child gets a new one (and a condition on it).
        global _LOCK  # noqa: PLW0603 - the one module-level lock, replaced in the child only
        _LOCK = threading.Lock()
        self._cv = threading.Condition(_LOCK)
        self.active = set()
        self._wake_at = None
        self._thread = None


_watchdog: Final = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_watchdog._after_fork)

_current = threading.local()


class guarding:
    """Make ``guard`` the one the guarded connections of this thread attach to, while the request is sent.

    A class rather than a ``contextmanager`` generator: it runs on every request, and this is several times cheaper.
    """

    __slots__ = ("_guard", "_previous")

    def __init__(self, guard: SocketGuard) -> None:
        self._guard = guard
        self._previous: SocketGuard | None = None

    def __enter__(self) -> None:
        self._previous = getattr(_current, "guard", None)
        _current.guard = self._guard

    def __exit__(self, *exc: object) -> None:
        _current.guard = self._previous


def _attach(conn: Any) -> None:
    guard: SocketGuard | None = getattr(_current, "guard", None)
    if guard is not None and conn.sock is not None:
        guard.attach(conn.sock)
        conn._eliza_guard = guard


def _mark_connecting() -> None:
    guard: SocketGuard | None = getattr(_current, "guard", None)
    # A plain-HTTP connection connects lazily from inside request(): the request is then already under way.
    if guard is not None and guard.sent is not True:
        guard.sent = False


def _mark_sending() -> None:
    guard: SocketGuard | None = getattr(_current, "guard", None)
    if guard is not None:
        guard.sent = True


def _detach(conn: Any) -> None:
    guard: SocketGuard | None = getattr(conn, "_eliza_guard", None)
    if guard is not None:
        guard.detach(conn.sock)
        conn._eliza_guard = None


def attach_response(guard: SocketGuard, raw: Any) -> None:
    """Guard the socket a response's body is read from (for connections that did not attach themselves)."""
    conn = getattr(raw, "connection", None)
    if conn is None or getattr(conn, "_eliza_guard", None) is guard:
        return  # released already (the whole body was read with the headers), or attached by our adapter
    sock = getattr(conn, "sock", None)
    if isinstance(sock, socket.socket):
        guard.attach(sock)


class _GuardedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        _mark_connecting()  # urllib3 reports a TLS handshake that times out as a *read* timeout
        super().connect()
        _attach(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)
        _mark_sending()
        super().request(*args, **kwargs)

    def close(self) -> None:
        _detach(self)
        super().close()


class _GuardedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        _mark_connecting()  # urllib3 reports a TLS handshake that times out as a *read* timeout
        super().connect()
        _attach(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)
        _mark_sending()
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
