"""Every example in the README runs, so the documentation cannot rot.

Python blocks run in order in one namespace, against a local sessions server with an API key: the literal
`http://localhost:3000` is replaced by that server's URL, `ELIZA_BASE_URL`/`ELIZA_API_KEY` point at it, and
`AGENT_ID`, `USER_ID` and `API_KEY` are defined as the README says. A block whose first line is a `# test_*.py`
comment is a pytest file: it runs under pytester, with the plugin the package installs. The two shell commands
are checked against `.ci/run` and the noxfile (CI runs the test command verbatim; the demo session runs
scripts/demo.py, which is exercised here too).
"""

from __future__ import annotations

import logging
import re
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from eliza_client.testing import LocalSessionsServer

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
USER_ID = "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40"

pytest_plugins = ["pytester"]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def _command_after(title: str) -> str:
    match = re.search(re.escape(title) + r"\s*\n\s*```bash\n(.+?)\n```", README)
    assert match is not None, f"README has no command after {title!r}"
    return match.group(1).strip()


@pytest.fixture
def server() -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(api_key="readme-key", rate_limit=None, reply_delay=0.01) as running:
        yield running


def test_python_examples_run(server: LocalSessionsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELIZA_BASE_URL", server.base_url)
    monkeypatch.setenv("ELIZA_API_KEY", "readme-key")
    namespace: dict[str, object] = {"AGENT_ID": server.agent_id, "USER_ID": USER_ID, "API_KEY": "readme-key"}
    logger = logging.getLogger("eliza_client")
    level, root_handlers = logger.level, list(logging.getLogger().handlers)
    blocks = [b for b in _blocks("python") if not b.startswith("# test_")]
    assert len(blocks) >= 8
    try:
        for index, block in enumerate(blocks):
            code = block.replace("http://localhost:3000", server.base_url)
            exec(compile(code, f"README.md python block {index + 1}", "exec"), namespace)
    finally:
        logger.setLevel(level)
        logging.getLogger().handlers[:] = root_handlers
        client = namespace.get("client")
        if client is not None:
            client.close()  # type: ignore[attr-defined]


def test_python_examples_pass_mypy_strict(tmp_path: Path) -> None:
    """The examples type-check as a user's script would (``mypy --strict``), so pasting one never breaks typing.

    The plain blocks run in one namespace, so they are checked as one module, after the names the README says the
    user defines; the pytest example is its own module.
    """
    from mypy import api as mypy_api

    blocks = _blocks("python")
    prelude = f'AGENT_ID = "219704e1-586e-5373-9adc-602e9713c0ab"\nUSER_ID = "{USER_ID}"\nAPI_KEY = "readme-key"\n'
    script = tmp_path / "readme_examples.py"
    script.write_text(prelude + "\n".join(b for b in blocks if not b.startswith("# test_")))
    test_file = tmp_path / "test_my_bot.py"
    test_file.write_text(next(b for b in blocks if b.startswith("# test_")))
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n")  # a user's defaults, not this project's settings
    out, err, status = mypy_api.run(
        [
            "--strict",
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            str(script),
            str(test_file),
        ]
    )
    assert status == 0, out + err


def test_pytest_plugin_example(pytester: pytest.Pytester) -> None:
    blocks = [b for b in _blocks("python") if b.startswith("# test_")]
    assert len(blocks) == 1
    pytester.makepyfile(test_my_bot=blocks[0])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_two_commands() -> None:
    test_command = _command_after("Run the whole test suite:")
    demo_command = _command_after("Run the demo against an embedded local server:")
    assert test_command in (ROOT / ".ci" / "run").read_text().splitlines()
    assert demo_command == test_command.replace("nox -s tests", "nox -s demo")
    noxfile = (ROOT / "noxfile.py").read_text()
    assert 'session.run("python", "scripts/demo.py", *session.posargs)' in noxfile


def test_demo_runs(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ELIZA_BASE_URL", "ELIZA_API_KEY", "ELIZA_AGENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "argv", ["demo.py"])
    with pytest.raises(SystemExit) as excinfo:
        runpy.run_path(str(ROOT / "scripts" / "demo.py"), run_name="__main__")
    assert excinfo.value.code == 0
    out = capsys.readouterr().out
    for expected in (
        "Started the local sessions server",
        "status=healthy",
        "agent: You said: Tell me something short.",
        "agent: You said: Stream your answer, please.",
        "user   Hello! What can you do?",
        "agent  You said: Hello! What can you do?",
        "were kept",
        "ValidationError before any request: field='content'",
        "SessionNotFoundError (404 SESSION_NOT_FOUND)",
    ):
        assert expected in out


def test_performance_section_quotes_the_benchmark_results() -> None:
    summary = (ROOT / "scripts" / "bench" / "results" / "summary.md").read_text()
    rows = [line for line in summary.splitlines() if line.startswith("|")]
    assert len(rows) >= 10
    section = README.split("## Performance", 1)[1].split("\n## ", 1)[0]
    for line in rows:
        assert line in section
    machine = next(line for line in summary.splitlines() if line.startswith("Machine:"))
    assert machine in section


def test_committed_benchmark_results_hold_no_machine_paths_or_kernel_strings() -> None:
    results = sorted((ROOT / "scripts" / "bench" / "results").iterdir())
    assert results
    for path in [*results, ROOT / "README.md"]:
        text = path.read_text()
        for pattern in (r"/work/", r"/root/", r"/home/", r"/tmp/", r"\.pyenv", r"Linux-\d", r'"cwd"'):
            assert re.search(pattern, text) is None, f"{path.name} holds {pattern!r}"
