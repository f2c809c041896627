"""What the pytest plugin costs a pytest run that uses none of its fixtures: interpreter start-up time.

    python scripts/bench/plugin_startup.py [--runs 9]

pytest imports every ``pytest11`` entry point at startup, in every run in an environment that has the client
installed. Each run is a fresh interpreter (``python -c "import pytest[, plugin]"``); the commands are interleaved
so a slow moment of the machine hits each alike, after one warm-up run of each. Printed, not written to results:
the deterministic part (which modules the plugin imports) is asserted by
``tests/local_server/test_plugin_import_cost.py``; this is the time, too noisy for a test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "baseline": "import pytest",
    "_eliza_client_pytest (the entry point)": "import pytest, _eliza_client_pytest",
    "eliza_client.testing.pytest_plugin": "import pytest, eliza_client.testing.pytest_plugin",
}


def seconds(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    for code in COMMANDS.values():
        seconds(code)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, code in COMMANDS.items():
            times[name].append(seconds(code))
    median = {name: statistics.median(values) for name, values in times.items()}
    baseline = median.pop("baseline")
    print(f"median of {runs} interleaved runs: `import pytest` {baseline * 1000:.0f} ms")
    for name, value in median.items():
        print(f"  + {name}: {(value - baseline) * 1000:+.1f} ms")


if __name__ == "__main__":
    main()
