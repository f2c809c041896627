"""The chat page of the Django example in a real browser: headless Chromium driven by Playwright.

What runs, all on loopback and all bounded in time:

* :class:`eliza_client.testing.LocalSessionsServer` in this process, with a :class:`ManualClock` (so that tests
  can store many messages in one millisecond) and a slow SSE stream (so that a reply visibly streams in);
* the example's Django dev server, ``manage.py runserver 127.0.0.1:<free port> --noreload``, as a subprocess
  whose ``ELIZA_BASE_URL``/``ELIZA_AGENT_ID`` point at that server (the example reads its settings from the
  environment); its output goes to ``reports/browser/runserver.log``;
* the system's Chromium (Debian's ``chromium`` package, ``/usr/bin/chromium``, or ``ELIZA_CHROMIUM``), launched
  headless by Playwright's Python package with ``executable_path``: Playwright's own browser downloads are never
  used.

The suite runs only when asked for: ``pytest tests/browser`` (a path under this directory on the command line),
``nox -s browser``, or ``ELIZA_BROWSER_TESTS=1``. A plain ``pytest`` (the main suite, ``nox -s tests``) does not
collect it. Once it runs, nothing in it skips: a missing Chromium or Playwright fails every test, saying how to
install it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from eliza_client import ElizaClient
from eliza_client.testing import LocalSessionsServer, ManualClock

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
APP = ROOT / "examples" / "django_app"
REPORTS = ROOT / "reports" / "browser"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: Every Playwright wait (actions, expectations, navigation) in milliseconds.
TIMEOUT_MS = 15_000
#: Seconds between two SSE events of the local server: long enough to see a reply grow in the page.
CHUNK_DELAY = 0.12

#: Chromium reaches nothing but loopback: no proxy, and no host name resolves but 127.0.0.1 (which the tests use).
#: Playwright's defaults already switch off background networking, component updates and the like.
LOOPBACK_ONLY = ["--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
#: The readiness probe never goes through a proxy either.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))

PLAYWRIGHT_HINT = "pip install -e '.[test,browser]' (the pinned version; or run `nox -s browser`)"
INSTALL_HINT = (
    "install Chromium from Debian's packages (`apt-get install -y chromium`, which provides /usr/bin/chromium) "
    "or set ELIZA_CHROMIUM to a Chromium binary; Playwright's own browser downloads (`playwright install`) are "
    "not used"
)


def _asked_for(config: pytest.Config) -> bool:
    if os.environ.get("ELIZA_BROWSER_TESTS") == "1":
        return True
    for arg in config.args:
        path = Path(arg.split("::", 1)[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # Only this directory's files are decided here (conftest hooks also see sibling paths).
    if collection_path == HERE or HERE in collection_path.parents:
        return None if _asked_for(config) else True
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the example's chat page in headless Chromium")


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and (HERE / Path(report.nodeid.split("::", 1)[0]).name).exists():
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Nothing here may pass by skipping (a skip would hide a missing browser): a skipped browser test fails the run.
    if _skipped and exitstatus == pytest.ExitCode.OK:
        session.config.get_terminal_writer().line(f"browser tests must not skip, but these did: {_skipped}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- Chromium and Playwright ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Chromium binary; fails (never skips) when there is none."""
    path = os.environ.get("ELIZA_CHROMIUM") or DEFAULT_CHROMIUM
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"no Chromium at {path}: {INSTALL_HINT}", pytrace=False)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.fail(f"the browser tests need Playwright: {PLAYWRIGHT_HINT}", pytrace=False)
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=chromium_path, headless=True, timeout=TIMEOUT_MS, args=LOOPBACK_ONLY
            )
        except Exception as exc:
            pytest.fail(f"Chromium at {chromium_path} did not start ({exc}): {INSTALL_HINT}", pytrace=False)
        try:
            yield launched
        finally:
            launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Kept on the item so that the page fixture can save a screenshot of a failed test.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser: Any, django_server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (own cookies) on the chat page's origin; a failed test leaves a screenshot."""
    context = browser.new_context(base_url=django_server, viewport={"width": 900, "height": 640})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield tab
        assert not errors, f"JavaScript errors on the page: {errors}"
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            REPORTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(REPORTS / f"failed-{request.node.name}.png"), full_page=True)
        context.close()


# --- the servers --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="session")
def sessions_server(clock: ManualClock) -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(clock=clock, rate_limit=None, chunk_delay=CHUNK_DELAY, reply_delay=0.05) as server:
        yield server


@pytest.fixture(scope="session")
def eliza(sessions_server: LocalSessionsServer) -> Iterator[ElizaClient]:
    """The test's own client: "another client" of the same sessions the page shows."""
    with ElizaClient(sessions_server.base_url) as client:
        yield client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def django_server(sessions_server: LocalSessionsServer) -> Iterator[str]:
    """The example under ``manage.py runserver`` (WSGI, threaded), pointed at the local sessions server."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    for stale in REPORTS.glob("failed-*.png"):  # a previous run's failures
        stale.unlink()
    port = _free_port()
    env = {
        **os.environ,
        "ELIZA_BASE_URL": sessions_server.base_url,
        "ELIZA_AGENT_ID": sessions_server.agent_id,
        "ELIZA_API_KEY": "",
        "DJANGO_SETTINGS_MODULE": "demo_project.settings",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = REPORTS / "runserver.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=APP,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, process, log_path)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Django dev server exited ({process.returncode}):\n{log_path.read_text()}", pytrace=False)
        try:
            with _DIRECT.open(f"{url}/", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    pytest.fail(f"the Django dev server did not answer within {timeout} s:\n{log_path.read_text()}", pytrace=False)
