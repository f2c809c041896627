"""The demo reads well to a newcomer: run as `python scripts/demo.py` against its embedded local server, its output
keeps one width, formats durations humanly, never cuts a message mid-word, and explains what looks surprising
(one agent reply of three in the history; the renewal counter)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "demo.py"
ELLIPSIS = "…"
DURATION = r"(?:under 1 s|\d+ (?:d|h|min|s)(?: \d+ (?:h|min|s))*)"
HISTORY_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{3}  (?:user |agent)  (?P<content>.*)$")


def _load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eliza_demo_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


demo = _load_demo()


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ELIZA_")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"  # the embedded server is on loopback only
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )


@pytest.fixture(scope="module")
def run() -> subprocess.CompletedProcess[str]:
    return run_demo()


@pytest.fixture(scope="module")
def lines(run: subprocess.CompletedProcess[str]) -> list[str]:
    return run.stdout.splitlines()


@pytest.fixture(scope="module")
def flat(run: subprocess.CompletedProcess[str]) -> str:
    """The output with every run of whitespace made one space, so wrapped explanations read as one text."""
    return " ".join(run.stdout.split())


def test_it_runs_cleanly(run: subprocess.CompletedProcess[str]) -> None:
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.strip() == ""
    assert "Started the local sessions server at http://127.0.0.1:" in run.stdout


def test_headers_are_all_exactly_the_width(lines: list[str]) -> None:
    headers = [line for line in lines if line.startswith("──")]
    assert len(headers) == 9  # steps 1–8 and "Done"
    for header in headers:
        assert len(header) == demo.WIDTH, header
        assert re.fullmatch(r"── \S.*\S ───+", header), header


def test_no_line_is_wider_than_the_headers(lines: list[str]) -> None:
    too_wide = [line for line in lines if len(line) > demo.WIDTH]
    assert too_wide == []


def test_it_says_that_http_and_sse_replies_are_not_stored(lines: list[str], flat: str) -> None:
    history = [line for line in lines if HISTORY_LINE.match(line)]
    assert sum("  agent  " in line for line in history) == 1
    assert sum("  user   " in line for line in history) == 3
    assert re.search(r"3 user messages and 1 agent reply\b", flat)
    assert re.search(r"stores only the replies to websocket sends \(step 3\)", flat)
    assert re.search(r"Replies over the http \(step 4\) and sse \(step 5\) transports .* never stored", flat)


def test_it_explains_the_renewal_count(flat: str) -> None:
    match = re.search(r"renewals=(\d+) \(this renew \+ (\d+) before it: [^)]*every message sent renews", flat)
    assert match, "the renewal count after a renew is not explained"
    assert int(match[1]) == int(match[2]) + 1
    heartbeat = re.search(r"heartbeat: [^(]* renewals=(\d+) \(a heartbeat renews the session too", flat)
    assert heartbeat
    assert int(heartbeat[1]) == int(match[1]) + 1


def test_durations_are_written_for_people(run: subprocess.CompletedProcess[str], lines: list[str]) -> None:
    out = run.stdout
    assert not re.search(r"(?<![\d:])\d:\d\d:\d\d", out), "a timedelta printed raw (H:MM:SS)"
    assert not re.search(r"\.\d{4,}", out), "microseconds printed"
    assert "day," not in out
    assert any(re.fullmatch(rf"status=\w+, active sessions=\d+, uptime={DURATION}", line) for line in lines)
    assert any(
        re.fullmatch(rf"heartbeat: last activity \d\d:\d\d:\d\d UTC, {DURATION} left, renewals=\d+", line)
        for line in lines
    )
    assert any(re.search(rf"\(after {DURATION} without activity\)$", line) for line in lines)


def _full_contents() -> set[str]:
    sent = {demo.WEBSOCKET_MESSAGE, demo.HTTP_MESSAGE, demo.STREAM_MESSAGE}
    return sent | {f"You said: {message}" for message in sent}  # what the local server's agent answers


def _assert_whole_or_cut_at_a_word(content: str, originals: set[str]) -> bool:
    """True if ``content`` was shortened (and then correctly), False if it is a whole message."""
    if content in originals:
        return False
    assert content.endswith(ELLIPSIS), f"{content!r} is cut without an ellipsis"
    kept = content[: -len(ELLIPSIS)]
    assert kept, content
    assert not kept[-1].isspace(), f"{content!r}: a space before the ellipsis"
    matches = [original for original in originals if original.startswith(kept)]
    assert matches, f"{content!r} is not the start of any message sent or answered"
    for original in matches:
        following = original[len(kept)]
        assert not (kept[-1].isalnum() and following.isalnum()), f"{content!r} cut inside a word of {original!r}"
    return True


def test_no_content_is_cut_mid_word(lines: list[str]) -> None:
    originals = _full_contents()
    contents = [match["content"] for line in lines if (match := HISTORY_LINE.match(line))]
    assert len(contents) == 4
    newest = next(line for line in lines if line.startswith("The two newest"))
    quoted = re.findall(r'"([^"]*)"', newest)
    assert len(quoted) == 2
    shortened = [content for content in contents + quoted if _assert_whole_or_cut_at_a_word(content, originals)]
    assert shortened, "nothing was shortened: this check checked nothing"
    for line in lines:
        assert f" {ELLIPSIS}" not in line, line


def test_shorten() -> None:
    assert demo.shorten("Stream your answer, please.", 20) == "Stream your answer…"
    assert demo.shorten("You said: Hello! What can you do?", 20) == "You said: Hello!…"
    assert demo.shorten("short", 20) == "short"
    assert demo.shorten("two\nlines", 20) == "two lines"
    assert demo.shorten("x" * 30, 20) == "x" * 19 + ELLIPSIS  # one word longer than the room: no boundary to use
    text = " ".join(["the quick brown fox jumps over the lazy dog"] * 3)
    for width in range(4, len(text)):
        shortened = demo.shorten(text, width)
        assert len(shortened) <= width
        assert text.startswith(shortened[:-1])
        assert not text[len(shortened) - 1].isalpha(), shortened


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(0), "0 s"),
        (timedelta(seconds=0.057), "under 1 s"),
        (timedelta(seconds=3), "3 s"),
        (timedelta(seconds=125), "2 min 5 s"),
        (timedelta(minutes=29, seconds=58), "29 min 58 s"),
        (timedelta(minutes=29, seconds=59, milliseconds=700), "30 min"),
        (timedelta(hours=12), "12 h"),
        (timedelta(days=1, hours=2, seconds=1), "1 d 2 h 1 s"),
        (timedelta(seconds=-5), "-5 s"),
    ],
)
def test_duration(value: timedelta, expected: str) -> None:
    assert demo.duration(value) == expected


@pytest.mark.parametrize("release", ["1.6.5", "1.7.0"])
def test_it_runs_against_the_older_releases_too(release: str) -> None:
    done = run_demo("--server-version", release)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""
    assert f"(as @elizaos/server {release})" in done.stdout
    # The same steps, the same replies: the agent answered the wait and the stream on this release too.
    assert done.stdout.count("You said:") >= 3, done.stdout
