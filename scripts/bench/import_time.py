"""Import time: ``import eliza_client`` vs ``import requests``, each in a fresh interpreter with ``-X importtime``.

    python scripts/bench/import_time.py [--runs 15] [--warmup 2]

Each run is a new process (``python -X importtime -c "import X"``); runs of the two alternate so load on the machine
hits both alike, after warm-up runs that also make sure the bytecode caches exist: the children write and read them
in a temporary ``PYTHONPYCACHEPREFIX`` (nothing is written into the checkout), with ``PYTHONDONTWRITEBYTECODE``
removed from their environment. Without that, where ``PYTHONDONTWRITEBYTECODE`` is set (some containers and CI
images set it), an editable checkout's modules are compiled from source in every run while ``requests`` loads the
``.pyc`` files pip wrote when installing it: about 30 ms of ``eliza_client``'s time that an installed wheel never
pays.

The measure is the cumulative microseconds ``-X importtime`` reports for the top-level module; the target is the
median for eliza_client at most 1.30× the median for requests (which eliza_client imports too), both medians from
the same run. The ratio paired per run (the two imports of run i ran back to back), the difference in milliseconds
and the process's total wall time are reported as well. The top contributors are the modules ``import eliza_client``
loads that ``import requests`` does not, by median self time (and grouped by top-level package).

``import eliza_client`` loads its public names on first use, so that measure alone would hide what a user pays.
Three scenarios, timed inside fresh interpreters (``time.perf_counter`` around the statement, same caches, order
alternating), say what does happen: ``import requests; requests.Session()`` as the baseline, against
``from eliza_client import ElizaClient; ElizaClient(url)`` (a client created) and the same plus ``client.sessions``
(everything a first call needs is imported; cattrs and the converter are still built on the first answer). The
breakdown of added modules is taken from the last scenario.

Writes ``scripts/bench/results/import_time.json``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from typing import Any

from _common import ROOT, fmt_spread, machine_info, machine_line, print_table, summarize, write_results

TARGET_RATIO = 1.30
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


_IGNORED_ENVIRONMENT = ("PYTHONPROFILEIMPORTTIME", "PYTHONSTARTUP", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")


def run_once(module: str, pycache: str) -> tuple[dict[str, tuple[int, int, int]], float]:
    """{module: (self µs, cumulative µs, depth)} from one fresh interpreter, and its wall time in ms; bytecode caches
    are written to and read from ``pycache``."""
    env = {key: value for key, value in os.environ.items() if key not in _IGNORED_ENVIRONMENT}
    env["PYTHONPYCACHEPREFIX"] = pycache
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    )
    wall_ms = (time.perf_counter() - started) * 1e3
    modules: dict[str, tuple[int, int, int]] = {}
    for line in result.stderr.splitlines():
        match = _LINE.match(line)
        if match:
            own, cumulative, indent, name = match.groups()
            modules[name] = (int(own), int(cumulative), len(indent) // 2)
    return modules, wall_ms


#: (name, statement) timed in a fresh interpreter; the first is the baseline of the others.
SCENARIOS = (
    ("import requests; requests.Session()", "import requests; requests.Session()"),
    ("ElizaClient(url)", "from eliza_client import ElizaClient; c = ElizaClient('http://127.0.0.1:9')"),
    (
        "ElizaClient(url).sessions",
        "from eliza_client import ElizaClient; c = ElizaClient('http://127.0.0.1:9'); c.sessions",
    ),
)


def time_statement(statement: str, pycache: str, *, importtime: bool = False) -> tuple[float, str]:
    """Milliseconds the statement takes in a fresh interpreter (and its ``-X importtime`` report if asked)."""
    env = {key: value for key, value in os.environ.items() if key not in _IGNORED_ENVIRONMENT}
    env["PYTHONPYCACHEPREFIX"] = pycache
    code = f"import time\nt = time.perf_counter()\n{statement}\nprint((time.perf_counter() - t) * 1e3)"
    flags = ["-X", "importtime"] if importtime else []
    result = subprocess.run(
        [sys.executable, *flags, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    return float(result.stdout.strip()), result.stderr


def scenarios(runs: int, warmup: int, pycache: str) -> dict[str, Any]:
    """Each scenario's median ms, its ratio to the baseline, and the modules the last one adds to the baseline."""
    times: dict[str, list[float]] = {name: [] for name, _ in SCENARIOS}
    for index in range(warmup + runs):
        order = SCENARIOS if index % 2 == 0 else SCENARIOS[::-1]
        for name, statement in order:
            ms, _ = time_statement(statement, pycache)
            if index >= warmup:
                times[name].append(ms)
    summary = {name: summarize(values) for name, values in times.items()}
    base = summary[SCENARIOS[0][0]]["median"]
    _, baseline_report = time_statement(SCENARIOS[0][1], pycache, importtime=True)
    _, full_report = time_statement(SCENARIOS[-1][1], pycache, importtime=True)
    baseline = {m.group(4) for m in map(_LINE.match, baseline_report.splitlines()) if m}
    added = [
        (m.group(4), int(m.group(1)) / 1e3)
        for m in map(_LINE.match, full_report.splitlines())
        if m and m.group(4) not in baseline
    ]
    return {
        "ms": summary,
        "ratio_to_baseline": {name: summary[name]["median"] / base for name, _ in SCENARIOS},
        "added_modules_self_ms": sorted(added, key=lambda item: item[1], reverse=True)[:12],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="measured runs per module (default 15; at least 7)")
    parser.add_argument("--warmup", type=int, default=2, help="discarded runs per module (default 2)")
    args = parser.parse_args()
    subjects = ("requests", "eliza_client")

    if args.warmup < 1:
        raise SystemExit("--warmup must be at least 1: the first run writes the bytecode caches")

    runs: dict[str, list[dict[str, tuple[int, int, int]]]] = {name: [] for name in subjects}
    walls: dict[str, list[float]] = {name: [] for name in subjects}
    with tempfile.TemporaryDirectory(prefix="import-time-pycache-") as pycache:
        for index in range(args.warmup + args.runs):
            order = subjects if index % 2 == 0 else subjects[::-1]
            for module in order:
                modules, wall_ms = run_once(module, pycache)
                if module not in modules:
                    raise SystemExit(f"-X importtime did not report {module}")
                if index >= args.warmup:
                    runs[module].append(modules)
                    walls[module].append(wall_ms)
            print(f"  run {index + 1}/{args.warmup + args.runs} done", file=sys.stderr, flush=True)
        what_users_pay = scenarios(args.runs, args.warmup, pycache)

    cumulative_ms = {name: summarize([r[name][1] / 1e3 for r in runs[name]]) for name in subjects}
    wall_summary = {name: summarize(walls[name]) for name in subjects}
    delta = cumulative_ms["eliza_client"]["median"] - cumulative_ms["requests"]["median"]
    ratio = cumulative_ms["eliza_client"]["median"] / cumulative_ms["requests"]["median"]
    wall_ratio = wall_summary["eliza_client"]["median"] / wall_summary["requests"]["median"]
    # Paired by run: the two imports of run i ran back to back.
    paired = summarize(
        [
            (e["eliza_client"][1] - r["requests"][1]) / 1e3
            for e, r in zip(runs["eliza_client"], runs["requests"], strict=True)
        ]
    )
    paired_ratio = summarize(
        [e["eliza_client"][1] / r["requests"][1] for e, r in zip(runs["eliza_client"], runs["requests"], strict=True)]
    )

    baseline_modules = set().union(*(r.keys() for r in runs["requests"]))
    own_by_module: dict[str, list[int]] = defaultdict(list)
    cumulative_by_module: dict[str, list[int]] = defaultdict(list)
    for modules in runs["eliza_client"]:
        for name, (own, cumulative, _) in modules.items():
            if name not in baseline_modules:
                own_by_module[name].append(own)
                cumulative_by_module[name].append(cumulative)
    extra = {
        name: (statistics.median(own_by_module[name]) / 1e3, statistics.median(cumulative_by_module[name]) / 1e3)
        for name in own_by_module
    }
    top = sorted(extra.items(), key=lambda item: item[1][0], reverse=True)[:10]
    by_package: dict[str, float] = defaultdict(float)
    for name, (own_ms, _) in extra.items():
        by_package[name.split(".", 1)[0]] += own_ms
    top_packages = sorted(by_package.items(), key=lambda item: item[1], reverse=True)[:10]
    met = ratio <= TARGET_RATIO

    results: dict[str, Any] = {
        "cumulative_ms": cumulative_ms,
        "process_wall_ms": wall_summary,
        "ratio": ratio,
        "ratio_paired": paired_ratio,
        "process_wall_ratio": wall_ratio,
        "delta_ms": delta,
        "delta_ms_paired": paired,
        "target_max_ratio": TARGET_RATIO,
        "met": met,
        "extra_modules": len(extra),
        "top_modules_by_self_ms": [{"module": n, "self_ms": s, "cumulative_ms": c} for n, (s, c) in top],
        "top_packages_by_self_ms": [{"package": n, "self_ms": s} for n, s in top_packages],
        "scenarios": what_users_pay,
    }

    print(f"\nImport time ({args.runs} runs each, -X importtime cumulative ms, median [q1–q3])")
    print(machine_line(machine_info()))
    print_table(
        ["import", "cumulative ms", "process wall ms"],
        [
            [name, fmt_spread(cumulative_ms[name], "{:.1f}"), fmt_spread(wall_summary[name], "{:.1f}")]
            for name in subjects
        ],
    )
    print(
        f"\neliza_client / requests: {ratio:.3f}× (paired per run: {fmt_spread(paired_ratio, '{:.3f}×')}; "
        f"process wall {wall_ratio:.3f}×); target ≤ {TARGET_RATIO:.2f}×: {'met' if met else 'MISSED'}"
    )
    print(f"eliza_client − requests: {delta:+.1f} ms (paired per run: {fmt_spread(paired, '{:+.1f}')} ms)")
    print(f"\nTop 10 of the {len(extra)} modules eliza_client adds (median self ms):")
    print_table(["module", "self ms", "cumulative ms"], [[n, f"{s:.2f}", f"{c:.2f}"] for n, (s, c) in top])
    print("\nThe same, grouped by top-level package:")
    print_table(["package", "self ms"], [[n, f"{s:.2f}"] for n, s in top_packages])
    print("\nWhat a user pays (fresh interpreter, perf_counter around the statement, median [q1–q3]):")
    ratios = what_users_pay["ratio_to_baseline"]
    print_table(
        ["scenario", "ms", "× baseline"],
        [[name, fmt_spread(what_users_pay["ms"][name], "{:.1f}"), f"{ratios[name]:.3f}×"] for name, _ in SCENARIOS],
    )
    print("Modules the last scenario adds to the baseline (self ms, one -X importtime run):")
    print_table(["module", "self ms"], [[n, f"{ms:.2f}"] for n, ms in what_users_pay["added_modules_self_ms"]])
    path = write_results(
        "import_time",
        results,
        settings={
            "runs": args.runs,
            "warmup": args.warmup,
            "bytecode": "cached (written by the warm-up runs to a temporary PYTHONPYCACHEPREFIX)",
        },
    )
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
