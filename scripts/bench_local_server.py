"""Requests per second of the local sessions server, on loopback.

Measures GET session and send message (websocket transport) from 1 and 8 client threads, each thread with its
own keep-alive ``requests.Session``. Counts are bounded; the rate limiter is off; it only prints.

    python scripts/bench_local_server.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

from eliza_client.testing import LocalSessionsServer

SESSIONS = "/api/messaging/sessions"


def run(threads: int, total: int, make_call: Callable[[requests.Session], Callable[[], int]]) -> tuple[float, int]:
    """Run ``total`` calls spread over ``threads`` threads; return (requests per second, failures)."""
    per_thread = total // threads

    def worker(_: int) -> int:
        failures = 0
        with requests.Session() as http:
            call = make_call(http)
            call()  # warm the connection up
            for _ in range(per_thread):
                if call() >= 400:
                    failures += 1
        return failures

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        failures = sum(pool.map(worker, range(threads)))
    elapsed = time.perf_counter() - started
    return per_thread * threads / elapsed, failures


def main() -> None:
    """Print a small table of results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per measurement (default 2000)")
    args = parser.parse_args()

    with LocalSessionsServer(rate_limit=None, reply_delay=0.15) as server:
        base = server.base_url + SESSIONS
        setup = requests.Session()
        session_id = setup.post(base, json={"agentId": server.agent_id, "userId": str(uuid.uuid4())}).json()[
            "sessionId"
        ]
        setup.close()

        def get_session(http: requests.Session) -> Callable[[], int]:
            url = f"{base}/{session_id}"
            return lambda: http.get(url, timeout=30).status_code

        def send_message(http: requests.Session) -> Callable[[], int]:
            url = f"{base}/{session_id}/messages"
            return lambda: http.post(url, json={"content": "benchmark"}, timeout=30).status_code

        rows = []
        for name, factory in (("GET session", get_session), ("send message (websocket)", send_message)):
            for threads in (1, 8):
                rate, failures = run(threads, args.requests, factory)
                rows.append((name, threads, rate, failures))
        server.wait_for_agent_replies(60)

    print(f"local sessions server, {args.requests} requests per row, loopback, rate limit off")
    print(f"{'operation':<26} {'threads':>7} {'req/s':>9} {'errors':>7}")
    for name, threads, rate, failures in rows:
        print(f"{name:<26} {threads:>7} {rate:>9.0f} {failures:>7}")


if __name__ == "__main__":
    main()
