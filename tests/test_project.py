"""Project-level promises: CI runs the README's test command verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_command(title: str) -> str:
    readme = (ROOT / "README.md").read_text()
    match = re.search(re.escape(title) + r"\s*\n\s*```bash\n(.+?)\n```", readme)
    assert match is not None, f"README has no command after {title!r}"
    return match.group(1).strip()


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    command = _readme_command("Run the whole test suite:")
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert command in ci_lines
