"""`.ci/run` ends with one line totalling every pytest run of every step, also when a step fails."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _totals_script() -> str:
    text = (ROOT / ".ci" / "run").read_text()
    match = re.search(r"<<'PY'\n(.*?)\nPY\n", text, flags=re.DOTALL)
    assert match is not None, ".ci/run has no totals script"
    return match.group(1)


def _run(log: str, status: int, tmp_path: Path) -> str:
    path = tmp_path / "ci.log"
    path.write_text(log)
    result = subprocess.run(
        [sys.executable, "-c", _totals_script(), str(path), str(status)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout.strip()


def test_every_suite_is_counted_not_only_the_last(tmp_path: Path) -> None:
    log = "\n".join(
        [
            "nox > Running session tests",
            "........ [100%]",
            "1498 passed, 11 deselected in 166.13s (0:02:46)",
            "nox > Session tests was successful in 3 minutes",
            "\x1b[32m======= 3 failed, 40 passed, 2 skipped, 1 error in 12.50s =======\x1b[0m",
            "some output that says 7 passed without a timing",
            "1 passed in 0.20s",
        ]
    )
    assert _run(log, 0, tmp_path) == "== CI total over 3 pytest runs: 1539 passed, 3 failed, 2 skipped, 1 errors — ok"


def test_a_failed_step_is_said_and_an_empty_log_counts_nothing(tmp_path: Path) -> None:
    assert _run("", 2, tmp_path) == "== CI total over 0 pytest runs: 0 passed, 0 failed, 0 skipped — FAILED (exit 2)"


def test_the_readme_test_command_stays_verbatim_and_totals_run_on_exit() -> None:
    text = (ROOT / ".ci" / "run").read_text()
    assert "trap totals EXIT" in text
    assert text.rstrip().splitlines()[-1].endswith('| tee -a "$log"')
