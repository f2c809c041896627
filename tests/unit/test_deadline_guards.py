"""The socket guards' watchdog cuts only under the lock; a fork taken while another thread held a lock of the client
(the guards', the secret filter's) leaves the child working.

Both are races that a loaded machine hits rarely and a test cannot wait for; each test pins the invariant that
rules the race out, with real sockets and a real fork.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Callable

import pytest

from eliza_client import _deadline


def test_the_watchdog_cuts_a_socket_only_while_holding_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Were the cut made after releasing the lock, the guard's owner could hand the connection back to the pool and
    # another call attach it in between: the late cut would then hit that other call's request.
    held_during_cut: list[bool] = []
    real_shutdown = _deadline._shutdown

    def recording_shutdown(sock: socket.socket) -> None:
        held_during_cut.append(_deadline._LOCK.locked())
        real_shutdown(sock)

    monkeypatch.setattr(_deadline, "_shutdown", recording_shutdown)
    a, b = socket.socketpair()
    with a, b:
        guard = _deadline.SocketGuard(time.monotonic() + 0.05)
        guard.attach(a)
        deadline = time.monotonic() + 5
        while guard.fired is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert guard.fired == "total"
        assert b.recv(10) == b""  # the peer saw the cut
    assert held_during_cut == [True]


def test_an_already_expired_guard_cuts_on_attach_under_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    held_during_cut: list[bool] = []
    real_shutdown = _deadline._shutdown

    def recording_shutdown(sock: socket.socket) -> None:
        held_during_cut.append(_deadline._LOCK.locked())
        real_shutdown(sock)

    monkeypatch.setattr(_deadline, "_shutdown", recording_shutdown)
    a, b = socket.socketpair()
    with a, b:
        guard = _deadline.SocketGuard(time.monotonic() - 1)
        guard.attach(a)
        assert guard.fired == "total"
    assert held_during_cut == [True]


def _fork_while_held(lock: threading.Lock, child: Callable[[], int]) -> int:
    """Fork while another thread holds ``lock``; run ``child`` in the child (killed after 5 s if it hangs) and
    return its exit status as ``os.waitpid`` gives it."""
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with lock:
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder, daemon=True)
    thread.start()
    assert held.wait(5)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        signal.alarm(5)  # a deadlocked child is killed rather than left behind
        try:
            os._exit(child())
        except BaseException:
            os._exit(4)
    release.set()
    thread.join(5)
    return os.waitpid(pid, 0)[1]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_child_forked_while_another_thread_held_the_lock_can_still_guard_requests() -> None:
    # A web server forking workers (gunicorn --preload) while a request thread of the master holds the lock: the
    # child inherits the lock locked, and the thread that would release it does not exist there.
    def child() -> int:
        a, b = socket.socketpair()
        guard = _deadline.SocketGuard(time.monotonic() + 0.1)  # the child's first guarded request
        guard.attach(a)
        deadline = time.monotonic() + 3
        while guard.fired is None and time.monotonic() < deadline:
            time.sleep(0.01)
        return 0 if guard.fired == "total" and b.recv(10) == b"" else 3

    status = _fork_while_held(_deadline._LOCK, child)
    assert not os.WIFSIGNALED(status), "the child deadlocked on the guards' lock"
    assert os.WEXITSTATUS(status) == 0, "the child's watchdog did not cut the expired socket"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_child_forked_while_another_thread_held_the_secret_filters_lock_can_register_a_key() -> None:
    from eliza_client import ElizaClient
    from eliza_client._logs import secret_filter

    def child() -> int:
        with ElizaClient("http://127.0.0.1:9", api_key="sk-forked-child-0123456789"):
            return 0

    status = _fork_while_held(secret_filter._lock, child)
    assert not os.WIFSIGNALED(status), "the child deadlocked registering its key"
    assert os.WEXITSTATUS(status) == 0
