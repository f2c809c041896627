#!/usr/bin/env python3
"""``nox -s drift -- --server-version X``: how far a published ``@elizaos/server`` release is from the spec.

Steps (a failing step is named, loudly, and the exit code is non-zero):

1. ``preflight`` / ``install`` - through the harness: Node.js >= 20, npm, unshare, ip, root; the release's packages
   (pinned under ``releases/<X>/``, or, for any other published release, a lockfile resolved into the cache now).
2. ``capture`` - the capture scenario (``capture.py``: every Sessions API route, error and transport) replayed
   against the release inside the harness's loopback-only namespace (main, keyed and streaming servers).
   ``--capture FILE`` skips this step and checks an existing capture instead.
3. ``validate`` - every answer on a Sessions API route checked against the spec (``openapi.yaml``, or
   ``--against FILE``) by the validator of ``tests/spec/test_captures_conform.py`` (statuses, documented headers,
   content types, JSON bodies and SSE events against their schemas).
4. ``report`` - per route (operation): which exchanges differ, with their status and each violation (field path,
   what the schema wanted); then, for information, how statuses and top-level fields differ from the reference
   1.7.2 capture (``captures/1.7.2.json``). Exit code 1 when any answer violates the spec, 0 when none does.

Example::

    nox -s drift -- --server-version 1.7.0
    python scripts/real_server/drift.py --server-version 1.6.5 --against my-1.6.5-spec.yaml
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VALIDATOR_MODULE = ROOT / "tests" / "spec" / "test_captures_conform.py"
REFERENCE_CAPTURE = HERE / "captures" / "1.7.2.json"
SESSION_ENV = ["--env", "SESSION_MIN_TIMEOUT_MINUTES=1", "--env", "SESSION_CLEANUP_INTERVAL_MINUTES=60"]

sys.path.insert(0, str(HERE))

import harness  # noqa: E402  (the sibling module; this script runs as a file)


class DriftError(Exception):
    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"[{step}] {message}")
        self.step = step
        self.message = message


def load_validator(spec: Path) -> ModuleType:
    """The capture validator of the spec tests, pointed at ``spec``."""
    for module in ("jsonschema_rs", "yaml", "pytest"):
        if importlib.util.find_spec(module) is None:
            raise DriftError("validate", f"python module '{module}' is missing (install the project's [test] extra)")
    if not spec.is_file():
        raise DriftError("validate", f"spec not found: {spec}")
    loader = importlib.util.spec_from_file_location("_drift_capture_validator", VALIDATOR_MODULE)
    if loader is None or loader.loader is None:
        raise DriftError("validate", f"cannot load the validator from {VALIDATOR_MODULE}")
    module = importlib.util.module_from_spec(loader)
    sys.modules[loader.name] = module  # dataclasses look their module up there
    loader.loader.exec_module(module)
    for name in ("violations", "find_operation", "in_sessions_api", "Exchange", "NOT_OPERATIONS", "set_document"):
        if not hasattr(module, name):
            raise DriftError("validate", f"{VALIDATOR_MODULE} no longer defines {name}: update drift.py")
    module.SPEC_PATH = spec
    module.set_document(None)  # read SPEC_PATH afresh
    return module


def run_capture(version: str, out: Path, expiry: bool, log_dir: Path) -> dict[str, Any]:
    """Replay the capture scenario against the release inside the harness; returns the harness report."""
    report_file = log_dir / "harness-report.json"
    command = [
        sys.executable,
        str(HERE / "harness.py"),
        "run",
        "--server-version",
        version,
        *([] if (harness.RELEASES_DIR / version).is_dir() else ["--unpinned"]),
        "--keyed-instance",
        "--stream-instance",
        *SESSION_ENV,
        "--log-dir",
        str(log_dir / "logs"),
        "--report",
        str(report_file),
        "--",
        sys.executable,
        str(HERE / "capture.py"),
        "--out",
        str(out),
        *([] if expiry else ["--no-expiry"]),
    ]
    print(f"drift: capture: {' '.join(command)}", file=sys.stderr, flush=True)
    # capture.py logs every exchange on stderr: keep that in a file, show the harness's own lines.
    capture_log = log_dir / "capture.log"
    with capture_log.open("w") as log:
        proc = subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=log)
    output = capture_log.read_text(errors="replace").splitlines()
    for line in output:
        if line.startswith("harness:"):
            print(line, file=sys.stderr, flush=True)
    report: dict[str, Any] = json.loads(report_file.read_text()) if report_file.is_file() else {}
    if proc.returncode != 0 or not out.is_file():
        tail = "\n".join(output[-30:])
        raise DriftError(
            "capture",
            f"the harness/capture run ended with exit code {proc.returncode} "
            f"(failed step: {report.get('failed_step')}; {report.get('error')}); output tail:\n{tail}",
        )
    return report


def _exchanges(validator: ModuleType, capture: dict[str, Any], name: str) -> list[Any]:
    found = []
    for index, raw in enumerate(capture["exchanges"]):
        request, response = raw["request"], raw["response"]
        found.append(
            validator.Exchange(
                key=f"{name}#{index}:{raw['id']}",
                id=raw["id"],
                method=request["method"].upper(),
                path=request["path"],
                status=response["status"],
                headers=tuple((k, v) for k, v in response["headers"]),
                body=response["body"] or "",
            )
        )
    return found


def _route(validator: ModuleType, exchange: Any) -> str:
    operation = validator.find_operation(exchange.method, exchange.path)
    if operation is None:
        return f"{exchange.method} {exchange.path} (no operation)"
    return f"{operation.method.upper()} {operation.template} ({operation.operation_id})"


def _top_fields(body: str) -> list[str] | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return sorted(parsed) if isinstance(parsed, dict) else None


def validate(validator: ModuleType, capture: dict[str, Any]) -> tuple[dict[str, list[tuple[Any, list[str]]]], int, int]:
    """Per route: the exchanges that violate the spec, with the violations; and how many were checked/skipped."""
    by_route: dict[str, list[tuple[Any, list[str]]]] = defaultdict(list)
    checked = skipped = 0
    for exchange in _exchanges(validator, capture, "capture"):
        if not validator.in_sessions_api(exchange) or exchange.id in validator.NOT_OPERATIONS:
            skipped += 1
            continue
        checked += 1
        found = validator.violations(exchange)
        if found:
            by_route[_route(validator, exchange)].append((exchange, found))
    return dict(by_route), checked, skipped


def reference_diff(capture: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    """Status and top-level field differences against the reference capture, exchange by exchange id."""
    ref = {e["id"]: e["response"] for e in reference["exchanges"]}
    lines: list[str] = []
    for raw in capture["exchanges"]:
        theirs = ref.get(raw["id"])
        if theirs is None:
            continue
        mine = raw["response"]
        notes = []
        if mine["status"] != theirs["status"]:
            notes.append(f"status {theirs['status']} -> {mine['status']}")
        mine_fields, their_fields = _top_fields(mine["body"] or ""), _top_fields(theirs["body"] or "")
        if mine_fields is not None and their_fields is not None and mine_fields != their_fields:
            gone = sorted(set(their_fields) - set(mine_fields))
            new = sorted(set(mine_fields) - set(their_fields))
            notes.append(f"fields {'-' + str(gone) if gone else ''}{' +' + str(new) if new else ''}".rstrip())
        elif (mine_fields is None) != (their_fields is None):
            kinds = (
                ("JSON object" if their_fields is not None else "not a JSON object"),
                ("JSON object" if mine_fields is not None else "not a JSON object"),
            )
            notes.append(f"body {kinds[0]} -> {kinds[1]}")
        if notes:
            lines.append(f"{raw['id']}: {'; '.join(notes)}")
    return lines


def render(
    version: str,
    against: str,
    by_route: dict[str, list[tuple[Any, list[str]]]],
    checked: int,
    skipped: int,
    ref_lines: list[str] | None,
    reference_version: str,
) -> str:
    bad = sum(len(items) for items in by_route.values())
    lines = [
        f"# Drift: @elizaos/server {version} against {against}",
        "",
        f"{checked} Sessions API answers checked ({skipped} outside the API or not operations, skipped); "
        f"{bad} violate the spec, on {len(by_route)} route(s).",
        "",
    ]
    for route in sorted(by_route):
        items = by_route[route]
        lines += [f"## {route}: {len(items)} answer(s) differ", ""]
        # Answers that break the spec the same way are listed together.
        groups: dict[tuple[str, ...], list[Any]] = defaultdict(list)
        for exchange, found in items:
            groups[tuple(found)].append(exchange)
        for found, exchanges in sorted(groups.items(), key=lambda group: -len(group[1])):
            statuses = sorted({e.status for e in exchanges})
            ids = ", ".join(f"`{e.id}`" for e in exchanges)
            lines.append(f"- {len(exchanges)} answer(s), status {'/'.join(map(str, statuses))}: {ids}")
            lines += [f"    - {violation}" for violation in found[:12]]
            if len(found) > 12:
                lines.append(f"    - … and {len(found) - 12} more")
        lines.append("")
    if not by_route:
        lines += ["No differences: every answer conforms.", ""]
    if ref_lines is not None:
        lines += [
            f"## For information: statuses and top-level fields vs the {reference_version} capture",
            "",
            *([f"- {line}" for line in ref_lines] or ["- none"]),
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-version", default=harness.DEFAULT_SERVER_VERSION)
    parser.add_argument("--against", default=str(ROOT / "openapi.yaml"), help="the spec to validate against")
    parser.add_argument(
        "--against-release",
        default=None,
        metavar="X",
        help="validate against release X's document (openapi.yaml with X's x-eliza-releases overlay applied)",
    )
    parser.add_argument("--capture", default=None, help="check this capture file instead of recording one")
    parser.add_argument("--keep-capture", default=None, help="also write the recorded capture here")
    parser.add_argument("--with-expiry", action="store_true", help="include the ~62 s expiry scenario")
    parser.add_argument("--report", default=None, help="also write the report (markdown) here")
    parser.add_argument("--no-reference", action="store_true", help="skip the comparison with captures/1.7.2.json")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        spec = Path(args.against).resolve()
        validator = load_validator(spec)
        against = spec.name
        if args.against_release:
            try:
                validator.set_document(validator.release_document(args.against_release))
            except ValueError as exc:  # an unknown release, or an overlay that cannot be applied
                raise DriftError("spec", str(exc)) from exc
            against = f"the {args.against_release} document (openapi.yaml + its x-eliza-releases overlay)"
        with tempfile.TemporaryDirectory(prefix="eliza-drift-") as tmp:
            if args.capture:
                capture_path = Path(args.capture)
                if not capture_path.is_file():
                    raise DriftError("capture", f"capture file not found: {capture_path}")
            else:
                try:
                    harness.preflight()
                except harness.HarnessError as exc:
                    raise DriftError("preflight", exc.message) from exc
                capture_path = Path(args.keep_capture or Path(tmp) / f"{args.server_version}.json")
                run_capture(args.server_version, capture_path, args.with_expiry, Path(tmp))
            capture = json.loads(capture_path.read_text())
        by_route, checked, skipped = validate(validator, capture)
        ref_lines = None
        reference_version = "1.7.2"
        if not args.no_reference and REFERENCE_CAPTURE.is_file():
            reference = json.loads(REFERENCE_CAPTURE.read_text())
            reference_version = str(reference.get("version", reference_version))
            ref_lines = reference_diff(capture, reference)
    except DriftError as exc:
        print(f"drift: FAILED at step '{exc.step}': {exc.message}", file=sys.stderr, flush=True)
        return 2
    version = str(capture.get("version") or args.server_version)
    text = render(version, against, by_route, checked, skipped, ref_lines, reference_version)
    print(text)
    if args.report:
        Path(args.report).write_text(text)
    print(f"drift: {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 1 if by_route else 0


if __name__ == "__main__":
    sys.exit(main())
