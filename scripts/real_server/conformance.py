#!/usr/bin/env python3
"""``nox -s conformance``: the client, the spec and the local server against a real ``@elizaos/server`` release.

``--server-version X`` (default 1.7.2) picks the release (see ``harness.py``). 1.7.2 runs the full set of suites
below; every other release runs a focused set (``FOCUSED_SUITES``): the facade's sessions, sending, paging and
error tests (``tests/integration/test_sessions.py``, ``test_messages.py``, ``test_errors.py``) and the differential
scenario. The harness tells the tests the release (``ELIZA_REAL_SERVER_VERSION``): every response is validated
against that release's document (``scripts/spec/releases.py``), the local servers imitate it, and the tests expect
what that release does (``RELEASE_FACTS`` in ``tests/integration/_support.py``).

Steps (a failing step is named, loudly, and the exit code is non-zero):

1. ``preflight`` - Node.js >= 20, npm, unshare, ip, root (``harness.preflight``).
2. ``install`` - the release's pinned npm packages into the cache (reused when present), then its bundle fixes.
3. One harness run per suite - fresh servers, fresh databases, a fresh loopback-only network namespace and so a
   fresh 1000-requests/15-minutes budget each:

   * ``integration`` - ``tests/integration`` (the facade, every method and error) against a main server
     (``SESSION_MIN_TIMEOUT_MINUTES=1``), a keyed one and one whose model streams; every response validated
     against ``openapi.yaml``.
   * ``schemathesis`` - ``tests/conformance/test_schemathesis.py``, positive and bounded, against a server with
     the widest timeout range the spec allows (1-10080 minutes).
   * ``differential`` - ``tests/conformance/test_differential.py``: the scripted scenario against the real
     servers and local ones, compared.

4. ``report`` - ``reports/conformance.md`` (and stdout): requests per suite, violations, differences, wall times.

A suite whose tests fail does not stop the others (the report shows everything); a harness failure (the server
does not come up) stops the run at once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import harness  # noqa: E402  (the sibling module; this script runs as a file)

PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfEsxX"]
SESSION_ENV = ["--env", "SESSION_MIN_TIMEOUT_MINUTES=1", "--env", "SESSION_CLEANUP_INTERVAL_MINUTES=60"]


@dataclass
class Suite:
    name: str
    harness_args: list[str]
    pytest_args: list[str]
    what: str


SUITES = [
    Suite(
        "integration",
        [*SESSION_ENV, "--keyed-instance", "--stream-instance"],
        ["tests/integration"],
        "the facade against the real server: every method, transport and error; every response validated",
    ),
    Suite(
        "schemathesis",
        ["--env", "SESSION_MIN_TIMEOUT_MINUTES=1", "--env", "SESSION_MAX_TIMEOUT_MINUTES=10080"],
        ["tests/conformance/test_schemathesis.py"],
        "openapi.yaml against the real server (schemathesis, positive, bounded)",
    ),
    Suite(
        "differential",
        ["--stream", *SESSION_ENV, "--keyed-instance"],
        ["tests/conformance/test_differential.py::test_real_and_local_agree"],
        "the scripted scenario against the real and the local server, compared",
    ),
    Suite(
        "consumers",
        ["--keyed-instance"],
        ["tests/conformance/test_consumers.py"],
        "the clients other generators make from the spec (scripts/consumers), through their scenario",
    ),
]


# For releases other than 1.7.2: what the facade needs most (sessions, sending, paging, errors) and the scenario.
FOCUSED_SUITES = [
    Suite(
        "integration",
        [*SESSION_ENV, "--keyed-instance", "--stream-instance"],
        [
            "tests/integration/test_sessions.py",
            "tests/integration/test_messages.py",
            "tests/integration/test_errors.py",
        ],
        "the facade against the real server: sessions, sending (every transport), paging and errors; "
        "every response validated",
    ),
    SUITES[2],
]


def suites_for(version: str) -> list[Suite]:
    return SUITES if version == harness.DEFAULT_SERVER_VERSION else FOCUSED_SUITES


@dataclass
class Outcome:
    suite: Suite
    exit_code: int = 0
    failed_step: str | None = None
    error: str | None = None
    harness: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    wall_seconds: float = 0.0


def _fail(step: str, message: str) -> None:
    print(f"conformance: FAILED at step '{step}': {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def _run_suite(suite: Suite, work: Path, version: str) -> Outcome:
    outcome = Outcome(suite)
    report_file = work / f"{suite.name}-harness.json"
    stats_file = work / f"{suite.name}-stats.json"
    command = [
        sys.executable,
        str(HERE / "harness.py"),
        "run",
        "--server-version",
        version,
        *suite.harness_args,
        "--log-dir",
        str(work / f"{suite.name}-logs"),
        "--report",
        str(report_file),
        "--",
        *PYTEST,
        *suite.pytest_args,
    ]
    env = {**os.environ, "ELIZA_CONFORMANCE_STATS": str(stats_file)}
    if suite.name == "consumers":
        # Built here, before the servers start: the build needs the registries, the servers' namespace has none.
        consumers_work = work / "consumers"
        print("\nconformance: building the consumer matrix's clients (matrix.py --phase prepare)", flush=True)
        prepare = [sys.executable, str(ROOT / "scripts" / "consumers" / "matrix.py"), "--phase", "prepare"]
        subprocess.run([*prepare, "--work", str(consumers_work)], cwd=ROOT, check=False)
        env["ELIZA_CONSUMERS_WORK"] = str(consumers_work)
    print(f"\nconformance: suite '{suite.name}': {suite.what}", flush=True)
    started = time.monotonic()
    proc = subprocess.run(command, cwd=ROOT, env=env, check=False)
    outcome.wall_seconds = round(time.monotonic() - started, 1)
    outcome.exit_code = proc.returncode
    if report_file.is_file():
        outcome.harness = json.loads(report_file.read_text())
        outcome.failed_step = outcome.harness.get("failed_step")
        outcome.error = outcome.harness.get("error")
    elif proc.returncode != 0:
        outcome.failed_step, outcome.error = "harness", f"the harness exited with {proc.returncode} and no report"
    if stats_file.is_file():
        outcome.stats = json.loads(stats_file.read_text())
    return outcome


# ------------------------------------------------------------------------------------------------ report


def _suite_stats(outcome: Outcome) -> dict[str, Any]:
    stats: dict[str, Any] = outcome.stats.get(outcome.suite.name, {})
    return stats


def _status(outcome: Outcome) -> str:
    if outcome.failed_step:
        return f"FAILED at harness step '{outcome.failed_step}'"
    return "passed" if outcome.exit_code == 0 else f"FAILED (pytest exit code {outcome.exit_code})"


def _timings(outcome: Outcome) -> str:
    starts = ", ".join(f"{i['name']} {i['start_seconds']:.1f} s" for i in outcome.harness.get("instances", []))
    run = outcome.harness.get("run_seconds", 0.0)
    return f"start {starts or '-'}; tests {run:.1f} s; total {outcome.wall_seconds:.1f} s"


def render(
    install_seconds: float,
    installed_now: bool,
    outcomes: list[Outcome],
    total: float,
    version: str = harness.DEFAULT_SERVER_VERSION,
    patches: list[str] | None = None,
) -> str:
    focused = version != harness.DEFAULT_SERVER_VERSION
    lines = [
        f"# Conformance against the real @elizaos/server {version}",
        "",
        *(
            [f"Focused set for {version}: {', '.join(s.name for s in FOCUSED_SUITES)} (see conformance.py).", ""]
            if focused
            else []
        ),
        *([f"Bundle fixes applied by the harness: {'; '.join(patches)}.", ""] if patches else []),
        f"Run at {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; every suite in its own loopback-only network namespace "
        "with fresh servers (so a fresh rate-limit budget).",
        "",
        "## Summary",
        "",
        "| Suite | Result | Requests to the real server | Spec violations | Local vs real differences | Wall time |",
        "|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        stats = _suite_stats(outcome)
        violations = stats.get("violations")
        differences = stats.get("differences")
        violation_count = "-" if violations is None else str(len(violations))
        difference_count = (
            "-"
            if differences is None
            else f"{len(stats['documented'])} documented, "
            f"{len({line.split(':', 1)[0] for line in stats['unexplained']})} unexplained (steps)"
        )
        lines.append(
            f"| {outcome.suite.name} | {_status(outcome)} | {stats.get('requests', '-')} | {violation_count} | "
            f"{difference_count} | {outcome.wall_seconds:.1f} s |"
        )
    lines += [
        "",
        "## Wall times",
        "",
        f"- install: {install_seconds:.1f} s ({'fresh npm ci' if installed_now else 'cache reused'})",
    ]
    lines += [f"- {o.suite.name}: {_timings(o)}" for o in outcomes]
    lines += [f"- whole run: {total:.1f} s", ""]
    for outcome in outcomes:
        stats = _suite_stats(outcome)
        lines += [f"## {outcome.suite.name}", "", f"{outcome.suite.what}. Result: {_status(outcome)}.", ""]
        if outcome.error:
            lines += ["```", outcome.error[-3000:], "```", ""]
        if not stats and outcome.suite.name == "consumers":
            # The generated clients send their own requests, outside the Python recorder.
            lines += ["Per-client results: `tests/conformance/test_consumers.py` (one test per consumer).", ""]
        elif not stats:
            lines += ["(no statistics: the suite did not run to the end)", ""]
            continue
        lines += _suite_details(outcome.suite.name, stats)
    return "\n".join(lines).rstrip() + "\n"


def _bullets(items: list[str], empty: str) -> list[str]:
    return [f"- {item}" for item in items] if items else [f"- {empty}"]


def _suite_details(name: str, stats: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if name == "integration":
        lines += [
            f"- requests sent: {stats['requests']} (by server: {stats['requests_by_server']}), of which "
            f"{stats.get('rate_limit_exhaustion_requests', '?')} spent the rate-limit budget for the 429 test",
            f"- responses validated against openapi.yaml: {stats['validated']} ({stats['streamed']} read as streams)",
            "- spec violations:",
            *_bullets(stats["violations"], "none"),
        ]
    elif name == "schemathesis":
        lines += [
            f"- cases: {stats['cases']} (max {stats['max_examples']} examples per operation, positive data), "
            f"requests sent: {stats['requests']}",
            f"- statuses: {stats['statuses']}",
            f"- by operation: {stats['by_operation']}",
            "- violations:",
            *_bullets(stats["violations"], "none"),
            "- known spec gaps (steered around, see tests/conformance/gaps.py):",
            *_bullets(
                [
                    f"{gap}: {reason} (applied {stats['gap_adjustments'].get(gap, 0)}x)"
                    for gap, reason in stats["known_spec_gaps"].items()
                ],
                "none",
            ),
        ]
    elif name == "differential":
        lines += [
            f"- scenario steps: {stats['steps']}; requests to the real servers: {stats['requests']} "
            f"(the local run: {stats['requests_local']}); real run {stats['seconds_real']:.1f} s",
            "- differences local vs real:",
            *_bullets(stats["differences"], "none"),
            "- documented divergences (tests/conformance/scenario.py RELEASE_DIVERGENCES):",
            *_bullets([f"{k}: {v}" for k, v in stats["documented"].items()], "none"),
            "- unexplained differences:",
            *_bullets(stats["unexplained"], "none"),
            "- real transcript vs the recorded 1.7.2 one (tests/conformance/data/real_transcript.json):",
            *_bullets(stats["recorded_transcript_drift"], "identical"),
        ]
    return [*lines, ""]


# ------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--report", default=None, help="default reports/conformance.md (1.7.2), reports/conformance-<X>.md (others)"
    )
    parser.add_argument("--suite", action="append", choices=[s.name for s in SUITES], help="run only these")
    parser.add_argument(
        "--server-version",
        default=harness.DEFAULT_SERVER_VERSION,
        help=f"the release (default {harness.DEFAULT_SERVER_VERSION}; pinned: {', '.join(harness.SUPPORTED_VERSIONS)})",
    )
    args = parser.parse_args(argv)
    total_started = time.monotonic()

    try:
        harness.preflight()
    except harness.HarnessError as exc:
        _fail("preflight", exc.message)
    try:
        _, install_seconds, installed_now, patches = harness.ensure_installed(args.server_version)
    except harness.HarnessError as exc:
        _fail(exc.step if exc.step in ("config", "patch") else "install", exc.message)
    print(f"conformance: install {install_seconds:.1f} s ({'fresh' if installed_now else 'cached'})", flush=True)

    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="eliza-conformance-") as tmp:
        for suite in [s for s in suites_for(args.server_version) if not args.suite or s.name in args.suite]:
            outcome = _run_suite(suite, Path(tmp), args.server_version)
            outcomes.append(outcome)
            if outcome.failed_step:
                print(
                    f"conformance: suite '{suite.name}' FAILED at harness step '{outcome.failed_step}': "
                    f"{outcome.error}",
                    file=sys.stderr,
                    flush=True,
                )
                break  # the servers do not come up: the next suites would fail the same way

    report = render(
        install_seconds, installed_now, outcomes, time.monotonic() - total_started, args.server_version, patches
    )
    default_name = (
        "conformance.md"
        if args.server_version == harness.DEFAULT_SERVER_VERSION
        else f"conformance-{args.server_version}.md"
    )
    path = Path(args.report or ROOT / "reports" / default_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report)
    print("\n" + report, flush=True)
    print(f"conformance: report written to {path}", flush=True)
    failed = [o for o in outcomes if o.exit_code != 0 or o.failed_step]
    if failed:
        for outcome in failed:
            print(f"conformance: FAILED: suite '{outcome.suite.name}': {_status(outcome)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
