#!/usr/bin/env python3
"""The consumer matrix: clients generated from ``openapi.yaml`` by other teams' generators, built and run.

Every folder ``scripts/consumers/<name>/`` with a ``consumer.json`` is one consumer: a generator (pinned), the
commands that install, generate, compile and check it, and a scenario program that runs the 16 steps of
``SCENARIO.md`` against a server and prints one JSON line per step. This script

1. derives the generator-facing documents (``scripts/spec/for_generators.py``: OpenAPI 3.1, and 3.0.3 for the
   consumers whose ``openapi`` is ``"3.0"``);
2. *prepares* each consumer in a scratch copy of its folder (``.nox/consumers/work/<name>``): every command of
   ``steps``, in order, each bounded in time;
3. *runs* each scenario against a server: the project's local sessions server (started here, with an API key),
   or the one ``--base-url`` names;
4. reports per consumer and step what works (``reports/consumers.md`` and stdout).

``consumer.json`` may list ``known_limits``: scenario steps that fail for a reason of the generator's own, each
with the reason. Such a step is reported, not counted as a failure, and the matrix fails when it starts passing
(the note is then stale). Exit status: 0 when every step of every consumer passed (or failed as noted); 1
otherwise; 2 for bad arguments; 3 when a tool a consumer needs is missing (named in the report).

    python scripts/consumers/matrix.py                      # everything, against the local server
    python scripts/consumers/matrix.py --only og-go         # one consumer
    python scripts/consumers/matrix.py --phase prepare      # build only (e.g. before going offline)
    python scripts/consumers/matrix.py --phase run --base-url http://127.0.0.1:3000 --api-key K --agent-id A
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "spec"))
import yaml  # noqa: E402
from for_generators import generator_document  # noqa: E402
from releases import load_spec, release_document  # noqa: E402

STEPS = (
    "health",
    "create",
    "get",
    "list",
    "send",
    "send_wait",
    "send_stream",
    "history",
    "history_before",
    "history_after",
    "renew",
    "heartbeat",
    "update_timeout",
    "delete",
    "error_404",
    "error_401",
)
STEP_TIMEOUT = 900  # seconds for one prepare command (a cold Maven or Go download is the slow case)
SCENARIO_TIMEOUT = 180  # seconds for a whole scenario run
DEFAULT_WORK = ROOT / ".nox" / "consumers"


@dataclass
class Consumer:
    name: str
    folder: Path
    config: dict[str, Any]

    @property
    def openapi(self) -> str:
        return str(self.config.get("openapi", "3.1"))

    @property
    def known_limits(self) -> dict[str, str]:
        limits = self.config.get("known_limits", {})
        return {str(step): str(reason) for step, reason in limits.items()}


@dataclass
class Result:
    consumer: Consumer
    prepared: list[tuple[str, float, bool]] = field(default_factory=list)  # (command name, seconds, ok)
    failed_command: str | None = None
    failure_output: str = ""
    missing_tools: list[str] = field(default_factory=list)
    steps: dict[str, tuple[bool, str]] = field(default_factory=dict)
    scenario_seconds: float = 0.0
    scenario_exit: int | None = None
    scenario_stderr: str = ""

    def unexpected(self) -> list[str]:
        """Steps whose outcome is not what the consumer's notes say: failures, and noted limits that passed."""
        limits = self.consumer.known_limits
        problems = []
        for step in STEPS:
            ok, _ = self.steps.get(step, (False, "no line printed"))
            if ok and step in limits:
                problems.append(f"{step} passed but is noted as a known limit")
            elif not ok and step not in limits:
                problems.append(step)
        return problems

    @property
    def ok(self) -> bool:
        return not self.missing_tools and self.failed_command is None and not self.unexpected()


def discover(only: list[str] | None) -> list[Consumer]:
    consumers = []
    for config_file in sorted(HERE.glob("*/consumer.json")):
        config = json.loads(config_file.read_text(encoding="utf-8"))
        consumers.append(Consumer(config_file.parent.name, config_file.parent, config))
    if only:
        names = {consumer.name for consumer in consumers}
        unknown = sorted(set(only) - names)
        if unknown:
            raise SystemExit(f"matrix.py: unknown consumer(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}")
        consumers = [consumer for consumer in consumers if consumer.name in only]
    return consumers


def write_documents(work: Path, server_version: str | None) -> dict[str, Path]:
    source = load_spec()
    if server_version:
        source = release_document(server_version, source)
    paths = {}
    for version, openapi_30 in (("3.1", False), ("3.0", True)):
        path = work / f"openapi.generators-{version}.yaml"
        derived = generator_document(source, openapi_30=openapi_30)
        path.write_text(yaml.safe_dump(derived, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
        paths[version] = path
    return paths


def base_env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ELIZA_REPO"] = str(ROOT)
    env.setdefault("ELIZA_CONSUMERS_CACHE", str(Path.home() / ".cache" / "eliza-client" / "consumers"))
    # Tools that would phone home (telemetry, update checks) are told not to.
    env.update({"NO_UPDATE_NOTIFIER": "1", "npm_config_update_notifier": "false", "DOTNET_CLI_TELEMETRY_OPTOUT": "1"})
    env["GOCACHE"] = env.get("GOCACHE", str(work / "go-build-cache"))
    return env


def prepare(consumer: Consumer, work: Path, documents: dict[str, Path], env: dict[str, str]) -> Result:
    result = Result(consumer)
    result.missing_tools = [tool for tool in consumer.config.get("needs", []) if shutil.which(tool) is None]
    if result.missing_tools:
        return result
    scratch = work / "work" / consumer.name
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(consumer.folder, scratch, ignore=shutil.ignore_patterns("node_modules", ".venv", "generated"))
    step_env = {**env, "ELIZA_SPEC": str(documents[consumer.openapi])}
    for step in consumer.config.get("steps", []):
        name, command = step["name"], step["run"]
        print(f"consumers: {consumer.name}: {name}: {' '.join(command)}", flush=True)
        started = time.monotonic()
        try:
            proc = subprocess.run(
                command,
                cwd=scratch,
                env=step_env,
                capture_output=True,
                text=True,
                timeout=step.get("timeout", STEP_TIMEOUT),
                check=False,
            )
            ok, output = proc.returncode == 0, proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as expired:
            ok, output = False, f"timed out after {expired.timeout} s"
        except OSError as error:
            ok, output = False, f"cannot run {command[0]!r}: {error}"
        seconds = round(time.monotonic() - started, 1)
        result.prepared.append((name, seconds, ok))
        (work / "logs").mkdir(parents=True, exist_ok=True)
        (work / "logs" / f"{consumer.name}-{name}.log").write_text(output, encoding="utf-8")
        if not ok:
            result.failed_command = name
            result.failure_output = _tail(output)
            break
    return result


def run_scenario(result: Result, work: Path, env: dict[str, str], server: dict[str, str]) -> None:
    consumer = result.consumer
    if result.missing_tools or result.failed_command is not None:
        return
    scratch = work / "work" / consumer.name
    command = consumer.config["scenario"]
    print(f"consumers: {consumer.name}: scenario: {' '.join(command)}", flush=True)
    started = time.monotonic()
    try:
        proc = subprocess.run(
            command,
            cwd=scratch,
            env={**env, **server},
            capture_output=True,
            text=True,
            timeout=SCENARIO_TIMEOUT,
            check=False,
        )
        stdout, stderr, result.scenario_exit = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as expired:
        stdout = expired.stdout.decode() if isinstance(expired.stdout, bytes) else expired.stdout or ""
        stderr = f"timed out after {SCENARIO_TIMEOUT} s"
    except OSError as error:
        stdout, stderr = "", f"cannot run {command[0]!r}: {error}"
    result.scenario_seconds = round(time.monotonic() - started, 1)
    result.scenario_stderr = _tail(stderr)
    for raw in stdout.splitlines():
        line = raw.strip()
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        step = record.get("step")
        if step in STEPS and step not in result.steps:
            result.steps[step] = (record.get("ok") is True, " ".join(str(record.get("detail", "")).split()))
    all_ok = all(result.steps.get(step, (False, ""))[0] for step in STEPS)
    if all_ok and result.scenario_exit not in (0, None):
        result.steps["error_401"] = (False, f"every step printed ok, but the program exited {result.scenario_exit}")


def _prepared_state(result: Result) -> str:
    return "ok" if result.failed_command is None and not result.missing_tools else "failed"


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def render(results: list[Result], server_label: str) -> str:
    out = [
        "# Consumer matrix",
        "",
        f"Clients generated from `openapi.yaml` (through `scripts/spec/for_generators.py`), built, and run through"
        f" the scenario of `scripts/consumers/SCENARIO.md` against {server_label}.",
        "",
        "| consumer | generator | language | prepared | scenario | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        consumer = result.consumer
        if result.missing_tools:
            prepared, scenario = f"missing {', '.join(result.missing_tools)}", "-"
        elif result.failed_command is not None:
            prepared, scenario = f"**{result.failed_command} failed**", "-"
        else:
            prepared = ", ".join(f"{name} {seconds:g} s" for name, seconds, _ in result.prepared) or "-"
            passed = sum(1 for step in STEPS if result.steps.get(step, (False, ""))[0])
            scenario = f"{passed}/{len(STEPS)} in {result.scenario_seconds:g} s"
        verdict = "ok" if result.ok else "**FAILED**"
        out.append(
            f"| {consumer.name} | {consumer.config.get('generator', '?')} | {consumer.config.get('language', '?')}"
            f" | {prepared} | {scenario} | {verdict} |"
        )
    for result in results:
        consumer = result.consumer
        out += ["", f"## {consumer.name}", ""]
        if result.missing_tools:
            out.append(f"Not run: the machine has no {', '.join(result.missing_tools)} on PATH.")
            continue
        if result.failed_command is not None:
            out += [f"`{result.failed_command}` failed:", "", "```", result.failure_output, "```"]
            continue
        for step in STEPS:
            ok, detail = result.steps.get(step, (False, "no line printed"))
            mark = "pass" if ok else ("known limit" if step in consumer.known_limits else "**FAIL**")
            note = f" — noted: {consumer.known_limits[step]}" if step in consumer.known_limits else ""
            out.append(f"- `{step}`: {mark}: {detail}{note}")
        if result.scenario_stderr and not result.ok:
            out += ["", "stderr:", "", "```", result.scenario_stderr, "```"]
    return "\n".join(out) + "\n"


def _local_server() -> Any:
    from eliza_client.testing import LocalSessionsServer

    # The rate limit is the real one: a scenario costs about 30 requests of its 1000.
    return LocalSessionsServer(api_key="consumer-matrix-" + uuid.uuid4().hex[:12])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this consumer (repeatable)")
    parser.add_argument("--phase", choices=("all", "prepare", "run"), default="all")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help=f"scratch folder (default {DEFAULT_WORK})")
    parser.add_argument("--base-url", help="run the scenarios against this server instead of a local one")
    parser.add_argument("--api-key", help="its X-API-KEY (required with --base-url)")
    parser.add_argument("--agent-id", help="an agent it has (required with --base-url)")
    parser.add_argument("--server-version", help="generate from this release's document (scripts/spec/releases.py)")
    parser.add_argument("--report", type=Path, default=ROOT / "reports" / "consumers.md")
    args = parser.parse_args(argv)
    if args.base_url and not (args.api_key and args.agent_id):
        parser.error("--base-url needs --api-key and --agent-id (the scenario checks the 401 without the key)")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    consumers = discover(args.only)
    env = base_env(work)
    documents = write_documents(work, args.server_version)

    results: list[Result] = []
    state_file = work / "prepared.json"
    if args.phase == "run":
        prepared = json.loads(state_file.read_text()) if state_file.is_file() else {}
        for consumer in consumers:
            result = Result(consumer)
            if prepared.get(consumer.name) != "ok":
                result.failed_command = "prepare (not done: run --phase prepare first)"
            results.append(result)
    else:
        results = [prepare(consumer, work, documents, env) for consumer in consumers]
        state = {r.consumer.name: _prepared_state(r) for r in results}
        state_file.write_text(json.dumps(state, indent=2))

    if args.phase != "prepare":
        server = None
        if args.base_url:
            target = {
                "ELIZA_BASE_URL": args.base_url.rstrip("/"),
                "ELIZA_API_KEY": args.api_key,
                "ELIZA_AGENT_ID": args.agent_id,
            }
            label = f"`{args.base_url}`"
        else:
            server = _local_server()
            server.start()
            target = {
                "ELIZA_BASE_URL": server.base_url.rstrip("/"),
                "ELIZA_API_KEY": server.api_key,
                "ELIZA_AGENT_ID": server.agent_id,
            }
            label = "the project's local sessions server"
        try:
            for result in results:
                target["ELIZA_USER_ID"] = str(uuid.uuid4())
                run_scenario(result, work, env, target)
        finally:
            if server is not None:
                server.stop()
        report = render(results, label)
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(report, encoding="utf-8")
        print("\n" + report, flush=True)
    else:
        for result in results:
            print(f"consumers: {result.consumer.name}: prepare {_prepared_state(result)}", flush=True)
            if result.failure_output:
                print(result.failure_output, flush=True)

    if any(result.missing_tools for result in results):
        return 3
    if args.phase == "prepare":
        return 0 if all(result.failed_command is None for result in results) else 1
    return 0 if all(result.ok for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
