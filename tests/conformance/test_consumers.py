"""The consumer matrix against the real ``@elizaos/server``: the clients other teams generate from the spec.

``nox -s consumers`` proves each generated client (``scripts/consumers/<name>/``) against the local server; here
the same built clients run the same scenario against the real server's keyed instance, so what the matrix
promises holds for the server users run, not only for the project's imitation of it. The clients are built
before the servers start (``scripts/real_server/conformance.py`` runs ``matrix.py --phase prepare``: the build
needs the package registries, the namespace the servers run in has only loopback) and named by
``ELIZA_CONSUMERS_WORK``.

Runs only under ``nox -s conformance`` (marker ``real_server``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "scripts" / "consumers" / "matrix.py"
CONSUMERS = sorted(path.parent.name for path in (ROOT / "scripts" / "consumers").glob("*/consumer.json"))

pytestmark = pytest.mark.real_server


def _need(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run this through `nox -s conformance` (it builds the clients first)")
    return value


@pytest.mark.parametrize("consumer", CONSUMERS)
def test_generated_client_runs_the_scenario_against_the_real_server(consumer: str, tmp_path: Path) -> None:
    work = Path(_need("ELIZA_CONSUMERS_WORK"))
    prepared = json.loads((work / "prepared.json").read_text()) if (work / "prepared.json").is_file() else {}
    assert prepared.get(consumer) == "ok", f"{consumer} was not built before the servers started: {prepared}"
    report = tmp_path / f"{consumer}.md"
    command = [
        sys.executable,
        str(MATRIX),
        "--phase",
        "run",
        "--only",
        consumer,
        "--work",
        str(work),
        "--base-url",
        _need("ELIZA_REAL_KEYED_BASE_URL"),
        "--api-key",
        _need("ELIZA_REAL_KEYED_API_KEY"),
        "--agent-id",
        _need("ELIZA_REAL_KEYED_AGENT_ID"),
        "--report",
        str(report),
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    text = report.read_text() if report.is_file() else proc.stdout[-4000:] + proc.stderr[-4000:]
    assert proc.returncode == 0, f"{consumer} against the real server:\n{text}"
    assert "| ok |" in text, text
