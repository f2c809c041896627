"""The known spec gaps (``gaps.py``): each has its reason, and gaps that were closed in ``openapi.yaml`` stay closed
(one test per closed gap checks the spec itself). No server needed."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .gaps import DB_MAX_MS, DB_MIN_MS, KNOWN_SPEC_GAPS

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"


@cache
def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC.read_text())
    return loaded


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = _spec()
        for token in node["$ref"].removeprefix("#/").split("/"):
            target = target[token]
        node = target
    return node


def _before_schema() -> dict[str, Any]:
    operation = _spec()["paths"]["/api/messaging/sessions/{sessionId}/messages"]["get"]
    parameter = next(_resolve(p) for p in operation["parameters"] if _resolve(p).get("name") == "before")
    return _resolve(parameter["schema"])


def test_every_gap_has_a_reason() -> None:
    assert set(KNOWN_SPEC_GAPS) == {"nul-in-strings"}
    assert all(len(reason) > 40 for reason in KNOWN_SPEC_GAPS.values())


def test_spec_bounds_before_to_the_dates_the_server_can_query() -> None:
    # Was a known gap (the spec allowed JavaScript's whole date range); closed in openapi.yaml's EpochMillis.
    schema = _before_schema()
    assert schema.get("maximum", float("inf")) <= DB_MAX_MS
    assert schema.get("minimum", float("-inf")) >= DB_MIN_MS
