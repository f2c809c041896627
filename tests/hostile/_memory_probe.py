"""Run one client call in a fresh process and report its outcome and the process's peak memory growth.

Usage: python _memory_probe.py BASE_URL OPERATION MAX_RESPONSE_BYTES MAX_EVENT_BYTES
Prints one JSON line: {"error": <exception class, or "ok">, "peak_growth": <bytes>, "elapsed": <seconds>}; for a
ReplyLostError the error reads "ReplyLostError<-" and its cause's class.
"""

from __future__ import annotations

import json
import resource
import sys
import time

from eliza_client import ElizaClient, Limits, Timeout

SESSION_ID = "8a3f2b1c-4d5e-4f60-8a7b-9c0d1e2f3a4b"


def peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def main() -> None:
    url, operation, max_response, max_event = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    limits = Limits(max_response_bytes=max_response, max_event_bytes=max_event)
    with ElizaClient(url, limits=limits, max_retries=0, timeout=Timeout(5, 5, 30), reply_timeout=5) as client:
        before = peak()
        started = time.monotonic()
        outcome = "ok"
        try:
            if operation == "get":
                client.sessions.get(SESSION_ID)
            elif operation == "stream":
                with client.sessions.stream(SESSION_ID, "hello", client_message_id="cmid-stream") as stream:
                    for _ in stream:
                        pass
            else:
                raise SystemExit(f"unknown operation {operation}")
        except Exception as err:  # the type is the result
            outcome = type(err).__name__
            if err.__cause__ is not None and type(err).__name__ == "ReplyLostError":
                outcome += "<-" + type(err.__cause__).__name__
        print(json.dumps({"error": outcome, "peak_growth": peak() - before, "elapsed": time.monotonic() - started}))


if __name__ == "__main__":
    main()
