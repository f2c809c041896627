"""The spec against the real server: schemathesis generates requests from ``openapi.yaml`` (positive data only,
bounded) and checks every answer of the real ``@elizaos/server`` 1.7.2 against the spec - status documented,
content type, headers, body schema, no 5xx for valid input, valid input accepted. Each answer is also checked
by the spec helper of ``tests/spec`` (which, unlike schemathesis, validates ``text/event-stream`` bodies event by
event). Zero violations are allowed.

Runs only under ``nox -s conformance`` (``ELIZA_REAL_BASE_URL`` set; marker ``real_server``). The request count is
kept well inside the server's 1000-requests window: ``ELIZA_SCHEMATHESIS_MAX_EXAMPLES`` (default 40) examples per
operation in the fuzzing phase plus the spec's own examples; the coverage and stateful phases are off.

Generated session ids would almost always be unknown (404 only), and generated agent ids unknown (404 only): to
reach the success paths too, every other case is pointed at a live session, and every other create at the
server's agent.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from integration._support import REAL_ENV, Recorder, write_stats
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from .gaps import KNOWN_SPEC_GAPS

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi.yaml"
SESSIONS = "/api/messaging/sessions"
MAX_EXAMPLES = int(os.environ.get("ELIZA_SCHEMATHESIS_MAX_EXAMPLES", "40"))
SEED = int(os.environ.get("ELIZA_SCHEMATHESIS_SEED", "20261127"))
BASE_URL = os.environ.get(REAL_ENV, "http://127.0.0.1:9")  # unused unless the real server is there

pytestmark = pytest.mark.real_server

CONFIG = SchemathesisConfig.from_dict(
    {
        "base-url": BASE_URL,
        "seed": SEED,
        "generation": {
            "mode": "positive",
            "max-examples": MAX_EXAMPLES,
            "database": "none",  # the same cases every run: no replay of earlier runs' examples
            # Known gap: 1.7.2 stores strings in Postgres, which rejects U+0000 - a NUL anywhere in content,
            # metadata or attachments is a 500 (MESSAGE_SEND_FAILED / SESSION_CREATION_FAILED). The spec cannot
            # express "no NUL in any nested string" of free-form metadata; see KNOWN_SPEC_GAPS.
            "allow-x00": False,
        },
        "phases": {
            "examples": {"enabled": True},
            "fuzzing": {"enabled": True},
            "coverage": {"enabled": False},  # hundreds of boundary cases: too many for the rate limit
            "stateful": {"enabled": False},
        },
        "checks": {
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            # Valid input must be accepted; 404 and 410 stand for an unknown/expired session or agent.
            "positive_data_acceptance": {"enabled": True, "expected-statuses": ["2xx", "404", "410"]},
            # The main instance has no API key by design, so "auth is ignored" is expected there.
            "ignored_auth": {"enabled": False},
            # The server answers an unsupported method with 404 "API endpoint not found", never 405 (documented
            # in the spec's description; a 404 for an undocumented method is not an operation's response).
            "unsupported_method": {"enabled": False},
            # Negative-mode checks (positive data only here).
            "negative_data_rejection": {"enabled": False},
            "missing_required_header": {"enabled": False},
            # Need links between operations (stateful phase, off).
            "use_after_free": {"enabled": False},
            "ensure_resource_availability": {"enabled": False},
        },
    }
)

schema = schemathesis.openapi.from_path(SPEC, config=CONFIG)


class Live:
    """A live session to point generated requests at, re-created whenever it is gone."""

    def __init__(self, http: requests.Session, base_url: str, agent_id: str) -> None:
        self.http, self.base_url, self.agent_id = http, base_url, agent_id
        self._id: str | None = None

    def session_id(self) -> str:
        if self._id is None:
            response = self.http.post(
                f"{self.base_url}{SESSIONS}", json={"agentId": self.agent_id, "userId": str(uuid.uuid4())}, timeout=30
            )
            assert response.status_code == 201, response.text
            self._id = str(response.json()["sessionId"])
        return self._id

    def forget_if_gone(self, session_id: str, method: str, status: int) -> None:
        if session_id == self._id and (status in (404, 410) or (method == "DELETE" and status == 200)):
            self._id = None


class Run:
    def __init__(self) -> None:
        self.recorder = Recorder()
        self.cases = 0
        self.by_operation: dict[str, int] = {}
        self.statuses: dict[str, int] = {}
        self.failures: list[str] = []
        self.counter = itertools.count()
        self.gap_adjustments: dict[str, int] = {}


@pytest.fixture(scope="module")
def run() -> Iterator[Run]:
    if not os.environ.get(REAL_ENV):
        pytest.skip(f"needs the real server ({REAL_ENV}); run `nox -s conformance`")
    state = Run()
    try:
        yield state
    finally:
        state.recorder.close()
        write_stats(
            "schemathesis",
            {
                "cases": state.cases,
                "requests": state.recorder.count(),
                "by_operation": state.by_operation,
                "statuses": state.statuses,
                "max_examples": MAX_EXAMPLES,
                "violations": state.recorder.violations + state.failures,
                "known_spec_gaps": KNOWN_SPEC_GAPS,
                "gap_adjustments": state.gap_adjustments,
            },
        )


@pytest.fixture(scope="module")
def live(run: Run) -> Live:
    return Live(run.recorder.session(), BASE_URL, os.environ["ELIZA_REAL_AGENT_ID"])


def _aim(case: Any, live: Live, turn: int, run: Run) -> str | None:
    """Point every other case at the live session / the real agent, and steer around the known spec gaps;
    return the session id used, if live."""
    used = None
    if "sessionId" in (case.path_parameters or {}) and turn % 2 == 0:
        used = live.session_id()
        case.path_parameters["sessionId"] = used
    creates = case.operation.method.upper() == "POST" and case.operation.path == SESSIONS
    if creates and isinstance(case.body, dict) and turn % 2 == 0:
        case.body["agentId"] = live.agent_id
    return used


@schema.parametrize()
def test_real_server_conforms_to_the_spec(case: Any, run: Run, live: Live) -> None:
    turn = next(run.counter)
    used = _aim(case, live, turn, run)
    session = run.recorder.session()
    mark = run.recorder.mark()
    response = case.call(session=session, timeout=60)
    run.cases += 1
    label = f"{case.operation.method.upper()} {case.operation.path}"
    run.by_operation[label] = run.by_operation.get(label, 0) + 1
    run.statuses[str(response.status_code)] = run.statuses.get(str(response.status_code), 0) + 1
    if used is not None:
        live.forget_if_gone(used, case.operation.method.upper(), response.status_code)
    run.recorder.settle()  # schemathesis reads event streams itself: validate what it read
    _, violations = run.recorder.since(mark)
    # An event stream is validated by the spec helper above (events against the stream schema's `$defs`);
    # schemathesis would validate each event against the media type's `schema`, which in OpenAPI 3.1 describes
    # the whole body (a string) - the 3.2 `itemSchema` reading, which this spec does not use.
    sse = response.headers.get("content-type", [""])[0].startswith("text/event-stream")
    try:
        case.validate_response(response, excluded_checks=[response_schema_conformance] if sse else None)
    except Exception as failure:
        run.failures.append(f"{label}: {str(failure).splitlines()[0]}")
        raise
    assert not violations, "\n".join(violations)
