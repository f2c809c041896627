"""Shared plumbing for the benchmarks in ``scripts/bench`` (not part of the package).

* ``local_server()`` runs :class:`eliza_client.testing.LocalSessionsServer` (``rate_limit=None``) on loopback, by
  default in a **separate process**: the client under test then does not share the GIL with the server's
  threads, ``time.process_time()`` measures the client's CPU alone, and ``tracemalloc`` sees only the client's
  allocations. ``--server thread`` runs it in-process instead (for comparison).
* ``run_lockstep()`` interleaves baseline and subject *step by step* (call by call, page by page) in rotating order,
  round after round, after warm-up rounds, so machine noise lands on both alike; ratios are computed per round
  (paired), then summarised as median [q1–q3].
* ``write_results()`` stores a JSON document with the machine and the exact command.

Running this file as a script (``python _common.py serve ...``) is the server process ``local_server()`` starts.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import requests

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parents[1]
RESULTS_DIR = BENCH_DIR / "results"
SESSIONS_PATH = "/api/messaging/sessions"
#: The facade's default timeout, passed to the raw baselines too so they do the same work.
RAW_TIMEOUT = (5.0, 30.0)

ServerMode = Literal["process", "thread"]
ClockKind = Literal["system", "step"]


# --- machine and command ---------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def machine_info() -> dict[str, Any]:
    """Where the numbers came from."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    libc, libc_version = platform.libc_ver()
    return {
        # OS and architecture only: no kernel build string, host name or path (results are committed).
        "platform": " ".join(filter(None, (platform.system(), platform.machine(), f"{libc} {libc_version}".strip()))),
        "python_version": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "cpu_model": _cpu_model(),
        "cpu_cores": os.cpu_count(),
        "cpu_cores_usable": usable,
        "memory_gib": _memory_gib(),
        # Other processes share the machine: the 1/5/15-minute load averages when the results were written.
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def machine_line(info: Mapping[str, Any]) -> str:
    """One line for tables: CPU, cores, Python, platform."""
    return (
        f"{info['cpu_model']}, {info['cpu_cores']} cores, {info.get('memory_gib')} GiB RAM; "
        f"{info['python_implementation']} {info['python_version']}; {info['platform']}"
    )


def relative_path(path: str) -> str:
    """``path`` without this machine's directories: relative to the repository, site-packages or the stdlib."""
    if path.startswith(f"{ROOT}/"):
        return path[len(f"{ROOT}/") :]
    if "/site-packages/" in path:
        return path.rsplit("/site-packages/", 1)[-1]
    stdlib = os.path.dirname(os.__file__)
    if path.startswith(f"{stdlib}/"):
        return path[len(f"{stdlib}/") :]
    return path


def command() -> str:
    """The command this process was started with (interpreter flags included), as run from the repository root:
    ``python`` for the interpreter and repository-relative paths, so committed results hold no machine paths."""
    interpreter, *arguments = sys.orig_argv
    del interpreter
    shown = [relative_path(str(Path(a).resolve())) if Path(a).exists() else a for a in arguments]
    return shlex.join(["python", *shown])


def write_results(name: str, results: Mapping[str, Any], *, settings: Mapping[str, Any]) -> Path:
    """Write ``results/<name>.json`` with the machine, the command, the settings and the results."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": name,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command(),
        "machine": machine_info(),
        "settings": dict(settings),
        "results": dict(results),
    }
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


# --- statistics ------------------------------------------------------------------------------------------


def summarize(values: Sequence[float]) -> dict[str, float]:
    """Median, quartiles and extremes of a sample."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    if len(ordered) >= 2:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        q1 = q3 = ordered[0]
    return {
        "median": statistics.median(ordered),
        "q1": q1,
        "q3": q3,
        "min": ordered[0],
        "max": ordered[-1],
        "n": float(len(ordered)),
    }


def fmt_spread(summary: Mapping[str, float], fmt: str = "{:.3f}") -> str:
    """``median [q1–q3]``."""
    return f"{fmt.format(summary['median'])} [{fmt.format(summary['q1'])}–{fmt.format(summary['q3'])}]"


@dataclass(frozen=True)
class Sample:
    """One round of one variant: wall and CPU seconds per unit of work (call, message, …)."""

    wall: float
    cpu: float


@dataclass(frozen=True)
class Variant:
    """Something to time in lockstep with others.

    ``start()`` is called at the beginning of each round and returns the *step*: a function doing one small piece
    of the round's work (one call, one page's worth of messages). A round runs ``steps`` steps of every variant;
    ``units`` is how many units of work (calls, messages) one round of this variant does.
    """

    name: str
    start: Callable[[], Callable[[], object]]
    units: int


def repeat(step: Callable[[], object]) -> Callable[[], Callable[[], object]]:
    """A ``Variant.start`` for a stateless step (the same call every time)."""
    return lambda: step


def run_lockstep(
    variants: Sequence[Variant], *, steps: int, rounds: int, warmup: int, progress: bool = True
) -> dict[str, list[Sample]]:
    """Interleave the variants step by step, so machine noise (other processes, CPU frequency, the server's own
    pauses) lands on all of them alike: step i of every variant runs back to back, in an order rotated at every
    step. Each step is timed on its own (``perf_counter`` and ``process_time``) and the times are summed per round.
    Warm-up rounds are run the same way and discarded.
    """
    samples: dict[str, list[Sample]] = {v.name: [] for v in variants}
    count = len(variants)
    perf, cpu_time = time.perf_counter, time.process_time
    for index in range(warmup + rounds):
        gc.collect()
        runners = [(v, v.start()) for v in variants]
        wall = [0.0] * count
        cpu = [0.0] * count
        for step in range(steps):
            shift = step % count
            for position in range(count):
                slot = (position + shift) % count
                run = runners[slot][1]
                c0 = cpu_time()
                w0 = perf()
                run()
                w1 = perf()
                c1 = cpu_time()
                wall[slot] += w1 - w0
                cpu[slot] += c1 - c0
        if index >= warmup:
            for slot, (variant, _) in enumerate(runners):
                samples[variant.name].append(Sample(wall[slot] / variant.units, cpu[slot] / variant.units))
        if progress:
            label = "warm-up" if index < warmup else f"round {index - warmup + 1}/{rounds}"
            print(f"  {label} done", file=sys.stderr, flush=True)
    return samples


def paired_ratios(
    samples: Mapping[str, list[Sample]], subject: str, baseline: str, *, cpu: bool = False
) -> list[float]:
    """subject/baseline per round (each round's two blocks ran back to back)."""
    pick: Callable[[Sample], float] = (lambda s: s.cpu) if cpu else (lambda s: s.wall)
    return [pick(s) / pick(b) for s, b in zip(samples[subject], samples[baseline], strict=True)]


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain fixed-width table on stdout."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def common_arguments(parser: argparse.ArgumentParser, *, rounds: int, warmup: int) -> None:
    """The options every benchmark takes."""
    parser.add_argument("--rounds", type=int, default=rounds, help=f"measured rounds (default {rounds})")
    parser.add_argument("--warmup", type=int, default=warmup, help=f"discarded warm-up rounds (default {warmup})")
    parser.add_argument(
        "--server",
        choices=("process", "thread"),
        default="process",
        help="run the local server in a child process (default) or in a thread of this process",
    )


# --- the local server ------------------------------------------------------------------------------------


class StepClock:
    """A server clock that advances exactly 1 ms every time it is read.

    Every route of the local server reads the clock once per request, so each stored message gets its own
    millisecond (no ties at page boundaries) while the clock stays deterministic.
    """

    def __init__(self, start_ms: int | None = None) -> None:
        self._lock = threading.Lock()
        self._now = time.time_ns() // 1_000_000 if start_ms is None else start_ms

    def now_ms(self) -> int:
        with self._lock:
            self._now += 1
            return self._now


@dataclass(frozen=True)
class ServerHandle:
    """A running local server."""

    base_url: str
    agent_id: str
    mode: ServerMode
    clock: ClockKind


def _make_server(clock: ClockKind, reply_delay: float) -> Any:
    from eliza_client.testing import LocalSessionsServer, SystemClock

    return LocalSessionsServer(
        rate_limit=None,
        reply_delay=reply_delay,
        clock=StepClock() if clock == "step" else SystemClock(),
    )


@contextmanager
def local_server(
    *, mode: ServerMode = "process", clock: ClockKind = "system", reply_delay: float = 0.15
) -> Iterator[ServerHandle]:
    """A ``LocalSessionsServer(rate_limit=None)`` on 127.0.0.1, in a child process or a thread."""
    if mode == "thread":
        server = _make_server(clock, reply_delay)
        with server:
            yield ServerHandle(server.base_url, server.agent_id, mode, clock)
        return
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "serve", "--clock", clock, "--reply-delay", str(reply_delay)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the server process exited before reporting its address")
        info = json.loads(line)
        yield ServerHandle(info["base_url"], info["agent_id"], mode, clock)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()  # EOF: the child stops its server and exits
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.terminate()  # only the process started here, by its handle
            proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()


def _serve(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="_common.py serve")
    parser.add_argument("--clock", choices=("system", "step"), default="system")
    parser.add_argument("--reply-delay", type=float, default=0.15)
    args = parser.parse_args(argv)
    server = _make_server(args.clock, args.reply_delay)
    with server:
        print(json.dumps({"base_url": server.base_url, "agent_id": server.agent_id}), flush=True)
        sys.stdin.read()  # until the parent closes our stdin
    return 0


# --- raw-requests helpers --------------------------------------------------------------------------------


def raw_create_session(http: requests.Session, base_url: str, agent_id: str, user_id: str) -> str:
    """Open a session with a bare requests call; return its id."""
    response = http.post(
        f"{base_url}{SESSIONS_PATH}", json={"agentId": agent_id, "userId": user_id}, timeout=RAW_TIMEOUT
    )
    response.raise_for_status()
    session_id: str = response.json()["sessionId"]
    return session_id


def seed_messages(base_url: str, session_id: str, count: int, *, threads: int = 2) -> None:
    """Store ``count`` user messages through the server's real send route (``http`` transport, whose agent
    replies the server does not store, so exactly ``count`` messages land), over ``threads`` connections so
    this process and the server process overlap their work."""
    url = f"{base_url}{SESSIONS_PATH}/{session_id}/messages"
    failures: list[str] = []

    def worker(start: int) -> None:
        with requests.Session() as http:
            for index in range(start, count, threads):
                body = {"content": f"message {index}", "transport": "http", "metadata": {"seq": index}}
                response = http.post(url, json=body, timeout=RAW_TIMEOUT)
                if response.status_code != 201:
                    failures.append(f"{response.status_code} {response.text[:200]}")
                    return

    workers = [threading.Thread(target=worker, args=(start,)) for start in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    if failures:
        raise RuntimeError(f"seeding failed: {failures[0]}")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "serve":
        sys.exit(_serve(sys.argv[2:]))
    print("usage: python _common.py serve [--clock system|step] [--reply-delay SECONDS]", file=sys.stderr)
    sys.exit(2)
