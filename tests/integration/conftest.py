"""Fixtures of the integration suite: one suite, run against the local server by default and against a real
``@elizaos/server`` when ``ELIZA_REAL_BASE_URL`` is set (``nox -s conformance [-- --server-version X]`` does that).

The release under test is ``_support.SERVER_VERSION``: the real servers' (``ELIZA_REAL_SERVER_VERSION``, set by the
harness) or, locally, ``ELIZA_LOCAL_SERVER_VERSION`` (default 1.7.2), which the local servers imitate. Every
response any test here receives is validated against that release's OpenAPI document (see ``_support.Recorder``);
a test that received a non-conforming response fails at teardown, naming the operation and the violation.

Markers (registered here):

* ``needs(capability, ...)`` - the test uses something only the local server can do (``faults``, ``clock``,
  ``inspect``); it is skipped against the real server.
* ``exhausts_rate_limit`` - the test spends the server's whole rate-limit budget; such tests run last.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest

from eliza_client import ElizaClient

from ._support import (
    REAL_ENV,
    RELEASE_FACTS,
    SERVER_VERSION,
    Recorder,
    ReleaseFacts,
    Target,
    Targets,
    local_targets,
    make_client,
    real_targets,
    write_stats,
)

TARGET_KIND = "real" if os.environ.get(REAL_ENV) else "local"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "needs(*capabilities): needs a local-server capability (faults, clock, inspect); skipped on real"
    )
    config.addinivalue_line("markers", "exhausts_rate_limit: spends the whole rate-limit budget; runs last")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A test that exhausts the budget must not starve the others: move it (stably) to the end of the run.
    items.sort(key=lambda item: item.get_closest_marker("exhausts_rate_limit") is not None)


@pytest.fixture(scope="session")
def recorder() -> Iterator[Recorder]:
    """Every response of the suite, validated against the spec."""
    recording = Recorder()
    started = time.monotonic()
    try:
        yield recording
    finally:
        recording.close()
        write_stats(
            "integration",
            {
                "target": TARGET_KIND,
                "server_version": SERVER_VERSION,
                "requests": recording.count(),
                "requests_by_server": recording.requests_by_server(),
                "validated": recording.count(),
                "streamed": sum(1 for exchange in recording.exchanges if exchange.streamed),
                "violations": recording.violations,
                "seconds": round(time.monotonic() - started, 3),
                **recording.notes,
            },
        )


@pytest.fixture(scope="session", params=[TARGET_KIND])
def targets(request: pytest.FixtureRequest) -> Iterator[Targets]:
    """The servers: the real ones when the harness started them, otherwise local ones configured alike."""
    found = real_targets() if request.param == "real" else local_targets()
    try:
        yield found
    finally:
        found.stop()


@pytest.fixture(scope="session")
def release() -> ReleaseFacts:
    """What the release under test does differently (its send route), as measured on the real servers."""
    return RELEASE_FACTS[SERVER_VERSION]


@pytest.fixture(scope="session")
def target(targets: Targets) -> Target:
    """The main server: no API key, ``SESSION_MIN_TIMEOUT_MINUTES=1``."""
    return targets.main


@pytest.fixture(scope="session")
def keyed_target(targets: Targets) -> Target:
    """A server that requires ``X-API-KEY``."""
    return targets.keyed


@pytest.fixture(scope="session")
def stream_target(targets: Targets) -> Target:
    """A server whose agent streams its replies (SSE ``chunk`` events)."""
    return targets.stream


@pytest.fixture(autouse=True)
def _responses_conform(request: pytest.FixtureRequest, recorder: Recorder, targets: Targets) -> Iterator[None]:
    marker = request.node.get_closest_marker("needs")
    if marker is not None:
        missing = [capability for capability in marker.args if not targets.main.can(capability)]
        if missing:
            pytest.skip(f"needs {', '.join(missing)}: only the local server can do that")
    mark = recorder.mark()
    yield
    exchanges, violations = recorder.since(mark)
    assert not violations, (
        f"{len(violations)} of {len(exchanges)} responses violate the {SERVER_VERSION} document:\n"
        + "\n".join(violations)
    )
    assert not recorder.unfinished(), f"streamed responses not read to the end: {recorder.unfinished()}"


@pytest.fixture(autouse=True)
def _no_client_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # ElizaClient falls back to these; the suite says exactly which server and key each client uses.
    monkeypatch.delenv("ELIZA_API_KEY", raising=False)
    monkeypatch.delenv("ELIZA_BASE_URL", raising=False)
    monkeypatch.delenv("ELIZA_SERVER_VERSION", raising=False)  # the client learns the release from the answers
    monkeypatch.delenv("ELIZA_BEARER_TOKEN", raising=False)


@pytest.fixture
def client(target: Target, recorder: Recorder) -> Iterator[ElizaClient]:
    """A facade client of the main server."""
    with make_client(target, recorder) as running:
        yield running


@pytest.fixture
def user_id() -> str:
    return str(uuid.uuid4())
