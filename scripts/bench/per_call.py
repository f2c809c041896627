"""Per-call overhead: ``client.sessions.get`` / ``send_message`` vs the same request with a bare ``requests.Session``.

    python scripts/bench/per_call.py [--calls 100] [--id-calls 10] [--rounds 20] [--warmup 2]
                                     [--server process|thread] [--profile] [--no-anchor]

All sides talk to the same local server (``rate_limit=None``, loopback), the same session, with the same payload
shape: the raw send carries the ``metadata.clientMessageId`` (a fresh UUID per call) that the facade adds, uses
the websocket transport like ``send_message``, passes the facade's default ``(5, 30)`` timeout, and parses the
answer with ``response.json()``. The raw side is a default ``requests.Session()`` (``trust_env=True``, its default
adapter), as a user without the client would write it. The kinds of call are interleaved call by call (rotating
order), ``--calls`` of each per round, for ``--rounds`` rounds after ``--warmup`` discarded rounds; the ratio
facade/raw is taken per round and summarised (median [q1–q3]). ``--profile`` adds a cProfile comparison: where the
facade spends more. A send with a caller's ``client_message_id`` (its idempotency look-up's worst case, 10 page
reads) is reported, not targeted; being 50-60× slower and allocation-heavy it is timed in a second lockstep phase
(``--id-calls`` per round, against the same raw send), so that it does not slow the calls around it.

The target is ≤ 1.00× raw in wall time **and** in client CPU per call (``time.process_time``) for ``get`` and
``send_message``. Client CPU isolates the client-side cost the server's time dilutes, so it needs the server in its
own process (``--server process``, the default); with ``--server thread`` it includes the server's work.

The anchor (unless ``--no-anchor``): the same two calls through the client that stock openapi-python-client 0.29.1
generates from ``openapi.yaml`` with its default (httpx) templates, generated into a temporary directory at run time
(see ``anchor.py``, which also splits get's cost between httpx and the generated code). It needs
``openapi-python-client==0.29.1`` and ``httpx`` in this interpreter: ``pip install -e '.[test]'`` brings both (httpx
is a dependency of the generator). The benchmark installs nothing itself.

Writes ``scripts/bench/results/per_call.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import pstats
import sys
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
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

TARGET = 1.00
CONTENT = "Hello! How are you today?"
OPERATIONS = ("get", "send_message")


def _short(filename: str) -> str:
    """A readable file name without machine paths: relative to site-packages (also a virtualenv's inside the
    repository), the repository or the stdlib."""
    if "/site-packages/" in filename:
        return filename.rsplit("/site-packages/", 1)[-1]
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
    return [row for row in rows if "_socket.socket" not in row["function"]]


def _layer(function: str) -> str:
    """Which layer a profiled function belongs to."""
    for prefix, layer in (
        ("eliza_client/", "eliza_client (facade)"),
        ("generated/", "eliza_sessions_api (generated)"),
        ("eliza_sessions_api/", "eliza_sessions_api (generated)"),
        ("cattrs/", "attrs/cattrs"),
        ("attr/", "attrs/cattrs"),
        ("requests/", "requests"),
        ("urllib3/", "urllib3"),
    ):
        if function.startswith(prefix):
            return layer
    return "stdlib and builtins"


def _by_layer(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Extra own µs per call, summed by layer (negative: the facade spends less there than raw)."""
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        totals[_layer(row["function"])] += row["extra_own_us_per_op"]
    return dict(sorted(totals.items(), key=lambda item: item[1], reverse=True))


@contextmanager
def _anchor_modules(enabled: bool) -> Iterator[tuple[Any, Any, Any, Any] | None]:
    """The stock httpx client generated into a temporary directory: (client module, get_session, send_message,
    SendMessageRequest), or None when not ``enabled``. Exits with instructions when the generator or httpx is
    missing (nothing is installed)."""
    if not enabled:
        yield None
        return
    try:
        import httpx  # noqa: F401  (the generated client's transport)
        from anchor import PACKAGE, generate_default_client
    except ImportError as error:
        raise SystemExit(
            f"the anchor needs httpx and openapi-python-client 0.29.1 ({error}): pip install -e '.[test]',"
            " or run with --no-anchor"
        ) from error
    with tempfile.TemporaryDirectory(prefix="per-call-httpx-") as tmp:
        generate_default_client(Path(tmp))
        sys.path.insert(0, tmp)
        try:
            modules = (
                importlib.import_module(f"{PACKAGE}.client"),
                importlib.import_module(f"{PACKAGE}.api.sessions.get_session"),
                importlib.import_module(f"{PACKAGE}.api.sessions.send_message"),
                importlib.import_module(f"{PACKAGE}.models.send_message_request").SendMessageRequest,
            )
        finally:
            sys.path.remove(tmp)
        yield modules


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100, help="calls of each kind per round (default 100)")
    parser.add_argument(
        "--id-calls", type=int, default=10, help="sends with a caller's id per round, in their own phase (default 10)"
    )
    parser.add_argument("--profile", action="store_true", help="also profile the facade calls (cProfile)")
    parser.add_argument(
        "--no-anchor", action="store_true", help="leave out the stock httpx-generated client (no httpx needed)"
    )
    common_arguments(parser, rounds=20, warmup=2)
    args = parser.parse_args()
    calls: int = args.calls
    id_calls: int = args.id_calls
    with_anchor = not args.no_anchor

    with (
        _anchor_modules(with_anchor) as anchor_modules,
        local_server(mode=args.server, clock="system") as server,
    ):
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
        ]
        anchor_client: Any = None
        if anchor_modules is not None:
            import httpx

            client_module, anchor_get_session, anchor_send_message, send_request = anchor_modules
            anchor_client = client_module.Client(base_url=base, timeout=httpx.Timeout(30.0, connect=5.0))

            def anchor_get() -> None:
                response = anchor_get_session.sync_detailed(session_id, client=anchor_client)
                if response.status_code != 200 or response.parsed is None:
                    raise RuntimeError(f"anchor get: {response.status_code}")

            def anchor_send() -> None:
                # The body a user of the stock client builds: the same fields as the raw and facade sends.
                body = send_request.from_dict(
                    {"content": CONTENT, "transport": "websocket", "metadata": {"clientMessageId": str(uuid.uuid4())}}
                )
                response = anchor_send_message.sync_detailed(session_id, client=anchor_client, body=body)
                if response.status_code != 201 or response.parsed is None:
                    raise RuntimeError(f"anchor send_message: {response.status_code}")

            variants += [
                Variant("anchor get", repeat(anchor_get), calls),
                Variant("anchor send_message", repeat(anchor_send), calls),
            ]
        samples = run_lockstep(variants, steps=calls, rounds=args.rounds, warmup=args.warmup)
        # The send with a caller's id is 50-60× slower and allocates a thousand models per call: run in the same
        # lockstep, it slowed the calls around it (the httpx anchor's CPU per get rose by a third, the raw call's
        # more than the facade's), so it is timed in a phase of its own against the same raw send.
        with_id = run_lockstep(
            [
                Variant("raw send_message", repeat(raw_send), id_calls),
                Variant("facade send_message_with_id", repeat(facade_send_with_id), id_calls),
            ],
            steps=id_calls,
            rounds=args.rounds,
            warmup=1,
        )
        samples["facade send_message_with_id"] = with_id["facade send_message_with_id"]
        samples["raw send_message (with_id phase)"] = with_id["raw send_message"]
        profiles: dict[str, Any] = {}
        if args.profile:
            profiles["get"] = _profile_diff(facade_get, raw_get)
            profiles["send_message"] = _profile_diff(facade_send, raw_send)
        client.close()
        raw.close()
        if anchor_client is not None:
            anchor_client.get_httpx_client().close()

    results: dict[str, Any] = {
        "target_ratio_max": TARGET,
        "target_measures": ["wall", "client_cpu"],
        "server": args.server,
        "operations": {},
    }
    rows = []
    for operation in (*OPERATIONS, "send_message_with_id"):
        # A send with a caller's id is compared with the same raw send: its extra cost is the idempotency lookup,
        # reported, not held to the per-call target.
        raw_name = "raw send_message (with_id phase)" if operation.endswith("_with_id") else f"raw {operation}"
        facade_name = f"facade {operation}"
        ratio = summarize(paired_ratios(samples, facade_name, raw_name))
        cpu_ratio = summarize(paired_ratios(samples, facade_name, raw_name, cpu=True))
        targeted = operation in OPERATIONS
        entry: dict[str, Any] = {
            "raw_ms_per_call": summarize([s.wall * 1e3 for s in samples[raw_name]]),
            "facade_ms_per_call": summarize([s.wall * 1e3 for s in samples[facade_name]]),
            "raw_client_cpu_ms_per_call": summarize([s.cpu * 1e3 for s in samples[raw_name]]),
            "facade_client_cpu_ms_per_call": summarize([s.cpu * 1e3 for s in samples[facade_name]]),
            "ratio": ratio,
            "client_cpu_ratio": cpu_ratio,
            "met_wall": ratio["median"] <= TARGET,
            "met_client_cpu": cpu_ratio["median"] <= TARGET,
            "met": ratio["median"] <= TARGET and cpu_ratio["median"] <= TARGET,
            "target": targeted,
        }
        anchor_name = f"anchor {operation}"
        if anchor_name in samples:
            entry["anchor_ms_per_call"] = summarize([s.wall * 1e3 for s in samples[anchor_name]])
            entry["anchor_client_cpu_ms_per_call"] = summarize([s.cpu * 1e3 for s in samples[anchor_name]])
            entry["ratio_vs_anchor"] = summarize(paired_ratios(samples, facade_name, anchor_name))
            entry["client_cpu_ratio_vs_anchor"] = summarize(paired_ratios(samples, facade_name, anchor_name, cpu=True))
            entry["raw_ratio_vs_anchor"] = summarize(paired_ratios(samples, raw_name, anchor_name))
            entry["raw_client_cpu_ratio_vs_anchor"] = summarize(paired_ratios(samples, raw_name, anchor_name, cpu=True))
        results["operations"][operation] = entry
        status = f"≤ {TARGET:.2f}× wall and CPU: {'met' if entry['met'] else 'MISSED'}" if targeted else "report"
        rows.append(
            [
                operation,
                fmt_spread(entry["raw_ms_per_call"]),
                fmt_spread(entry["facade_ms_per_call"]),
                fmt_spread(ratio, "{:.3f}×"),
                fmt_spread(cpu_ratio, "{:.3f}×"),
                status,
            ]
        )
    if profiles:
        results["profile_extra_own_time_vs_raw"] = {op: top[:15] for op, top in profiles.items()}
        results["profile_extra_own_time_vs_raw_by_layer"] = {op: _by_layer(top) for op, top in profiles.items()}

    print(f"\nPer-call overhead ({calls} calls × {args.rounds} rounds per operation, server: {args.server})")
    print(machine_line(machine_info()))
    print_table(
        ["operation", "raw ms/call", "facade ms/call", "ratio (wall)", "ratio (client CPU)", "target"],
        rows,
    )
    if with_anchor:
        print("\nAgainst the stock httpx-generated client (openapi-python-client default templates), same run:")
        print_table(
            [
                "operation",
                "anchor ms/call",
                "anchor CPU ms/call",
                "facade/anchor wall",
                "facade/anchor CPU",
                "raw/anchor wall",
                "raw/anchor CPU",
            ],
            [
                [
                    operation,
                    fmt_spread(entry["anchor_ms_per_call"]),
                    fmt_spread(entry["anchor_client_cpu_ms_per_call"]),
                    fmt_spread(entry["ratio_vs_anchor"], "{:.3f}×"),
                    fmt_spread(entry["client_cpu_ratio_vs_anchor"], "{:.3f}×"),
                    fmt_spread(entry["raw_ratio_vs_anchor"], "{:.3f}×"),
                    fmt_spread(entry["raw_client_cpu_ratio_vs_anchor"], "{:.3f}×"),
                ]
                for operation in OPERATIONS
                if "ratio_vs_anchor" in (entry := results["operations"][operation])
            ],
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
                    for r in top[:15]
                ],
            )
            print(f"\n{operation}: the same, summed by layer (negative: less than raw)")
            print_table(
                ["extra own µs", "layer"],
                [[f"{total:+.1f}", layer] for layer, total in _by_layer(top).items()],
            )
    if args.server == "thread":
        print("(server in this process: the CPU figures include the server's work)")
    path = write_results(
        "per_call",
        results,
        settings={
            "calls_per_round": calls,
            "send_with_id_calls_per_round": id_calls,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "server": args.server,
            "anchor": with_anchor,
        },
    )
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
