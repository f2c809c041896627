"""The pytest plugin costs a pytest run nothing until a test asks for one of its fixtures.

pytest imports every ``pytest11`` entry point at startup, in every run in any environment that has the client
installed; the entry point names ``_eliza_client_pytest``, which must not import the client, its dependencies
or the local server. Asserted on ``sys.modules`` (deterministic); the time, too noisy for a test, is measured by
``scripts/bench/plugin_startup.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "_eliza_client_pytest"
# What registering the plugin must not pull in (each would cost every pytest run).
HEAVY = ("eliza_client", "eliza_sessions_api", "requests", "urllib3", "attr", "attrs", "cattrs", "http", "socketserver")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _modules_added_by(module: str) -> set[str]:
    """The modules that importing ``module`` adds to a process that has already imported pytest."""
    code = (
        "import json, sys, pytest\n"
        "before = set(sys.modules)\n"
        f"import {module}\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    return set(json.loads(_python(code)))


def _is_heavy(name: str) -> bool:
    return name.split(".", maxsplit=1)[0] in HEAVY


def test_importing_the_plugin_adds_nothing_but_itself() -> None:
    added = _modules_added_by(PLUGIN)
    assert not {name for name in added if _is_heavy(name)}
    assert added == {PLUGIN}


def test_the_backward_compatible_path_still_exports_the_same_objects() -> None:
    # `eliza_client.testing.pytest_plugin` (documented for `ServerFactory`) is heavy by nature: it is inside
    # the package. It re-exports the light module's objects, so either one registers the same fixtures.
    import _eliza_client_pytest
    from eliza_client.testing import pytest_plugin

    for name in ("ServerFactory", "eliza_server", "eliza_server_factory"):
        assert getattr(pytest_plugin, name) is getattr(_eliza_client_pytest, name)
    assert {name for name in _modules_added_by("eliza_client.testing.pytest_plugin") if _is_heavy(name)}


def test_a_pytest_run_that_uses_no_fixture_imports_nothing_of_the_client(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only this plugin (no autoloaded entry points: other plugins such as schemathesis import requests).
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTHONPATH", _env()["PYTHONPATH"])
    pytester.makepyfile(
        f"""
        import sys

        HEAVY = {HEAVY!r}

        def test_nothing_heavy_loaded(request):
            assert request.config.pluginmanager.has_plugin("{PLUGIN}")
            assert not [m for m in sys.modules if m.split(".")[0] in HEAVY]

        def test_a_fixture_imports_the_server_when_asked(eliza_server):
            assert "eliza_client.testing" in sys.modules
            assert eliza_server.base_url.startswith("http://127.0.0.1:")
        """
    )
    result = pytester.runpytest_subprocess("-p", PLUGIN, "-p", "no:cacheprovider", "-q", timeout=120)
    result.assert_outcomes(passed=2)
