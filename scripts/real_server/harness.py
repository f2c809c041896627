#!/usr/bin/env python3
"""Run commands against a real ``@elizaos/server`` release, offline, in a loopback-only network namespace.

``--server-version X`` picks the release (default 1.7.2). Each supported release has its pinned
``releases/<X>/package.json`` and ``package-lock.json`` (exact versions of ``@elizaos/server``, ``core``,
``plugin-sql`` and ``plugin-bootstrap``); ``--unpinned`` allows any other published release, whose lockfile is
then generated into the cache (``npm install --package-lock-only``) and reported as unpinned.

Steps (each failure names its step and exits non-zero):

1. ``preflight`` -- ``node`` (>= 20), ``npm``, ``unshare``, ``ip`` exist; we are root (``unshare --net``).
2. ``install`` -- ``npm ci --ignore-scripts`` of the release's pinned ``package.json``/``package-lock.json``
   into a cache directory (``$ELIZA_REAL_SERVER_CACHE/<X>`` or ``~/.cache/eliza-client/real-server-<X>``), one
   sub-directory per lockfile hash, reused when present. The only step that uses the network (npm registry).
   ``patch`` -- then (on every run, idempotently) the known fixes of broken published bundles are applied to the
   installed packages (see ``PATCHES``: 1.7.3-alpha.4's bundle imports ``bcrypt`` by its build machine's absolute
   path); each is logged and listed in the report's ``patches``.
3. ``netns`` -- re-executes itself under ``unshare --net`` and brings ``lo`` up; refuses to go on if any
   interface other than ``lo`` is visible. Signals to the harness are forwarded; every child gets
   ``PR_SET_PDEATHSIG`` so nothing outlives it.
4. ``start`` -- checks the port is free, starts ``start.mjs`` with a dead loopback ``SENTRY_DSN``,
   ``SERVER_HOST=127.0.0.1``, ``CENTRAL_MESSAGE_SERVER_URL`` on loopback and a fresh PGlite directory,
   waits for its ready line and for ``/api/messaging/sessions/health`` to answer; on timeout it shows the
   log tail.
5. ``run`` -- runs the command inside the same namespace with ``ELIZA_REAL_BASE_URL``,
   ``ELIZA_REAL_AGENT_ID`` and (when a key is set) ``ELIZA_REAL_API_KEY``. With ``--keyed-instance`` a
   second server with an API key runs beside the first: ``ELIZA_REAL_KEYED_BASE_URL``,
   ``ELIZA_REAL_KEYED_AGENT_ID``, ``ELIZA_REAL_KEYED_API_KEY``.
   With ``--stream-instance`` a third server (no key) whose fixed model streams its reply (SSE ``chunk``
   events): ``ELIZA_REAL_STREAM_BASE_URL``, ``ELIZA_REAL_STREAM_AGENT_ID``. Servers start in parallel.
   ``--env KEY=VALUE`` / ``--keyed-env KEY=VALUE`` pass settings such as ``SESSION_MIN_TIMEOUT_MINUTES=1`` or
   ``ELIZA_REAL_FIXED_MODEL_DELAY_MS=600`` to the servers.
6. ``stop`` -- SIGTERM (then SIGKILL) to the process groups of the servers it started, nothing else.

Wall times (install, start per instance, run, stop) are printed and, with ``--report FILE``, written as JSON.

Every ``run`` is a fresh namespace with fresh servers, so calling ``run`` once per test suite resets the
server's 1000-requests/15-minutes rate limit and its in-memory sessions.

Example::

    python scripts/real_server/harness.py run --api-key secret -- python -m pytest tests/conformance
    python scripts/real_server/harness.py run --server-version 1.7.0 -- python -m pytest tests/integration
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RELEASES_DIR = HERE / "releases"
START_MJS = HERE / "start.mjs"
DEFAULT_SERVER_VERSION = "1.7.2"
SUPPORTED_VERSIONS = ("1.6.5", "1.7.0", "1.7.2", "1.7.3-alpha.4")
ELIZA_PACKAGES = ("@elizaos/core", "@elizaos/plugin-bootstrap", "@elizaos/plugin-sql", "@elizaos/server")
DEAD_SENTRY_DSN = "http://00000000000000000000000000000000@127.0.0.1:9/0"
READY_MARKER = "ELIZA_REAL_READY "
DEFAULT_PORT = 3900
DEFAULT_KEYED_PORT = 3901
DEFAULT_STREAM_PORT = 3902
DEFAULT_START_TIMEOUT = 90.0
_PR_SET_PDEATHSIG = 1


class HarnessError(Exception):
    """A step of the harness failed; ``step`` names it."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"[{step}] {message}")
        self.step = step
        self.message = message


def _log(message: str) -> None:
    print(f"harness: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- preflight / install


def preflight() -> None:
    """Fail loudly when a tool the harness needs is missing."""
    for tool in ("node", "npm", "unshare", "ip"):
        if shutil.which(tool) is None:
            raise HarnessError("preflight", f"'{tool}' not found on PATH (Node.js 20+, npm, util-linux, iproute2)")
    out = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    version = out.stdout.strip().lstrip("v")
    try:
        major = int(version.split(".")[0])
    except ValueError as exc:
        raise HarnessError("preflight", f"cannot read the node version from {out.stdout!r}") from exc
    if major < 20:
        raise HarnessError("preflight", f"Node.js >= 20 is needed, found {version}")
    if os.geteuid() != 0:
        raise HarnessError("preflight", "must run as root (unshare --net needs CAP_SYS_ADMIN)")


@dataclass(frozen=True)
class Release:
    """One ``@elizaos/server`` release: where its pinned (or generated) package files are."""

    version: str
    package_json: Path
    package_lock: Path
    pinned: bool

    @property
    def lock_hash(self) -> str:
        digest = hashlib.sha256()
        digest.update(self.package_json.read_bytes())
        digest.update(self.package_lock.read_bytes())
        return digest.hexdigest()[:16]

    @property
    def install_dir(self) -> Path:
        return cache_root(self.version) / self.lock_hash


def _valid_version(version: str) -> str:
    # A version names directories and goes into npm specifiers: digits, dots, letters, '-', '+' only.
    if not version or not all(c.isalnum() or c in ".-+" for c in version) or version.startswith((".", "-")):
        raise HarnessError("config", f"not a release version: {version!r}")
    return version


def cache_root(version: str = DEFAULT_SERVER_VERSION) -> Path:
    env = os.environ.get("ELIZA_REAL_SERVER_CACHE")
    if env:
        return Path(env) / version
    return Path.home() / ".cache" / "eliza-client" / f"real-server-{version}"


def release_package_json(version: str) -> str:
    deps = ",\n".join(f'    "{name}": "{version}"' for name in ELIZA_PACKAGES)
    return (
        "{\n"
        '  "name": "eliza-client-real-server",\n'
        '  "version": "0.0.0",\n'
        '  "private": true,\n'
        f'  "description": "Pinned @elizaos/server {version} used by eliza-client\'s conformance harness '
        '(started offline, loopback only).",\n'
        '  "type": "module",\n'
        '  "dependencies": {\n'
        f"{deps}\n"
        "  }\n"
        "}\n"
    )


def release(version: str = DEFAULT_SERVER_VERSION, *, unpinned: bool = False) -> Release:
    """The release's package files: pinned under ``releases/<version>/``, or (``unpinned``) generated into the cache.

    An unpinned release's lockfile is resolved once with ``npm install --package-lock-only --ignore-scripts`` (this
    uses the npm registry) and kept in the cache, so later runs install the same tree.
    """
    version = _valid_version(version)
    pinned_dir = RELEASES_DIR / version
    if (pinned_dir / "package.json").is_file() and (pinned_dir / "package-lock.json").is_file():
        return Release(version, pinned_dir / "package.json", pinned_dir / "package-lock.json", pinned=True)
    if not unpinned:
        known = sorted(p.name for p in RELEASES_DIR.iterdir() if (p / "package-lock.json").is_file())
        raise HarnessError(
            "config",
            f"no pinned package files for @elizaos/server {version} in {RELEASES_DIR} (pinned: {', '.join(known)}); "
            "pass --unpinned to resolve a lockfile for it now",
        )
    lock_dir = cache_root(version) / "unpinned-lock"
    package_json, package_lock = lock_dir / "package.json", lock_dir / "package-lock.json"
    if not package_lock.is_file():
        lock_dir.mkdir(parents=True, exist_ok=True)
        package_json.write_text(release_package_json(version))
        _log(f"resolving a lockfile for the unpinned @elizaos/server {version} (npm install --package-lock-only)")
        proc = subprocess.run(
            [
                "npm",
                "install",
                "--package-lock-only",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
            ],
            cwd=lock_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0 or not package_lock.is_file():
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
            shutil.rmtree(lock_dir, ignore_errors=True)
            raise HarnessError("install", f"cannot resolve @elizaos/server {version} (exit {proc.returncode}):\n{tail}")
    return Release(version, package_json, package_lock, pinned=False)


def install_dir(version: str = DEFAULT_SERVER_VERSION, *, unpinned: bool = False) -> Path:
    return release(version, unpinned=unpinned).install_dir


def _installed_versions(node_modules: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in ELIZA_PACKAGES:
        manifest = node_modules / name / "package.json"
        if manifest.is_file():
            out[name] = str(json.loads(manifest.read_text()).get("version"))
    return out


def ensure_installed(
    version: str = DEFAULT_SERVER_VERSION, *, unpinned: bool = False
) -> tuple[Path, float, bool, list[str]]:
    """Install the release's pinned packages into the cache if needed, then apply the known bundle fixes.

    Returns the ``node_modules`` path, the seconds spent, whether an install ran, and the patches (one line each,
    saying whether it was applied now or already in place).
    """
    rel = release(version, unpinned=unpinned)
    target = rel.install_dir
    marker = target / ".installed"
    node_modules = target / "node_modules"
    if marker.is_file() and (node_modules / "@elizaos" / "server" / "package.json").is_file():
        return node_modules, 0.0, False, apply_patches(rel.version, node_modules)
    started = time.monotonic()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        shutil.copy2(rel.package_json, staging / "package.json")
        shutil.copy2(rel.package_lock, staging / "package-lock.json")
        _log(f"installing @elizaos/server {rel.version} into {target} (npm ci)")
        # --ignore-scripts: no postinstall downloads (bun, esbuild binaries); the server runs on plain node.
        proc = subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=staging,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
            raise HarnessError("install", f"npm ci failed with exit code {proc.returncode}:\n{tail}")
        found = _installed_versions(staging / "node_modules")
        wrong = {name: v for name, v in found.items() if v != rel.version}
        if set(found) != set(ELIZA_PACKAGES) or wrong:
            raise HarnessError("install", f"installed @elizaos packages are not all {rel.version}: {found}")
        info = {"lock_hash": rel.lock_hash, "version": rel.version, "pinned": rel.pinned, "at": time.time()}
        (staging / ".installed").write_text(json.dumps(info) + "\n")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return node_modules, time.monotonic() - started, True, apply_patches(rel.version, node_modules)


# --------------------------------------------------------------------------- patch


@dataclass(frozen=True)
class BundlePatch:
    """Replace what a published bundle gets wrong: every match of ``pattern`` becomes ``replacement``.

    ``replacement`` must not match ``pattern`` (so applying twice changes nothing); finding neither the bad text nor
    the replacement fails the ``patch`` step (the bundle changed: look again).
    """

    name: str
    versions: tuple[str, ...]
    package: str
    pattern: re.Pattern[str]
    replacement: str
    why: str


PATCHES: tuple[BundlePatch, ...] = (
    BundlePatch(
        name="bcrypt-absolute-path",
        versions=("1.7.3-alpha.4",),
        package="@elizaos/server",
        # dist/index.js:2075 inlines bcrypt.js as
        # `var __dirname = "/home/runner/work/eliza/eliza/node_modules/bcrypt";`
        # and then loads the native binding with node-gyp-build(path.resolve(__dirname)): on any other machine the
        # import throws. The fix resolves the installed bcrypt package's directory (`__require` is the bundle's
        # createRequire(import.meta.url), so the plain specifier "bcrypt" resolves from the bundle's node_modules).
        pattern=re.compile(r"""(?P<q>["'])/[^"'\s]*/node_modules/bcrypt(?P=q)"""),
        replacement='__require("path").dirname(__require.resolve("bcrypt/package.json"))',
        why="the published bundle hard-codes the build machine's absolute path to bcrypt and crashes on import",
    ),
)


def apply_patches(version: str, node_modules: Path) -> list[str]:
    """Apply the release's bundle fixes (idempotent); returns one line per patch: what, where, applied or present."""
    done: list[str] = []
    for patch in PATCHES:
        if version not in patch.versions:
            continue
        dist = node_modules / patch.package / "dist"
        files = sorted(p for p in dist.rglob("*") if p.suffix in {".js", ".mjs", ".cjs"} and p.is_file())
        changed: list[str] = []
        already: list[str] = []
        for path in files:
            text = path.read_text(errors="surrogateescape")
            new, count = patch.pattern.subn(lambda _m, p=patch: p.replacement, text)
            if count:
                path.write_text(new, errors="surrogateescape")
                changed.append(f"{path.relative_to(node_modules)} ({count}x)")
            elif patch.replacement in text:
                already.append(str(path.relative_to(node_modules)))
        if changed:
            line = f"{patch.name}: applied now to {', '.join(changed)} ({patch.why})"
        elif already:
            line = f"{patch.name}: already applied in {', '.join(already)}"
        else:
            raise HarnessError("patch", f"{patch.name}: neither the bad text nor the fix found in {dist} ({patch.why})")
        _log(f"patch {line}")
        done.append(line)
    return done


# --------------------------------------------------------------------------- configuration


@dataclass
class InstanceSpec:
    name: str
    port: int
    api_key: str | None
    agent_name: str
    stream: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)


@dataclass
class RunConfig:
    command: list[str]
    node_modules: str
    instances: list[InstanceSpec]
    start_timeout: float
    log_dir: str
    keep_data: bool
    min_timeout_minutes: int | None
    server_version: str = DEFAULT_SERVER_VERSION


@dataclass
class InstanceResult:
    name: str
    port: int
    base_url: str
    agent_id: str
    api_key: str | None
    start_seconds: float
    log_file: str


@dataclass
class RunReport:
    server_version: str = DEFAULT_SERVER_VERSION
    pinned: bool = True
    install_dir: str = ""
    patches: list[str] = field(default_factory=list)
    install_seconds: float = 0.0
    installed_now: bool = False
    instances: list[InstanceResult] = field(default_factory=list)
    run_seconds: float = 0.0
    stop_seconds: float = 0.0
    total_seconds: float = 0.0
    exit_code: int = 0
    failed_step: str | None = None
    error: str | None = None


# --------------------------------------------------------------------------- inside the namespace


def _die_with_parent() -> None:
    """In a child, before exec: get SIGTERM when the process that started it dies."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _set_pdeathsig() -> None:
    """In a server child: own process group (so only it is signalled), and die with the harness."""
    os.setpgid(0, 0)
    _die_with_parent()


def _run_command(command: list[str], env: dict[str, str]) -> int:
    """Run the command (same process group, so a terminal's Ctrl-C reaches it); stop it if we are stopped."""
    try:
        proc = subprocess.Popen(
            command,
            env=env,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 -- the harness starts no threads
        )
    except FileNotFoundError as exc:
        raise HarnessError("run", f"command not found: {command[0]}") from exc
    try:
        return proc.wait()
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _bring_up_loopback() -> None:
    proc = subprocess.run(["ip", "link", "set", "lo", "up"], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise HarnessError("netns", f"'ip link set lo up' failed: {proc.stderr.strip()}")
    # if_nameindex() asks the kernel about the *current* namespace (/sys/class/net may show the host's).
    interfaces = sorted(name for _, name in socket.if_nameindex())
    if interfaces != ["lo"]:
        raise HarnessError("netns", f"namespace is not loopback-only, interfaces: {interfaces}")


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _health_ok(base_url: str, api_key: str | None) -> bool:
    req = urllib.request.Request(f"{base_url}/api/messaging/sessions/health")
    if api_key:
        req.add_header("X-API-KEY", api_key)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=2) as resp:
            return int(resp.status) == 200
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class _Running:
    spec: InstanceSpec
    proc: subprocess.Popen[bytes]
    log_file: Path
    data_dir: Path
    started: float


def _server_env(cfg: RunConfig, spec: InstanceSpec, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    # Never inherit a key or session settings from the caller by accident.
    for key in list(env):
        if key == "ELIZA_SERVER_AUTH_TOKEN" or key.startswith("SESSION_") or key.startswith("SENTRY_"):
            del env[key]
    env.update(
        {
            "SENTRY_DSN": DEAD_SENTRY_DSN,
            "SENTRY_TRACES_SAMPLE_RATE": "0",
            "SERVER_HOST": "127.0.0.1",
            "SERVER_PORT": str(spec.port),
            "CENTRAL_MESSAGE_SERVER_URL": f"http://127.0.0.1:{spec.port}",
            "ELIZA_UI_ENABLE": "false",
            "PGLITE_DATA_DIR": str(data_dir),
            "LOG_LEVEL": env.get("ELIZA_REAL_LOG_LEVEL", "info"),
            "ELIZA_REAL_NODE_MODULES": cfg.node_modules,
            "ELIZA_REAL_PORT": str(spec.port),
            "ELIZA_REAL_DATA_DIR": str(data_dir),
            "ELIZA_REAL_AGENT_NAME": spec.agent_name,
            "ELIZA_REAL_FIXED_MODEL_STREAM": "1" if spec.stream else "0",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    if cfg.min_timeout_minutes is not None:
        env["SESSION_MIN_TIMEOUT_MINUTES"] = str(cfg.min_timeout_minutes)
    if spec.api_key:
        env["ELIZA_SERVER_AUTH_TOKEN"] = spec.api_key
    env.update(spec.extra_env)
    return env


def _spawn_instance(cfg: RunConfig, spec: InstanceSpec) -> _Running:
    if not _port_free(spec.port):
        raise HarnessError("start", f"port {spec.port} is busy inside the namespace ({spec.name})")
    log_dir = Path(cfg.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"server-{spec.name}.log"
    data_dir = Path(tempfile.mkdtemp(prefix=f"eliza-real-{spec.name}-")) / "pglite"
    env = _server_env(cfg, spec, data_dir)
    started = time.monotonic()
    with log_file.open("wb") as log:
        proc = subprocess.Popen(
            ["node", str(START_MJS)],
            cwd=str(HERE),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_set_pdeathsig,  # noqa: PLW1509 -- the harness starts no threads
        )
    return _Running(spec, proc, log_file, data_dir, started)


def _ready_line(log_file: Path) -> dict[str, Any] | None:
    for line in log_file.read_text(errors="replace").splitlines():
        if line.startswith(READY_MARKER):
            ready: dict[str, Any] = json.loads(line[len(READY_MARKER) :])
            return ready
    return None


def _wait_ready(cfg: RunConfig, instances: Sequence[_Running]) -> list[InstanceResult]:
    """Wait until every spawned server printed its ready line and answers health (they start in parallel)."""
    results: dict[str, InstanceResult] = {}
    while len(results) < len(instances):
        for run in instances:
            spec = run.spec
            if spec.name in results:
                continue
            if run.proc.poll() is not None:
                raise HarnessError(
                    "start",
                    f"server '{spec.name}' exited with code {run.proc.returncode} before it was ready; "
                    f"log tail ({run.log_file}):\n{_tail(run.log_file)}",
                )
            if time.monotonic() - run.started > cfg.start_timeout:
                raise HarnessError(
                    "start",
                    f"server '{spec.name}' did not come up within {cfg.start_timeout:.0f} s on port "
                    f"{spec.port}; log tail ({run.log_file}):\n{_tail(run.log_file)}",
                )
            ready = _ready_line(run.log_file)
            base_url = f"http://127.0.0.1:{spec.port}"
            if ready is None or not _health_ok(base_url, spec.api_key):
                continue
            if int(ready["port"]) != spec.port:
                raise HarnessError("start", f"server '{spec.name}' bound port {ready['port']}, wanted {spec.port}")
            result = InstanceResult(
                name=spec.name,
                port=spec.port,
                base_url=base_url,
                agent_id=str(ready["agentIds"][0]),
                api_key=spec.api_key,
                start_seconds=round(time.monotonic() - run.started, 3),
                log_file=str(run.log_file),
            )
            results[spec.name] = result
            _log(f"server '{spec.name}' up on {base_url} in {result.start_seconds:.1f} s, agent {result.agent_id}")
        time.sleep(0.1)
    return [results[run.spec.name] for run in instances]


def _stop_instance(running: _Running, keep_data: bool) -> None:
    proc = running.proc
    if proc.poll() is None:
        # The server runs in its own process group (set in _set_pdeathsig): signal only that group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    if not keep_data:
        shutil.rmtree(running.data_dir.parent, ignore_errors=True)


def _command_env(results: Sequence[InstanceResult], server_version: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    for key in [k for k in env if k.startswith("ELIZA_REAL_")]:
        del env[key]
    main = results[0]
    env["ELIZA_REAL_BASE_URL"] = main.base_url
    env["ELIZA_REAL_AGENT_ID"] = main.agent_id
    env["ELIZA_REAL_SERVER_VERSION"] = server_version
    env["ELIZA_REAL_SERVER_LOG"] = main.log_file
    if main.api_key:
        env["ELIZA_REAL_API_KEY"] = main.api_key
    for extra in results[1:]:
        prefix = f"ELIZA_REAL_{extra.name.upper()}_"
        env[prefix + "BASE_URL"] = extra.base_url
        env[prefix + "AGENT_ID"] = extra.agent_id
        env[prefix + "SERVER_LOG"] = extra.log_file
        if extra.api_key:
            env[prefix + "API_KEY"] = extra.api_key
    return env


def run_inside(cfg: RunConfig) -> RunReport:
    """Runs in the loopback-only namespace: start servers, run the command, stop the servers."""
    report = RunReport(server_version=cfg.server_version)
    _bring_up_loopback()
    running: list[_Running] = []
    try:
        for spec in cfg.instances:
            running.append(_spawn_instance(cfg, spec))
        report.instances = _wait_ready(cfg, running)
        env = _command_env(report.instances, cfg.server_version)
        _log(f"run: {' '.join(cfg.command)}")
        started = time.monotonic()
        report.exit_code = _run_command(cfg.command, env)
        report.run_seconds = round(time.monotonic() - started, 3)
    finally:
        started = time.monotonic()
        for handle in reversed(running):
            _stop_instance(handle, cfg.keep_data)
        report.stop_seconds = round(time.monotonic() - started, 3)
    return report


# --------------------------------------------------------------------------- outside: orchestrate


def _build_config(args: argparse.Namespace, node_modules: Path) -> RunConfig:
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise HarnessError("config", "no command given (use: run [options] -- COMMAND ...)")
    instances = [
        InstanceSpec("main", args.port, args.api_key or None, args.agent_name, args.stream, _env_pairs(args.env))
    ]
    if args.keyed_instance:
        instances.append(
            InstanceSpec(
                "keyed",
                args.keyed_port,
                args.keyed_api_key,
                args.agent_name,
                False,
                _env_pairs(args.keyed_env),
            )
        )
    if args.stream_instance:
        instances.append(InstanceSpec("stream", args.stream_port, None, args.agent_name, True, _env_pairs(args.env)))
    log_dir = args.log_dir or tempfile.mkdtemp(prefix="eliza-real-logs-")
    return RunConfig(
        command=command,
        node_modules=str(node_modules),
        instances=instances,
        start_timeout=args.start_timeout,
        log_dir=str(Path(log_dir).resolve()),
        keep_data=args.keep_data,
        min_timeout_minutes=args.min_timeout_minutes,
        server_version=args.server_version,
    )


def _env_pairs(items: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise HarnessError("config", f"--env expects KEY=VALUE, got {item!r}")
        out[key] = value
    return out


def run(args: argparse.Namespace) -> RunReport:
    total_started = time.monotonic()
    preflight()
    rel = release(args.server_version, unpinned=args.unpinned)
    node_modules, install_seconds, installed_now, patches = ensure_installed(rel.version, unpinned=args.unpinned)
    cfg = _build_config(args, node_modules)
    with tempfile.TemporaryDirectory(prefix="eliza-real-run-") as tmp:
        cfg_path = Path(tmp) / "config.json"
        out_path = Path(tmp) / "report.json"
        cfg_path.write_text(json.dumps(asdict(cfg)))
        # No --fork: unshare execs the inner harness itself, so its pid is ours to signal.
        inner = [
            "unshare",
            "--net",
            "--",
            sys.executable,
            str(Path(__file__).resolve()),
            "_inside",
            str(cfg_path),
            str(out_path),
        ]
        proc = subprocess.Popen(inner, preexec_fn=_die_with_parent)  # noqa: PLW1509 -- no threads
        returncode = _wait_forwarding_signals(proc)
        if not out_path.is_file():
            raise HarnessError("netns", f"'unshare --net' run ended with code {returncode} and no report")
        data = json.loads(out_path.read_text())
    report = RunReport(
        server_version=rel.version,
        pinned=rel.pinned,
        install_dir=str(rel.install_dir),
        patches=patches,
        install_seconds=round(install_seconds, 3),
        installed_now=installed_now,
        instances=[InstanceResult(**i) for i in data["instances"]],
        run_seconds=data["run_seconds"],
        stop_seconds=data["stop_seconds"],
        exit_code=data["exit_code"],
        failed_step=data["failed_step"],
        error=data["error"],
    )
    report.total_seconds = round(time.monotonic() - total_started, 3)
    return report


def _wait_forwarding_signals(proc: subprocess.Popen[bytes]) -> int:
    """Wait for the inner harness; on SIGTERM/SIGINT/SIGHUP ask it to clean up (SIGTERM) and keep waiting."""
    forwarded = False

    def _forward(signum: int, _frame: object) -> None:
        nonlocal forwarded
        if not forwarded and proc.poll() is None:
            forwarded = True
            _log(f"signal {signum}: stopping the servers and the command")
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)

    previous = {sig: signal.signal(sig, _forward) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    try:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            _forward(signal.SIGINT, None)
            return proc.wait(timeout=60)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _inside_main(cfg_path: str, out_path: str) -> int:
    raw = json.loads(Path(cfg_path).read_text())
    raw["instances"] = [InstanceSpec(**i) for i in raw["instances"]]
    cfg = RunConfig(**raw)

    def _on_term(signum: int, _frame: object) -> None:
        # Only the first signal interrupts; the cleanup that follows must not be interrupted again.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        raise KeyboardInterrupt(f"signal {signum}")

    # The outer harness forwards SIGTERM (and we get it via PR_SET_PDEATHSIG if it dies): stop the servers.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _on_term)
    try:
        report = run_inside(cfg)
    except HarnessError as exc:
        report = RunReport(cfg.server_version, exit_code=1, failed_step=exc.step, error=exc.message)
    except KeyboardInterrupt:
        report = RunReport(cfg.server_version, exit_code=130, failed_step="run", error="interrupted")
    Path(out_path).write_text(json.dumps(asdict(report)))
    return report.exit_code


def _print_summary(report: RunReport) -> None:
    starts = ", ".join(f"{i.name} {i.start_seconds:.1f}s" for i in report.instances) or "-"
    _log(
        f"@elizaos/server {report.server_version}{'' if report.pinned else ' (unpinned)'}; "
        f"patches: {report.patches or 'none'}"
    )
    _log(
        f"timings: install {report.install_seconds:.1f}s"
        f"{' (fresh)' if report.installed_now else ' (cached)'}, start [{starts}], "
        f"run {report.run_seconds:.1f}s, stop {report.stop_seconds:.1f}s, total {report.total_seconds:.1f}s; "
        f"exit code {report.exit_code}"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_install = sub.add_parser("install", help="install the pinned npm packages into the cache (if needed)")
    p_where = sub.add_parser("where", help="print the install cache directory")
    p_run = sub.add_parser("run", help="start the server(s) in a loopback-only netns and run COMMAND there")
    for sub_parser in (p_install, p_where, p_run):
        add_version_arguments(sub_parser)
    p_run.add_argument("--port", type=int, default=DEFAULT_PORT)
    p_run.add_argument("--api-key", default=None, help="ELIZA_SERVER_AUTH_TOKEN for the main instance")
    p_run.add_argument("--keyed-instance", action="store_true", help="also start a second instance with a key")
    p_run.add_argument("--keyed-port", type=int, default=DEFAULT_KEYED_PORT)
    p_run.add_argument("--keyed-api-key", default="conformance-secret")
    p_run.add_argument("--agent-name", default="ConformanceAgent")
    p_run.add_argument(
        "--min-timeout-minutes", type=int, default=None, help="SESSION_MIN_TIMEOUT_MINUTES for every server"
    )
    p_run.add_argument("--stream", action="store_true", help="main instance: the fixed model streams (SSE chunks)")
    p_run.add_argument(
        "--stream-instance", action="store_true", help="also start an instance whose fixed model streams"
    )
    p_run.add_argument("--stream-port", type=int, default=DEFAULT_STREAM_PORT)
    p_run.add_argument("--env", action="append", help="KEY=VALUE for the main (and stream) server; repeatable")
    p_run.add_argument("--keyed-env", action="append", help="KEY=VALUE for the keyed server; repeatable")
    p_run.add_argument("--start-timeout", type=float, default=DEFAULT_START_TIMEOUT)
    p_run.add_argument("--log-dir", default=None, help="where server logs go (default: a temp dir)")
    p_run.add_argument("--keep-data", action="store_true", help="keep the PGlite data directories")
    p_run.add_argument("--report", default=None, help="write the timings/report JSON here")
    p_run.add_argument("command", nargs=argparse.REMAINDER)
    return parser


def add_version_arguments(parser: argparse.ArgumentParser) -> None:
    """``--server-version`` and ``--unpinned`` (shared with conformance.py, capture and drift)."""
    parser.add_argument(
        "--server-version",
        default=DEFAULT_SERVER_VERSION,
        help=f"the @elizaos/server release (default {DEFAULT_SERVER_VERSION}; pinned: {', '.join(SUPPORTED_VERSIONS)})",
    )
    parser.add_argument(
        "--unpinned",
        action="store_true",
        help="allow a release without pinned files in releases/: resolve its lockfile into the cache now",
    )


@contextlib.contextmanager
def _harness_errors() -> Iterator[None]:
    try:
        yield
    except HarnessError as exc:
        _log(f"FAILED at step '{exc.step}': {exc.message}")
        raise SystemExit(1) from exc


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_inside":
        return _inside_main(argv[1], argv[2])
    args = _parser().parse_args(argv)
    with _harness_errors():
        if args.cmd == "where":
            print(install_dir(args.server_version, unpinned=args.unpinned))
            return 0
        if args.cmd == "install":
            preflight()
            node_modules, seconds, fresh, patches = ensure_installed(args.server_version, unpinned=args.unpinned)
            how = f"installed in {seconds:.1f} s" if fresh else "cached"
            _log(
                f"install: @elizaos/server {args.server_version} in {node_modules} ({how}); "
                f"patches: {patches or 'none'}"
            )
            return 0
        report = run(args)
        if args.report:
            Path(args.report).write_text(json.dumps(asdict(report), indent=2) + "\n")
        _print_summary(report)
        if report.failed_step:
            raise HarnessError(report.failed_step, report.error or "failed")
        return report.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
