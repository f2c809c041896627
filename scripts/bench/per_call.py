"""Per-call overhead: ``client.sessions.get`` / ``send_message`` vs the same request with a bare ``requests.Session``.

    python scripts/bench/per_call.py [--calls 200] [--rounds 20] [--warmup 2] [--server process|thread]

Both sides talk to the same local server (``rate_limit=None``, loopback), the same session, with the same payload
shape: the raw send carries the ``metadata.clientMessageId`` (a fresh UUID per call) that the facade adds, uses
the websocket transport like ``send_message``, passes the facade's default ``(5, 30)`` timeout, and parses the
answer with ``response.json()``. The four kinds of call are interleaved call by call (rotating order), ``--calls``
of each per round, for ``--rounds`` rounds after ``--warmup`` discarded rounds; the ratio facade/raw is taken per
round and summarised (median [q1–q3]). ``--profile`` adds a cProfile comparison: where the facade spends more.

Wall time is the target (≤ 1.15× raw). With the server in its own process, client CPU per call
(``time.process_time``) is reported too: it isolates the client-side cost the server's time dilutes.
Writes ``scripts/bench/results/per_call.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import uuid
from collections.abc import Callable
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
    relative_path,
    repeat,
    run_lockstep,
    summarize,
    write_results,
)

from eliza_client import ElizaClient

TARGET = 1.15
CONTENT = "Hello! How are you today?"


def _short(filename: str) -> str:
    """A readable file name without machine paths: relative to the repository, site-packages or the stdlib."""
    return relative_path(filename)


def _own_times(run: Callable[[], object], calls: int) -> dict[str, tuple[float, float]]:
    """Per function: (calls per op, own µs per op) over ``calls`` profiled calls of ``run``."""
    for _ in range(20):
        run()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        run()
    profiler.disable()
    stats: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(profiler, stream=io.StringIO()).stats  # type: ignore[attr-defined]
    return {
        f"{_short(filename)}:{line}({function})": (entry[1] / calls, entry[2] / calls * 1e6)
        for (filename, line, function), entry in stats.items()
    }


def _profile_diff(facade: Callable[[], object], raw: Callable[[], object], calls: int = 500) -> list[dict[str, Any]]:
    """Where the facade spends more than the raw call: functions by extra own time (profiled, so inflated)."""
    subject, baseline = _own_times(facade, calls), _own_times(raw, calls)
    rows: list[dict[str, Any]] = []
    for name, (ncalls, own) in subject.items():
        base_calls, base_own = baseline.get(name, (0.0, 0.0))
        rows.append(
            {
                "function": name,
                "extra_own_us_per_op": own - base_own,
                "facade_calls_per_op": ncalls,
                "raw_calls_per_op": base_calls,
            }
        )
    rows.sort(key=lambda row: row["extra_own_us_per_op"], reverse=True)
    # Socket waits are the server's time, not client overhead.
    return [row for row in rows if "_socket.socket" not in row["function"]][:15]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100, help="calls of each kind per round (default 100)")
    parser.add_argument("--profile", action="store_true", help="also profile the facade calls (cProfile)")
    common_arguments(parser, rounds=20, warmup=2)
    args = parser.parse_args()
    calls: int = args.calls

    with local_server(mode=args.server, clock="system") as server:
        base = server.base_url
        raw = requests.Session()
        client = ElizaClient(base)
        session_id = raw_create_session(raw, base, server.agent_id, str(uuid.uuid4()))
        session_url = f"{base}{SESSIONS_PATH}/{session_id}"
        messages_url = f"{session_url}/messages"

        def raw_get() -> None:
            response = raw.get(session_url, timeout=RAW_TIMEOUT)
            response.raise_for_status()
            response.json()

        def facade_get() -> None:
            client.sessions.get(session_id)

        def raw_send() -> None:
            body = {"content": CONTENT, "transport": "websocket", "metadata": {"clientMessageId": str(uuid.uuid4())}}
            response = raw.post(messages_url, json=body, timeout=RAW_TIMEOUT)
            response.raise_for_status()
            response.json()

        def facade_send() -> None:
            client.sessions.send_message(session_id, CONTENT)

        def facade_send_with_id() -> None:
            # A caller's id is an idempotency key: the history is searched before the send. This session grows to
            # thousands of messages in seconds, so every lookup scans the newest 1 000 (10 pages): the worst case.
            client.sessions.send_message(session_id, CONTENT, client_message_id=str(uuid.uuid4()))

        variants = [
            Variant("raw get", repeat(raw_get), calls),
            Variant("facade get", repeat(facade_get), calls),
            Variant("raw send_message", repeat(raw_send), calls),
            Variant("facade send_message", repeat(facade_send), calls),
            Variant("facade send_message_with_id", repeat(facade_send_with_id), calls),
        ]
        samples = run_lockstep(variants, steps=calls, rounds=args.rounds, warmup=args.warmup)
        profiles: dict[str, Any] = {}
        if args.profile:
            profiles["get"] = _profile_diff(facade_get, raw_get)
            profiles["send_message"] = _profile_diff(facade_send, raw_send)
        client.close()
        raw.close()

    results: dict[str, Any] = {"target_ratio_max": TARGET, "operations": {}}
    rows = []
    for operation in ("get", "send_message", "send_message_with_id"):
        # A send with a caller's id is compared with the same raw send: its extra cost is the idempotency lookup,
        # reported, not held to the per-call target.
        raw_name = f"raw {operation.removesuffix('_with_id')}"
        facade_name = f"facade {operation}"
        ratio = summarize(paired_ratios(samples, facade_name, raw_name))
        cpu_ratio = summarize(paired_ratios(samples, facade_name, raw_name, cpu=True))
        entry: dict[str, Any] = {
            "raw_ms_per_call": summarize([s.wall * 1e3 for s in samples[raw_name]]),
            "facade_ms_per_call": summarize([s.wall * 1e3 for s in samples[facade_name]]),
            "raw_client_cpu_ms_per_call": summarize([s.cpu * 1e3 for s in samples[raw_name]]),
            "facade_client_cpu_ms_per_call": summarize([s.cpu * 1e3 for s in samples[facade_name]]),
            "ratio": ratio,
            "client_cpu_ratio": cpu_ratio,
            "met": ratio["median"] <= TARGET,
            "target": operation != "send_message_with_id",
        }
        results["operations"][operation] = entry
        rows.append(
            [
                operation,
                fmt_spread(entry["raw_ms_per_call"]),
                fmt_spread(entry["facade_ms_per_call"]),
                fmt_spread(ratio, "{:.3f}×"),
                fmt_spread(cpu_ratio, "{:.2f}×"),
                f"≤ {TARGET}×: {'met' if entry['met'] else 'MISSED'}" if entry["target"] else "report",
            ]
        )
    if profiles:
        results["profile_extra_own_time_vs_raw"] = profiles

    print(f"\nPer-call overhead ({calls} calls × {args.rounds} rounds per operation, server: {args.server})")
    print(machine_line(machine_info()))
    print_table(
        ["operation", "raw ms/call", "facade ms/call", "ratio (wall)", "ratio (client CPU)", "target"],
        rows,
    )
    if profiles:
        for operation, top in profiles.items():
            print(f"\n{operation}: where the facade spends more than raw (cProfile, µs per call, inflated)")
            print_table(
                ["extra own µs", "facade calls", "raw calls", "function"],
                [
                    [
                        f"{r['extra_own_us_per_op']:.1f}",
                        f"{r['facade_calls_per_op']:.0f}",
                        f"{r['raw_calls_per_op']:.0f}",
                        r["function"],
                    ]
                    for r in top
                ],
            )
    if args.server == "thread":
        print("(server in this process: the CPU figures include the server's work)")
    path = write_results(
        "per_call",
        results,
        settings={"calls_per_round": calls, "rounds": args.rounds, "warmup": args.warmup, "server": args.server},
    )
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
