"""The ``serve`` command (a real subprocess stopped with SIGINT) and the pytest plugin (through pytester)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import requests

from eliza_client.testing import agent_id_for
from eliza_client.testing.__main__ import build_parser

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]


def _read_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line, "the server exited early"
    return line.rstrip("\n")


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
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        first = _read_line(process)
        match = re.fullmatch(r"elizaOS sessions API \(local\) listening on (http://127\.0\.0\.1:\d+)", first)
        assert match, first
        url = match.group(1)
        assert _read_line(process) == f"  agent Eliza: {agent_id_for('Eliza')}"
        assert _read_line(process) == f"  agent Bob: {agent_id_for('Bob')}"
        assert _read_line(process) == "  X-API-KEY required"
        health = requests.get(f"{url}/api/messaging/sessions/health", headers={"X-API-KEY": "k"}, timeout=10)
        assert health.status_code == 200
        body = {"agentId": agent_id_for("Bob"), "userId": "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"}
        body["timeoutConfig"] = {"timeoutMinutes": 0}  # type: ignore[assignment]
        created = requests.post(f"{url}/api/messaging/sessions", json=body, headers={"X-API-KEY": "k"}, timeout=10)
        assert created.json()["timeoutConfig"]["timeoutMinutes"] == 1
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
        assert process.returncode == 0, err
        assert "stopped" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_serve_parser_options() -> None:
    args = build_parser().parse_args(["serve", "--rate-limit", "none", "--env", "A=1", "--env", "B=x=y"])
    assert args.rate_limit is None
    assert dict(args.env) == {"A": "1", "B": "x=y"}
    assert args.port == 3000
    assert args.host == "127.0.0.1"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--env", "novalue"])


def test_plugin_entry_point_is_registered() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["project"]["entry-points"]["pytest11"]["eliza_client"] == "eliza_client.testing.pytest_plugin"


def test_plugin_fixtures(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
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
    result = pytester.runpytest_inprocess("-p", "eliza_client.testing.pytest_plugin", "-q")
    result.assert_outcomes(passed=3)
