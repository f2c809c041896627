"""Local vs real, differential: the scenario of ``scenario.py`` against both servers; statuses, error codes, body
shapes (keys and JSON types) and masked values must match, or the difference must be a documented divergence
(``scenario.KNOWN_DIVERGENCES``, reported by ``nox -s conformance``).

* In the main suite (no real server): the local server's transcript (imitating 1.7.2) is compared with the real
  1.7.2 server's transcript recorded in ``data/real_transcript.json``.
* Under ``nox -s conformance [-- --server-version X]`` (``ELIZA_REAL_BASE_URL`` set): the scenario runs against the
  real release X and the local server imitating X (``ELIZA_REAL_SERVER_VERSION``), live; documented differences are
  X's entry of ``scenario.RELEASE_DIVERGENCES``. For 1.7.2 the real transcript is also compared with the recorded
  one (a difference there means the scenario changed: record it again with ``ELIZA_UPDATE_TRANSCRIPT=1``); the
  recorded transcript is 1.7.2's, so other releases are not compared with it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from integration._support import (
    DEFAULT_SERVER_VERSION,
    KEYED_API_KEY,
    REAL_ENV,
    RELEASE_FACTS,
    SERVER_ENV,
    SERVER_VERSION,
    Recorder,
    TravelClock,
    write_stats,
)

from eliza_client.testing import LocalSessionsServer

from .scenario import Scenario, Servers, compare, divergences, stale_divergences, unexplained

TRANSCRIPT = Path(__file__).parent / "data" / "real_transcript.json"
UPDATE_ENV = "ELIZA_UPDATE_TRANSCRIPT"


@contextmanager
def local_servers(recorder: Recorder, version: str) -> Iterator[Servers]:
    """Local servers configured like the harness configures the real ones, imitating release ``version``."""
    clock = TravelClock()
    main = LocalSessionsServer(
        agent_names=("ConformanceAgent",), clock=clock, env=SERVER_ENV, chunk_delay=0.002, server_version=version
    )
    keyed = LocalSessionsServer(agent_names=("ConformanceAgent",), api_key=KEYED_API_KEY, server_version=version)
    with main, keyed:
        yield Servers(
            main.base_url,
            main.agent_id,
            keyed.base_url,
            keyed.agent_id,
            KEYED_API_KEY,
            wait=lambda seconds: clock.advance(seconds=seconds),
            http=recorder.session(),
            stores_every_reply=RELEASE_FACTS[version].stores_every_reply,
        )


def real_servers(recorder: Recorder, version: str) -> Servers:
    env = os.environ
    return Servers(
        env["ELIZA_REAL_BASE_URL"],
        env["ELIZA_REAL_AGENT_ID"],
        env["ELIZA_REAL_KEYED_BASE_URL"],
        env["ELIZA_REAL_KEYED_AGENT_ID"],
        env["ELIZA_REAL_KEYED_API_KEY"],
        http=recorder.session(),
        stores_every_reply=RELEASE_FACTS[version].stores_every_reply,
    )


def transcript(servers: Servers) -> list[dict[str, Any]]:
    return [step.as_dict() for step in Scenario(servers).run()]


def _explain(differences: list[Any]) -> str:
    return "\n".join(str(d) for d in differences)


def test_local_matches_the_recorded_real_transcript() -> None:
    """The recorded transcript is the real 1.7.2's: the local server imitating 1.7.2 must match it."""
    recorded = json.loads(TRANSCRIPT.read_text())
    recorder = Recorder(validate=False)
    try:
        with local_servers(recorder, DEFAULT_SERVER_VERSION) as servers:
            local = transcript(servers)
    finally:
        recorder.close()
    differences = compare(recorded["steps"], local)
    assert not unexplained(differences), "local server differs from the real one:\n" + _explain(
        unexplained(differences)
    )
    assert not stale_divergences(differences), (
        f"documented divergences no longer seen: {stale_divergences(differences)}"
    )


@pytest.mark.real_server
def test_real_and_local_agree() -> None:
    if not os.environ.get(REAL_ENV):
        pytest.skip(f"needs the real server ({REAL_ENV}); run `nox -s conformance`")
    version = SERVER_VERSION  # the harness's release: the local servers imitate the same one
    recorded_release = version == DEFAULT_SERVER_VERSION
    real_recorder, local_recorder = Recorder(validate=False), Recorder(validate=False)
    started = time.monotonic()
    try:
        real = transcript(real_servers(real_recorder, version))
        real_seconds = time.monotonic() - started
        with local_servers(local_recorder, version) as servers:
            local = transcript(servers)
    finally:
        real_recorder.close()
        local_recorder.close()
    if os.environ.get(UPDATE_ENV) and recorded_release:
        TRANSCRIPT.parent.mkdir(parents=True, exist_ok=True)
        TRANSCRIPT.write_text(json.dumps({"server": "@elizaos/server 1.7.2", "steps": real}, indent=1) + "\n")
    differences = compare(real, local)
    known = divergences(version)
    if recorded_release:
        recorded = json.loads(TRANSCRIPT.read_text())["steps"] if TRANSCRIPT.is_file() else []
        drift = compare(recorded, real)
        drift_notes = [str(d) for d in drift]
    else:
        drift = []
        drift_notes = [f"not compared: {TRANSCRIPT.name} is the real 1.7.2's transcript, this run is {version}"]
    write_stats(
        "differential",
        {
            "server_version": version,
            "steps": len(real),
            "requests": real_recorder.count(),
            "requests_local": local_recorder.count(),
            "seconds_real": round(real_seconds, 3),
            "differences": [str(d) for d in differences],
            "documented": {d.step: known[d.step] for d in differences if d.step in known},
            "unexplained": [str(d) for d in unexplained(differences, version)],
            "stale_divergences": stale_divergences(differences, version),
            "recorded_transcript_drift": drift_notes,
        },
    )
    assert not drift, (
        f"the real server's transcript differs from {TRANSCRIPT.name} (the scenario changed?); record it again "
        f"with {UPDATE_ENV}=1:\n" + _explain(drift)
    )
    assert not unexplained(differences, version), f"local server ({version}) differs from the real one:\n" + _explain(
        unexplained(differences, version)
    )
    assert not stale_divergences(differences, version), (
        f"documented divergences of {version} no longer seen: {stale_divergences(differences, version)}"
    )


@pytest.mark.parametrize(
    ("mutate", "aspect"),
    [
        pytest.param(lambda step: step.update(status=418), "status", id="status"),
        pytest.param(lambda step: step.update(code="OTHER"), "code", id="code"),
        pytest.param(lambda step: step["shape"].update(extra="string"), "shape", id="extra-key"),
        pytest.param(lambda step: step["values"].update(sessions=[]), "values", id="value"),
        pytest.param(lambda step: step["headers"].remove("ratelimit-limit"), "headers", id="header"),
    ],
)
def test_compare_notices_a_difference(mutate: Any, aspect: str) -> None:
    recorded = json.loads(TRANSCRIPT.read_text())["steps"]
    changed = json.loads(json.dumps(recorded))
    mutate(next(step for step in changed if step["name"] == "list.ok"))
    differences = compare(recorded, changed)
    assert [(d.step, d.aspect) for d in differences] == [("list.ok", aspect)]
    assert compare(recorded, recorded) == []
