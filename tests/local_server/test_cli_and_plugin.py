"""The ``serve`` command (a real subprocess stopped with SIGINT) and the pytest plugin (through pytester)."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest
import requests

from eliza_client.testing import LocalSessionsServer, agent_id_for
from eliza_client.testing.__main__ import build_parser

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]


class _Lines:
    """The lines of a pipe, read by a thread, so every wait for one is bounded."""

    def __init__(self, stream: IO[str]) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        try:
            for line in stream:
                self._queue.put(line.rstrip("\n"))
        finally:
            self._queue.put(None)

    def next(self, timeout: float = 20.0) -> str:
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output within {timeout} s") from None
        if line is None:
            self._queue.put(None)  # stays at EOF
            raise AssertionError("the process closed its output early")
        return line

    def until(self, predicate: Callable[[str], bool], timeout: float = 20.0) -> tuple[str, list[str]]:
        """The first line matching ``predicate``, and every line seen before it."""
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while True:
            line = self.next(max(0.01, deadline - time.monotonic()))
            if predicate(line):
                return line, seen
            seen.append(line)


_LISTENING = re.compile(r"elizaOS sessions API \(local\) listening on (http://127\.0\.0\.1:(\d+))")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _kill(process: subprocess.Popen[str], *pids: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if process.poll() is None:
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=10)


def _assert_port_free(port: int) -> None:
    """The next start on this port succeeds at once (no "Address already in use")."""
    LocalSessionsServer(port=port).start().stop()


def test_serve_runs_until_sigint() -> None:
    command = [
        sys.executable,
        "-m",
        "eliza_client.testing",
        "serve",
        "--port",
        "0",
        "--api-key",
        "k",
        "--agent-name",
        "Eliza",
        "--agent-name",
        "Bob",
        "--env",
        "SESSION_MIN_TIMEOUT_MINUTES=1",
    ]
    # Whether this suite runs in the foreground or as a background job (then SIGINT reaches the server
    # already ignored), the server installs its own handler; the test passes either way.
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT, bufsize=1
    )
    try:
        assert process.stdout is not None
        lines = _Lines(process.stdout)
        first = lines.next()
        match = _LISTENING.fullmatch(first)
        assert match, first
        url = match.group(1)
        assert lines.next() == f"  agent Eliza: {agent_id_for('Eliza')}"
        assert lines.next() == f"  agent Bob: {agent_id_for('Bob')}"
        assert lines.next() == "  X-API-KEY required"
        assert lines.next() == "Press Ctrl-C to stop."
        health = requests.get(f"{url}/api/messaging/sessions/health", headers={"X-API-KEY": "k"}, timeout=10)
        assert health.status_code == 200
        body = {"agentId": agent_id_for("Bob"), "userId": "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"}
        body["timeoutConfig"] = {"timeoutMinutes": 0}  # type: ignore[assignment]
        created = requests.post(f"{url}/api/messaging/sessions", json=body, headers={"X-API-KEY": "k"}, timeout=10)
        assert created.json()["timeoutConfig"]["timeoutMinutes"] == 1
        process.send_signal(signal.SIGINT)
        assert lines.next(timeout=10) == "stopped (SIGINT)"
        assert process.wait(timeout=10) == 0
    finally:
        _kill(process)


def _background_of_a_script(*command: str) -> list[str]:
    # `cmd &` in a non-interactive shell: no job control, so the job starts with SIGINT (and SIGQUIT) ignored.
    script = '"$@" & echo "pid $!"; wait "$!"; echo "exit $?"'
    return ["bash", "-c", script, "bash", *command]


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


@needs_bash
def test_a_background_job_of_a_script_starts_with_sigint_ignored() -> None:
    # The premise of the next test: without its own handler, the server would never see SIGINT.
    probe = "import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"
    out = subprocess.run(
        _background_of_a_script(sys.executable, "-c", probe), capture_output=True, text=True, timeout=30, check=True
    ).stdout.splitlines()
    assert "True" in out, out


def _caught_signals(pid: int) -> tuple[int, int] | None:
    """(ignored, caught) signal masks from /proc, where there is one (Linux)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
    return int(fields["SigIgn"], 16), int(fields["SigCgt"], 16)


@needs_bash
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_stops_when_started_in_the_background_of_a_script(signum: signal.Signals) -> None:
    command = _background_of_a_script(sys.executable, "-m", "eliza_client.testing", "serve", "--port", "0")
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(), cwd=ROOT, bufsize=1
    )
    pid = 0
    try:
        assert process.stdout is not None
        lines = _Lines(process.stdout)
        # The shell's "pid N" and the server's banner interleave in either order.
        pid_line, _ = lines.until(lambda line: line.startswith("pid "))
        pid = int(pid_line.removeprefix("pid "))
        listening, _ = lines.until(lambda line: line.startswith("Press Ctrl-C") or bool(_LISTENING.fullmatch(line)))
        if not (match := _LISTENING.fullmatch(listening)):
            raise AssertionError(f"no banner before {listening!r}")
        port = int(match.group(2))
        lines.until(lambda line: line == "Press Ctrl-C to stop.")
        masks = _caught_signals(pid)
        if masks is not None:
            ignored, caught = masks
            bit = 1 << (signum - 1)
            assert not ignored & bit, f"{signum.name} is still ignored"
            assert caught & bit, f"no handler for {signum.name}"
        started = time.monotonic()
        os.kill(pid, signum)
        stopped, before = lines.until(lambda line: line.startswith("stopped"), timeout=10)
        assert stopped == f"stopped ({signum.name})", before
        exit_line, before = lines.until(lambda line: line.startswith("exit "), timeout=10)
        assert exit_line == "exit 0", before
        assert time.monotonic() - started < 10
        assert process.wait(timeout=10) == 0
        _assert_port_free(port)
    finally:
        _kill(process, *([pid] if pid else []))


def test_serve_parser_options() -> None:
    args = build_parser().parse_args(["serve", "--rate-limit", "none", "--env", "A=1", "--env", "B=x=y"])
    assert args.rate_limit is None
    assert dict(args.env) == {"A": "1", "B": "x=y"}
    assert args.port == 3000
    assert args.host == "127.0.0.1"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--env", "novalue"])


def test_plugin_entry_point_is_registered() -> None:
    # The light top-level module, not eliza_client.testing.pytest_plugin: pytest imports it in every run
    # (see test_plugin_import_cost.py), and the wheel must ship it as a top-level module.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["project"]["entry-points"]["pytest11"]["eliza_client"] == "_eliza_client_pytest"


@pytest.mark.parametrize(
    "plugins",
    [
        ["_eliza_client_pytest"],  # what the entry point loads
        ["eliza_client.testing.pytest_plugin"],  # the documented path, e.g. in a conftest's pytest_plugins
        ["_eliza_client_pytest", "eliza_client.testing.pytest_plugin"],  # both, e.g. entry point plus conftest
    ],
    ids=["entry-point-module", "package-module", "both"],
)
def test_plugin_fixtures(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, plugins: list[str]) -> None:
    # Load the plugin explicitly and not through entry points, so the test does not depend on whether the
    # package is installed in this environment.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(
        """
        import requests
        from eliza_client.testing import LocalSessionsServer, ManualClock

        def test_default(eliza_server):
            assert isinstance(eliza_server, LocalSessionsServer)
            health = requests.get(eliza_server.base_url + "/api/messaging/sessions/health", timeout=10)
            assert health.status_code == 200
            assert health.headers["RateLimit-Limit"] == "1000"

        def test_factory(eliza_server_factory):
            clock = ManualClock(0)
            server = eliza_server_factory(clock=clock, api_key="k", rate_limit=None)
            assert server.clock is clock
            response = requests.get(server.base_url + "/api/messaging/sessions", timeout=10)
            assert response.status_code == 401

        def test_fresh_server_per_test(eliza_server):
            listing = requests.get(eliza_server.base_url + "/api/messaging/sessions", timeout=10).json()
            assert listing["total"] == 0
        """
    )
    result = pytester.runpytest_inprocess(*[arg for plugin in plugins for arg in ("-p", plugin)], "-q")
    result.assert_outcomes(passed=3)
