"""Paging: ``client.sessions.iter_messages`` over 20 000 messages vs a hand-written ``requests`` paging loop.

    python scripts/bench/paging.py [--messages 20000] [--small 2000] [--rounds 5] [--warmup 1]

Setup: the local server (``rate_limit=None``) runs with a clock that advances exactly 1 ms per request, so each
seeded message has its own millisecond. That keeps the comparison fair: the facade asks for the next page with
``before = oldest + 1 ms`` so that messages sharing the boundary millisecond are never skipped, which means it
fetches each page edge twice (one message per page here; with many ties it would re-fetch more), while the raw
loop trusts ``cursors.before`` and would skip tied messages. Messages are seeded through the server's real send
route (``http`` transport, whose agent replies are not stored), over a bare ``requests.Session``.

* Throughput (target ≥ 0.95× raw): the raw loop pages with ``limit=100`` and ``before = cursors.before`` while
  ``hasMore``, parsing JSON into dicts only; the facade iterates ``iter_messages`` (page size 100) into public
  models. Both count the messages they get (and must get all of them). The two walks run in lockstep, a page's
  worth of messages at a time in alternating order, so load on the machine hits both alike.
* Memory (target: peak for 20 000 within 10 MB of the peak for 2 000): ``tracemalloc`` peak while iterating each
  session with the facade (the server is in another process, so only the client is traced).

Writes ``scripts/bench/results/paging.json``.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import requests
from _common import (
    RAW_TIMEOUT,
    SESSIONS_PATH,
    Variant,
    common_arguments,
    fmt_spread,
    local_server,
    machine_info,
    machine_line,
    paired_ratios,
    print_table,
    raw_create_session,
    run_lockstep,
    seed_messages,
    summarize,
    write_results,
)

from eliza_client import ElizaClient

THROUGHPUT_TARGET = 0.95
MEMORY_TARGET_MB = 10.0
PAGE = 100


def raw_walk(http: requests.Session, base_url: str, session_id: str, stats: dict[str, int]) -> Iterator[dict[str, Any]]:
    """The hand-written loop, as a generator of message dicts; counts its requests in ``stats``."""
    url = f"{base_url}{SESSIONS_PATH}/{session_id}/messages"
    params: dict[str, int] = {"limit": PAGE}
    while True:
        response = http.get(url, params=params, timeout=RAW_TIMEOUT)
        response.raise_for_status()
        stats["requests"] = stats.get("requests", 0) + 1
        page: dict[str, Any] = response.json()
        yield from page["messages"]
        if not page["hasMore"]:
            return
        params = {"limit": PAGE, "before": page["cursors"]["before"]}


def count_all(messages: Iterator[Any]) -> int:
    count = 0
    for _message in messages:
        count += 1
    return count


def stepper(make: Callable[[], Iterator[Any]], counts: list[int]) -> Callable[[], Callable[[], object]]:
    """A ``Variant.start``: each step pulls up to one page's worth of messages from a fresh walk."""

    def start() -> Callable[[], object]:
        walk = make()
        counts.append(0)

        def step() -> None:
            pulled = 0
            for _message in itertools.islice(walk, PAGE):
                pulled += 1
            counts[-1] += pulled

        return step

    return start


def peak_mb(run: Callable[[], object]) -> float:
    """Peak traced memory (MB) while ``run()`` runs."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000, help="messages in the big session (default 20000)")
    parser.add_argument("--small", type=int, default=2_000, help="messages in the small session (default 2000)")
    parser.add_argument("--memory-reps", type=int, default=2, help="tracemalloc runs per session (default 2)")
    common_arguments(parser, rounds=4, warmup=1)
    args = parser.parse_args()
    big_n: int = args.messages
    small_n: int = args.small

    with local_server(mode=args.server, clock="step") as server:
        base = server.base_url
        http = requests.Session()
        big = raw_create_session(http, base, server.agent_id, str(uuid.uuid4()))
        small = raw_create_session(http, base, server.agent_id, str(uuid.uuid4()))
        started = time.perf_counter()
        seed_messages(base, big, big_n)
        seed_messages(base, small, small_n)
        seeding_s = time.perf_counter() - started
        print(f"seeded {big_n} + {small_n} messages in {seeding_s:.1f} s")
        client = ElizaClient(base)

        # How many requests each walk makes (the facade re-fetches each page's boundary message).
        raw_stats: dict[str, int] = {}
        raw_count = count_all(raw_walk(http, base, big, raw_stats))
        counting = requests.Session()
        seen_requests: list[int] = []
        counting.hooks["response"].append(lambda response, *a, **k: seen_requests.append(response.status_code))
        with ElizaClient(base, session=counting) as counted:
            ids = {m.id for m in counted.sessions.iter_messages(big, page_size=PAGE)}
        counting.close()
        facade_requests = len(seen_requests)
        if raw_count != big_n or len(ids) != big_n:
            raise SystemExit(f"count mismatch: raw {raw_count}, facade {len(ids)} distinct of {big_n}")
        del ids

        raw_counts: list[int] = []
        facade_counts: list[int] = []
        variants = [
            Variant("raw", stepper(lambda: raw_walk(http, base, big, {}), raw_counts), big_n),
            Variant(
                "facade", stepper(lambda: client.sessions.iter_messages(big, page_size=PAGE), facade_counts), big_n
            ),
        ]
        # One step per page, plus one so both walks reach their end (the raw loop's last request is empty).
        samples = run_lockstep(variants, steps=big_n // PAGE + 2, rounds=args.rounds, warmup=args.warmup)
        if set(raw_counts) != {big_n} or set(facade_counts) != {big_n}:
            raise SystemExit(f"a walk missed messages: raw {raw_counts}, facade {facade_counts}")

        memory: dict[str, list[float]] = {"facade_small": [], "facade_big": [], "raw_small": [], "raw_big": []}
        for rep in range(args.memory_reps):
            memory["facade_small"].append(peak_mb(lambda: count_all(client.sessions.iter_messages(small))))
            memory["facade_big"].append(peak_mb(lambda: count_all(client.sessions.iter_messages(big))))
            if rep == 0:  # the raw loop's peak, once, for reference
                memory["raw_small"].append(peak_mb(lambda: count_all(raw_walk(http, base, small, {}))))
                memory["raw_big"].append(peak_mb(lambda: count_all(raw_walk(http, base, big, {}))))
        client.close()
        http.close()

    # Throughput = messages per second = 1 / (seconds per message): the ratio is raw time / facade time.
    throughput_ratio = summarize([1 / r for r in paired_ratios(samples, "facade", "raw")])
    cpu_ratio = summarize([1 / r for r in paired_ratios(samples, "facade", "raw", cpu=True)])
    raw_rate = summarize([1 / s.wall for s in samples["raw"]])
    facade_rate = summarize([1 / s.wall for s in samples["facade"]])
    peak_small, peak_big = max(memory["facade_small"]), max(memory["facade_big"])
    growth = peak_big - peak_small
    results: dict[str, Any] = {
        "throughput": {
            "messages": big_n,
            "raw_messages_per_s": raw_rate,
            "facade_messages_per_s": facade_rate,
            "ratio_facade_over_raw": throughput_ratio,
            "client_cpu_ratio_facade_over_raw": cpu_ratio,
            "raw_client_cpu_us_per_message": summarize([x.cpu * 1e6 for x in samples["raw"]]),
            "facade_client_cpu_us_per_message": summarize([x.cpu * 1e6 for x in samples["facade"]]),
            "raw_requests": raw_stats["requests"],
            "facade_requests": facade_requests,
            "target_min": THROUGHPUT_TARGET,
            "met": throughput_ratio["median"] >= THROUGHPUT_TARGET,
        },
        "memory": {
            "peak_mb_runs": memory,
            "facade_peak_mb_small": peak_small,
            "facade_peak_mb_big": peak_big,
            "growth_mb": growth,
            "target_max_growth_mb": MEMORY_TARGET_MB,
            "met": growth <= MEMORY_TARGET_MB,
        },
        "seeding_seconds": seeding_s,
        "clock": "server clock advances exactly 1 ms per request: one message per millisecond, no ties",
    }

    print(f"\nPaging {big_n} messages ({args.rounds} rounds, server: {args.server})")
    print(machine_line(machine_info()))
    print_table(
        ["measure", "raw", "facade", "ratio", "target"],
        [
            [
                "messages/s (wall)",
                fmt_spread(raw_rate, "{:,.0f}"),
                fmt_spread(facade_rate, "{:,.0f}"),
                fmt_spread(throughput_ratio, "{:.3f}×"),
                f"≥ {THROUGHPUT_TARGET}×: {'met' if results['throughput']['met'] else 'MISSED'}",
            ],
            [
                "client CPU µs/message",
                fmt_spread(summarize([x.cpu * 1e6 for x in samples["raw"]]), "{:.2f}"),
                fmt_spread(summarize([x.cpu * 1e6 for x in samples["facade"]]), "{:.2f}"),
                fmt_spread(cpu_ratio, "{:.2f}×"),
                "(informative)",
            ],
            ["requests per walk", str(raw_stats["requests"]), str(facade_requests), "", ""],
            [
                f"peak MB, {small_n} msgs",
                f"{max(memory['raw_small']):.2f}",
                f"{peak_small:.2f}",
                "",
                "",
            ],
            [
                f"peak MB, {big_n} msgs",
                f"{max(memory['raw_big']):.2f}",
                f"{peak_big:.2f}",
                f"+{growth:.2f} MB",
                f"≤ +{MEMORY_TARGET_MB:.0f} MB: {'met' if results['memory']['met'] else 'MISSED'}",
            ],
        ],
    )
    if args.server == "thread":
        print("(server in this process: the CPU figures include the server's work)")
    path = write_results(
        "paging",
        results,
        settings={
            "messages": big_n,
            "small": small_n,
            "page_size": PAGE,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "memory_reps": args.memory_reps,
            "server": args.server,
        },
    )
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
