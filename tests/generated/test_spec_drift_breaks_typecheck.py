"""A change to openapi.yaml that the facade does not follow must break the type check, not the users.

Each case copies openapi.yaml, applies one precise mutation, regenerates the client into a temporary directory with
`generate_into` (the same code as `nox -s generate`) and runs the project's type check (noxfile.py's typecheck
session: mypy --strict on eliza_client, the generated package and the pytest plugin, with pyproject.toml's
[tool.mypy] options) with the regenerated package in place of the checked-in one. A renamed query parameter or a
renamed property must make mypy report the old Python name in a facade file. The control case regenerates the
unmutated spec the same way and must type-check, so a failure comes from the mutation and not from the harness; mypy's
own log proves which files it read (the regenerated package, the worktree's eliza_client).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from ._codegen import load_codegen

ROOT = Path(__file__).resolve().parents[2]
MYPY_TIMEOUT = 300  # seconds, for each mypy run (a fresh cache: about 2-3 s here)

# noxfile.py's typecheck session, which this test mirrors (the guard below fails if it changes).
NOX_TYPECHECK = 'session.run("mypy", "--strict", "-p", "eliza_client", "-p", PACKAGE, "-p", "_eliza_client_pytest")'
TYPECHECK_ARGS = ("--strict", "-p", "eliza_client", "-p", "eliza_sessions_api", "-p", "_eliza_client_pytest")


@dataclass(frozen=True)
class Mutation:
    """Text edits to openapi.yaml, each applied exactly once inside one section of the document."""

    section: tuple[str, str]  # the section runs from the first marker to the second
    edits: tuple[tuple[str, str], ...]  # (old, new): `old` occurs exactly once in the document, inside the section
    generated_file: str  # a regenerated file that must show the mutation...
    generated_now: str  # ...by containing this
    generated_before: str  # ...and no longer containing this
    old_python_name: str  # what the facade's type check must complain about


MUTATIONS = {
    "list_messages-limit-renamed-pageLimit": Mutation(
        section=("      operationId: list_messages\n", "\n  /api/messaging/sessions/{sessionId}/renew:\n"),
        edits=(("        - name: limit\n          in: query\n", "        - name: pageLimit\n          in: query\n"),),
        generated_file="api/sessions/list_messages.py",
        generated_now="    page_limit: int | Unset = 50,\n",
        generated_before="    limit: int | Unset = 50,\n",
        old_python_name="limit",
    ),
    "Session-lastActivity-renamed-lastSeen": Mutation(
        section=("\n    Session:\n", "\n    SessionStats:\n"),
        edits=(
            ("        - createdAt\n        - lastActivity\n", "        - createdAt\n        - lastSeen\n"),
            (
                "        lastActivity:\n          type: string\n          format: date-time\n",
                "        lastSeen:\n          type: string\n          format: date-time\n",
            ),
        ),
        generated_file="models/session.py",
        generated_now="    last_seen: datetime.datetime\n",
        generated_before="    last_activity: datetime.datetime\n",
        old_python_name="last_activity",
    ),
}


def _mutate(text: str, mutation: Mutation) -> str:
    first, second = mutation.section
    assert text.count(first) == 1, f"section start not found exactly once: {first!r}"
    start = text.index(first)
    assert second in text[start:], f"section end not found after its start: {second!r}"
    end = text.index(second, start)
    section = text[start:end]
    for old, new in mutation.edits:
        assert text.count(old) == 1, f"expected exactly once in openapi.yaml: {old!r}"
        assert section.count(old) == 1, f"expected inside the section {first!r}: {old!r}"
        section = section.replace(old, new)
    return text[:start] + section + text[end:]


def _ini_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ",".join(value)
    raise AssertionError(f"pyproject.toml [tool.mypy] has an option this test cannot copy: {value!r}")


def _mypy_config(tmp_path: Path, generated_root: Path) -> Path:
    """pyproject.toml's [tool.mypy] with `generated` in mypy_path replaced by `generated_root` (paths absolute)."""
    options = dict(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"])
    overrides = options.pop("overrides", [])
    paths = options["mypy_path"].split(":")
    assert "generated" in paths, options["mypy_path"]
    options["mypy_path"] = ":".join(str(generated_root) if p == "generated" else str(ROOT / p) for p in paths)
    options.pop("packages", None)  # the command line names them, as the nox session does
    config = tmp_path / "mypy.ini"
    text = "[mypy]\n" + "".join(f"{key} = {_ini_value(value)}\n" for key, value in options.items())
    for override in overrides:  # pyproject's [[tool.mypy.overrides]] are mypy.ini's [mypy-MODULE] sections
        settings = dict(override)
        modules = settings.pop("module")
        for module in [modules] if isinstance(modules, str) else modules:
            text += f"[mypy-{module}]\n" + "".join(f"{k} = {_ini_value(v)}\n" for k, v in settings.items())
    config.write_text(text)
    return config


def _typecheck(tmp_path: Path, package_dir: Path) -> subprocess.CompletedProcess[str]:
    """The project's type check with `package_dir` as eliza_sessions_api, from the worktree root, fresh cache."""
    config = _mypy_config(tmp_path, package_dir.parent)
    command = [sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir", str(tmp_path / "cache")]
    command += ["--verbose", *TYPECHECK_ARGS]  # the log (stderr) names every file mypy parses
    env = {name: value for name, value in os.environ.items() if name != "MYPYPATH"}
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=MYPY_TIMEOUT, check=False
    )
    print(f"mypy exited {result.returncode} after {time.monotonic() - started:.1f} s:\n{result.stdout}")
    _assert_read_the_right_files(result.stderr, package_dir)
    return result


def _not_log(stderr: str) -> str:
    """mypy's stderr without its --verbose log (what is left is a crash or a usage error, if any)."""
    return "".join(line for line in stderr.splitlines(keepends=True) if not line.startswith("LOG:"))


def _assert_read_the_right_files(log: str, package_dir: Path) -> None:
    parsed = {module: Path(path).resolve() for path, module in re.findall(r"^LOG:  Parsing (.+) \((\S+)\)$", log, re.M)}
    generated = {module: path for module, path in parsed.items() if module.split(".")[0] == "eliza_sessions_api"}
    facade = {module: path for module, path in parsed.items() if module.split(".")[0] == "eliza_client"}
    assert "eliza_sessions_api.models.session" in generated, "mypy did not read the generated package"
    assert "eliza_client._sessions" in facade, "mypy did not read the facade"
    elsewhere = {m: p for m, p in generated.items() if not p.is_relative_to(package_dir.resolve())}
    assert not elsewhere, f"mypy read generated modules from outside the regenerated package: {elsewhere}"
    outside = {m: p for m, p in facade.items() if not p.is_relative_to(ROOT / "eliza_client")}
    assert not outside, f"mypy read the facade from outside this worktree: {outside}"


def test_the_harness_runs_the_projects_type_check() -> None:
    assert NOX_TYPECHECK in (ROOT / "noxfile.py").read_text(), "noxfile.py's typecheck changed: update this test"


def test_the_unmutated_spec_regenerated_the_same_way_type_checks(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text((ROOT / "openapi.yaml").read_text())
    package_dir = load_codegen().generate_into(tmp_path / "generated", spec=spec)
    result = _typecheck(tmp_path, package_dir)
    returncode = result.returncode  # not the CompletedProcess in the failure report: its stderr is the whole log
    assert returncode == 0, result.stdout + _not_log(result.stderr)
    assert "Success: no issues found" in result.stdout


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_spec_drift_breaks_the_facade_type_check(tmp_path: Path, name: str) -> None:
    mutation = MUTATIONS[name]
    spec = tmp_path / "openapi.yaml"
    spec.write_text(_mutate((ROOT / "openapi.yaml").read_text(), mutation))
    package_dir = load_codegen().generate_into(tmp_path / "generated", spec=spec)
    regenerated = (package_dir / mutation.generated_file).read_text()
    assert mutation.generated_now in regenerated, "the mutation did not reach the generated code"
    assert mutation.generated_before not in regenerated, "the mutation did not reach the generated code"

    result = _typecheck(tmp_path, package_dir)
    returncode = result.returncode
    # 1: type errors were found (2 would be a crash or a usage error, which proves nothing).
    assert returncode == 1, (
        f"mypy exited {returncode}: the facade still type-checks after {name}\n{result.stdout}{_not_log(result.stderr)}"
    )
    old = re.escape(mutation.old_python_name)
    facade_errors = re.findall(rf"^eliza_client/\S+\.py:\d+: error: .*\b{old}\b.*$", result.stdout, re.M)
    assert facade_errors, f"no facade error names {mutation.old_python_name!r}:\n{result.stdout}"
