"""The public names of ``eliza_client``: loaded on first use, listed consistently, reported as the package's."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import eliza_client

INIT = Path(eliza_client.__file__)


def _type_checking_imports() -> dict[str, str]:
    """{name: module} of the imports under ``if _TYPE_CHECKING:`` in ``__init__.py``."""
    tree = ast.parse(INIT.read_text())
    block = next(node for node in tree.body if isinstance(node, ast.If))
    return {
        alias.name: node.module or "" for node in block.body if isinstance(node, ast.ImportFrom) for alias in node.names
    }


def test_the_three_lists_of_public_names_agree() -> None:
    exported = {name: module for name, module in eliza_client._MODULE_OF.items()}
    assert _type_checking_imports() == exported
    assert set(eliza_client.__all__) == {*exported, "__version__"}
    assert len(exported) > 50


def test_every_public_name_resolves_and_reports_the_package() -> None:
    for name in eliza_client.__all__:
        value = getattr(eliza_client, name)
        if isinstance(value, type):
            assert value.__module__ == "eliza_client", name
    assert set(eliza_client.__all__) <= set(dir(eliza_client))


def test_old_names_still_work_and_warn() -> None:
    with pytest.warns(DeprecationWarning, match="SessionTimeoutConfig"):
        assert eliza_client.TimeoutConfig is eliza_client.SessionTimeoutConfig  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match="SessionTimeoutSettings"):
        assert eliza_client.TimeoutSettings is eliza_client.SessionTimeoutSettings  # type: ignore[attr-defined]
    assert "TimeoutConfig" not in eliza_client.__all__


def test_racing_first_look_ups_from_two_threads_never_fail() -> None:
    # Thread A imports the client while thread B looks up a model for the first time: B must never see a
    # half-initialised module (found by review: _publish walked modules another thread was still importing).
    code = (
        "import threading, eliza_client\n"
        "errors = []\n"
        "def a():\n"
        "    try:\n        from eliza_client import ElizaClient; ElizaClient('http://127.0.0.1:9').sessions\n"
        "    except Exception as err:\n        errors.append(repr(err))\n"
        "def b():\n"
        "    try:\n"
        "        for name in ('Message', 'Reply', 'MessageStream', 'MessageIterator', 'AgentError'):\n"
        "            getattr(eliza_client, name)\n"
        "    except Exception as err:\n        errors.append(repr(err))\n"
        "threads = [threading.Thread(target=a), threading.Thread(target=b)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(errors)\n"
    )
    for _ in range(12):
        assert _fresh(code) == "[]"


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        eliza_client.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def _fresh(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.strip()


def test_import_eliza_client_loads_no_http_stack() -> None:
    loaded = _fresh(
        "import sys, eliza_client; print(sorted(m for m in sys.modules if m.startswith(('requests', 'eliza_client.'))))"
    )
    assert loaded == "['eliza_client._version']"


def test_a_client_does_not_load_the_send_machinery_until_it_is_used() -> None:
    code = (
        "import sys\n"
        "from eliza_client import ElizaClient\n"
        "client = ElizaClient('http://127.0.0.1:9')\n"
        "print(sorted(m for m in ('eliza_client._sending', 'eliza_client._message_stream', 'eliza_client._converter')"
        " if m in sys.modules))\n"
        "client.sessions\n"
        "print('eliza_client._sessions' in sys.modules)\n"
    )
    before, after = _fresh(code).splitlines()
    assert before == "[]"
    assert after == "True"


def test_an_error_raised_before_its_name_was_looked_up_reports_the_package() -> None:
    # The first thing a script does may fail: the traceback must name eliza_client.ValidationError.
    code = (
        "from eliza_client import ElizaClient\n"
        "try:\n    ElizaClient('http://127.0.0.1:9', max_retries=-1)\n"
        "except Exception as err:\n    print(type(err).__module__, type(err).__name__)\n"
    )
    assert _fresh(code) == "eliza_client ValidationError"


def test_a_closed_client_leaves_nothing_for_the_garbage_collector_to_run() -> None:
    # The fuzz suite once saw the finalizer of a closed client run deep inside a decoder's recursion, where the call
    # itself raised RecursionError: close() now runs the finalizer, which then never runs again.
    import weakref

    from eliza_client import ElizaClient
    from eliza_client._logs import scrub

    client = ElizaClient("http://127.0.0.1:9", api_key="key-for-the-finalizer-test")
    finalizer = client._transport.on_close
    assert isinstance(finalizer, weakref.finalize)
    assert finalizer.alive
    assert "key-for-the-finalizer-test" not in scrub("key-for-the-finalizer-test")
    client.close()
    assert not finalizer.alive
    assert scrub("key-for-the-finalizer-test") == "key-for-the-finalizer-test"  # the secret was released
