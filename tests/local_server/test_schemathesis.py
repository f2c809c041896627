"""openapi.yaml and the local server keep each other honest: every generated request's response must conform.

Schemathesis (pinned 4.32.5) generates requests for each of the ten operations from ``openapi.yaml``, in-process,
and validates every response the local server gives: status code documented, content type documented, body and
headers matching their schemas. Half of the runs use a real session id (and the real agent id), so success
responses are exercised, not only 404s. Examples are bounded and derandomized; each has a deadline.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from eliza_client.testing import OPERATION_IDS, LocalSessionsServer, ManualClock

from .conftest import SESSIONS, T0

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"
SCHEMA = schemathesis.openapi.from_path(str(SPEC))
DOCUMENT: dict[str, Any] = SCHEMA.raw_schema
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance, response_headers_conformance]
# For SSE responses, schemathesis validates each parsed event ({event, data}) against the media type's
# `schema`; openapi.yaml describes the stream as `type: string` with the events in its `$defs`, so the events
# are checked here against those schemas instead (see the report on issue 4).
SSE_CHECKS = [status_code_conformance, content_type_conformance, response_headers_conformance]
MAX_EXAMPLES = 25


def _sse_event_schemas(operation_id: str) -> dict[str, Any]:
    for path_item in DOCUMENT["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                media = operation["responses"]["200"]["content"]["text/event-stream"]
                return dict(media["schema"]["$defs"])
    raise KeyError(operation_id)


_VALIDATORS: dict[str, Any] = {}


def _validate_sse(body: str, event_schemas: dict[str, Any]) -> list[str]:
    """Validate each event's JSON data against the spec's schema for that event name; the event names."""
    names = []
    for block in body.split("\n\n"):
        if not block.strip():
            continue
        lines = block.split("\n")
        assert len(lines) == 2, block
        assert lines[0].startswith("event: "), block
        assert lines[1].startswith("data: "), block
        name = lines[0].removeprefix("event: ")
        assert name in event_schemas, name
        validator = _VALIDATORS.get(name)
        if validator is None:
            validator = jsonschema_rs.validator_for({**event_schemas[name], "components": DOCUMENT["components"]})
            _VALIDATORS[name] = validator
        validator.validate(json.loads(lines[1].removeprefix("data: ")))
        names.append(name)
    return names


@pytest.fixture(scope="module")
def conformance_server() -> Iterator[LocalSessionsServer]:
    # The rate limiter stays on (its headers are part of the contract) with a budget the run cannot exhaust.
    with LocalSessionsServer(clock=ManualClock(T0), rate_limit=1_000_000, reply_delay=0.0, chunk_delay=0.0) as server:
        yield server


def _new_session(server: LocalSessionsServer) -> str:
    body = {"agentId": server.agent_id, "userId": str(uuid.uuid4())}
    response = requests.post(server.base_url + SESSIONS, json=body, timeout=10)
    assert response.status_code == 201
    session_id: str = response.json()["sessionId"]
    requests.post(f"{server.base_url}{SESSIONS}/{session_id}/messages", json={"content": "seed"}, timeout=10)
    return session_id


@pytest.mark.parametrize("real_ids", [True, False], ids=["real-session", "generated-ids"])
@pytest.mark.parametrize("operation_id", sorted(OPERATION_IDS))
def test_responses_conform_to_the_spec(
    conformance_server: LocalSessionsServer, operation_id: str, real_ids: bool
) -> None:
    server = conformance_server
    operation = SCHEMA.find_operation_by_id(operation_id)
    overrides: dict[str, Any] = {}
    if real_ids and "{sessionId}" in operation.path:
        overrides["path_parameters"] = {"sessionId": _new_session(server)}
    strategy = operation.as_strategy(GenerationMode.POSITIVE, **overrides)

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=dt.timedelta(seconds=5),
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case: Any) -> None:
        if real_ids and operation_id == "create_session" and isinstance(case.body, dict):
            case.body["agentId"] = server.agent_id
        response = case.call(base_url=server.base_url, timeout=10)
        if operation_id == "get_session" and str(case.path_parameters.get("sessionId", "")).lower() == "health":
            # Express routes GET …/sessions/health to the health check, whatever the spec says the id may be
            # (a disagreement reported on issue 4): the answer is the health body, not a Session.
            assert response.json()["status"] == "healthy"
            return
        content_type = (response.headers.get("content-type") or [""])[0]  # schemathesis: lowercase, lists
        if content_type.startswith("text/event-stream"):
            case.validate_response(response, checks=SSE_CHECKS, excluded_checks=[response_schema_conformance])
            names = _validate_sse(response.text, _sse_event_schemas(operation_id))
            assert names[0] == "user_message"
            assert names[-1] in ("done", "error")
        else:
            case.validate_response(response, checks=CHECKS)

    check()
