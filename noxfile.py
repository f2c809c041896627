"""Project commands: tests, lint, typecheck, code generation and spec checks.

Run `nox -l` for the list. Every tool is pinned here or in pyproject.toml so that a fresh machine and CI
produce the same results (generated code included, byte for byte).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nox

ROOT = Path(__file__).parent
SPEC = ROOT / "openapi.yaml"
CODEGEN = ROOT / "scripts" / "codegen"
PACKAGE = "eliza_sessions_api"

# The generator and the ruff its post-hooks run; both change the output, so both are pinned exactly.
GENERATOR = ("openapi-python-client==0.29.1", "ruff==0.17.6")
# npm tools for spec_lint, pinned exactly.
NPM_TOOLS = ("@redocly/cli@2.77.0", "@stoplight/spectral-cli@6.16.3")

#: The releases before 1.7.2 (and 1.7.3-alpha.4) the integration suite also runs against, as the local server.
OLDER_RELEASES = ("1.6.5", "1.7.0", "1.7.3-alpha.4")

nox.options.sessions = ["tests", "lint", "typecheck", "check_generated", "spec_lint"]
nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate generated/eliza_sessions_api from openapi.yaml."""
    session.install(*GENERATOR)
    session.run("python", "scripts/codegen/generate.py")


@nox.session
def check_generated(session: nox.Session) -> None:
    """Fail with a readable diff when generated/ does not match what openapi.yaml and the templates produce."""
    session.install(*GENERATOR)
    session.run("python", "scripts/codegen/generate.py", "--check")


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite (everything but the real-server conformance suites)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-m", "not real_server", *session.posargs)
    if not session.posargs:
        # The integration suite once more against the local server as each older release (no Node needed).
        for release in OLDER_RELEASES:
            session.run("pytest", "-q", "tests/integration", env={"ELIZA_LOCAL_SERVER_VERSION": release})


@nox.session(python="3.11")
def tests_floors(session: nox.Session) -> None:
    """The whole test suite with every runtime dependency at the lowest version pyproject.toml allows.

    The floors are read from pyproject.toml (one source) and pinned exactly, so a floor that is too low fails here
    instead of on a user's machine. Runs on the lowest supported Python, 3.11 (nox fails if it is missing).
    """
    constraints = Path(session.create_tmp()) / "floors.txt"
    constraints.write_text("".join(f"{pin}\n" for pin in _floor_pins()))
    session.install("-c", str(constraints), "-e", ".[test]")
    session.run("python", "-m", "pip", "freeze", "--exclude-editable", silent=False)
    session.run("pytest", "-m", "not real_server", *session.posargs)


def _floor_pins() -> list[str]:
    """``name==floor`` for every runtime dependency of pyproject.toml (each must declare a ``>=`` floor)."""
    import re
    import tomllib

    pins = []
    for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+).*", requirement)
        if match is None:
            raise ValueError(f"runtime dependency without a >= floor: {requirement!r}")
        pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins


@nox.session
def package(session: nox.Session) -> None:
    """Build the sdist and the wheel into dist/, check them with twine, then rebuild, regenerate and test from the
    unpacked sdist alone."""
    session.install("build==1.6.1", "twine==7.0.0", *GENERATOR)
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist), str(ROOT))
    session.run("python", "-m", "twine", "check", "--strict", *(str(p) for p in sorted(dist.iterdir())))
    (sdist,) = dist.glob("*.tar.gz")
    # Unpacked outside the checkout: inside it, the repository's .gitignore (.nox/) would hide the generator's
    # output from ruff, and the tests could fall back on files the sdist lacks.
    with tempfile.TemporaryDirectory(prefix="eliza-client-sdist-") as tmp:
        unpacked = Path(tmp)
        session.run("tar", "-xzf", str(sdist), "-C", str(unpacked), external=True)
        (source,) = unpacked.iterdir()
        with session.chdir(source):
            session.run("python", "-m", "build", "--wheel", "--outdir", str(unpacked / "wheel"), ".")
            session.run("python", "scripts/codegen/generate.py", "--check")
            session.install(f"{source}[test]")
            session.run("pytest", "-m", "not real_server", "-p", "no:cacheprovider", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """The demo: an embedded local server unless --base-url/--agent-id (or ELIZA_* variables) name a real one."""
    session.install("-e", ".")
    session.run("python", "scripts/demo.py", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on the hand-written code."""
    session.install("ruff==0.17.6")
    paths = ["eliza_client", "tests", "scripts", "examples", "noxfile.py"]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on eliza_client/ and the generated package."""
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict", "-p", "eliza_client", "-p", PACKAGE, "-p", "_eliza_client_pytest")


@nox.session
def browser(session: nox.Session) -> None:
    """The Django example's chat page in headless Chromium, against the dev server and the local sessions server.

    Chromium is the system's (Debian: `apt-get install -y chromium`, /usr/bin/chromium; or ELIZA_CHROMIUM), driven
    by the pinned Playwright package; Playwright's own browser downloads are never used, and a missing Chromium
    fails the session (no test skips here). Saves reports/browser/chat-page.png (and a screenshot of any failed
    test). The main suite (`nox -s tests`) does not collect tests/browser.
    """
    session.install("-e", ".[test,browser]")
    session.run("pytest", "tests/browser", "-p", "no:cacheprovider", *session.posargs, env={"ELIZA_BROWSER_TESTS": "1"})


@nox.session
def spec_lint(session: nox.Session) -> None:
    """Validate openapi.yaml and lint it with Redocly `recommended` and Spectral `spectral:oas`.

    That other teams' generators can consume it is `nox -s consumers`.
    """
    session.install("openapi-spec-validator==0.9.0")
    session.run("openapi-spec-validator", "--subschema-errors", "all", str(SPEC))
    tools = _npm_tools(session)
    bin_dir = tools / "node_modules" / ".bin"
    # No telemetry and no update check: the lint must work (and stay silent) offline.
    offline = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
    session.run(
        str(bin_dir / "redocly"),
        "lint",
        "--config",
        str(CODEGEN / "redocly.yaml"),
        "--format",
        "stylish",
        str(SPEC),
        external=True,
        env=offline,
    )
    session.run(
        str(bin_dir / "spectral"),
        "lint",
        "--ruleset",
        str(CODEGEN / "spectral.yaml"),
        "--fail-severity",
        "warn",
        str(SPEC),
        external=True,
    )


def _npm_tools(session: nox.Session) -> Path:
    """Install the pinned npm tools once into a cache directory (offline-safe afterwards)."""
    if shutil.which("npm") is None:
        session.error("spec_lint needs Node.js and npm on PATH")
    tools = ROOT / ".nox" / "_npm_tools"
    marker = tools / ".installed"
    wanted = " ".join(NPM_TOOLS)
    if not marker.exists() or marker.read_text() != wanted:
        tools.mkdir(parents=True, exist_ok=True)
        (tools / "package.json").write_text('{"private": true}\n')
        session.run(
            "npm",
            "install",
            "--prefix",
            str(tools),
            "--no-audit",
            "--no-fund",
            "--silent",
            *NPM_TOOLS,
            external=True,
        )
        marker.write_text(wanted)
    return tools


@nox.session
def consumers(session: nox.Session) -> None:
    """The consumer matrix: clients generated from openapi.yaml by other teams' generators, built and run.

    openapi-typescript + openapi-fetch, @hey-api/openapi-ts, orval, openapi-generator (typescript-fetch, python,
    go, java) and oapi-codegen, each pinned under scripts/consumers/<name>/, generate from the generator-facing
    document (scripts/spec/for_generators.py), compile strictly and run the scenario of
    scripts/consumers/SCENARIO.md against the local sessions server; the report is reports/consumers.md.
    `-- --only NAME` runs one. Needs Node.js with npm, Go, Java and Maven: a missing tool fails the session.
    """
    session.install("-e", ".[test]")
    session.run("python", "scripts/consumers/matrix.py", *session.posargs)


@nox.session
def conformance(session: nox.Session) -> None:
    """The facade, the spec and the local server against the real @elizaos/server 1.7.2, offline.

    `nox -s conformance -- --server-version X` runs against another release (1.6.5, 1.7.0, 1.7.3-alpha.4 are
    pinned): a focused set of suites (sessions, sending, paging, errors, the differential scenario), report in
    reports/conformance-X.md.

    Needs root (a loopback-only network namespace), Node.js 20+ and npm; the npm packages are cached. Each
    suite runs against fresh servers; the report goes to reports/conformance.md (see
    scripts/real_server/conformance.py).
    """
    session.install("-e", ".[test]")
    session.run("python", "scripts/real_server/conformance.py", *session.posargs)


@nox.session
def drift(session: nox.Session) -> None:
    """How a published @elizaos/server release differs from openapi.yaml: `nox -s drift -- --server-version 1.7.0`.

    Installs the release through the harness (pinned under scripts/real_server/releases/, or any other published
    version, resolved now), replays the capture scenario against it in the loopback-only namespace and prints a
    per-route report of every answer the spec does not allow; `--against FILE` validates against another spec.
    Exit code 1 when anything differs. Needs root, Node.js 20+ and npm (see scripts/real_server/drift.py).
    """
    session.install("-e", ".[test]")
    session.run("python", "scripts/real_server/drift.py", *session.posargs)
