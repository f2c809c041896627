"""Parsing: turning 100 000 history message dicts into models — the facade's cattrs converter vs ``from_dict``.

    python scripts/bench/parsing.py [--messages 100000] [--rounds 5] [--warmup 1]

The sample is real: a session on the local server (``rate_limit=None``, a 1-ms-per-request clock, agent replies
stored at once) gets messages sent with ``client.sessions.send_message`` (so user messages carry the server's
metadata plus the facade's ``clientMessageId``, and the agent's replies carry theirs); its history is read page by
page (100 messages) as raw response bytes. Those pages are repeated to reach ``--messages`` messages and decoded
once into dicts, which every structuring variant then reads (none of them mutates its input). The variants run in
lockstep, page by page in rotating order, so load on the machine hits them alike.

Variants (messages per CPU second — parsing is CPU-bound, and CPU time ignores other processes' load — plus wall):

* ``json.loads`` of the page bytes (the cost every path pays first);
* the facade's path: ``eliza_client._converter.structure(page, MessagePage, ...)``, and per message
  ``converter.structure(d, Message)``;
* the generated models: ``eliza_sessions_api.models.MessagePage.from_dict`` / ``Message.from_dict`` (generated
  models, *not* the public ones: no type checks, no ``extra``), and ``MessagePage.from_dict`` followed by the copy
  into the public models that a facade built on it would need;
* a hand-written structuring function with the converter's checks (types, extra keys, ISO timestamps via
  ``datetime.fromisoformat`` for the server's exact format) — a floor for what an optimised converter could reach.

Writes ``scripts/bench/results/parsing.json``.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
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
    summarize,
    write_results,
)

from eliza_client import ElizaClient, Message, MessagePage
from eliza_client._converter import get_converter, structure
from eliza_client._timestamps import from_epoch_ms, parse_iso
from eliza_sessions_api.models import Cursors
from eliza_sessions_api.models import Message as GeneratedMessage
from eliza_sessions_api.models import MessagePage as GeneratedMessagePage

PAGE = 100
_MESSAGE_KEYS = frozenset({"id", "content", "authorId", "isAgent", "createdAt", "metadata"})


def collect_pages(sends: int, server_mode: Any) -> list[bytes]:
    """Raw history pages (newest first, 100 messages each) of a session with ``sends`` sends and their replies."""
    with local_server(mode=server_mode, clock="step", reply_delay=0.0) as server:
        http = requests.Session()
        session_id = raw_create_session(http, server.base_url, server.agent_id, str(uuid.uuid4()))
        with ElizaClient(server.base_url) as client:
            for index in range(sends):
                client.sessions.send_message(session_id, f"Tell me something about topic {index}, please.")
        url = f"{server.base_url}{SESSIONS_PATH}/{session_id}/messages"
        deadline = time.monotonic() + 20
        # Replies are stored in send order: once the newest message is a reply, all of them are (bounded wait).
        while time.monotonic() < deadline:
            newest = http.get(url, params={"limit": 1}, timeout=RAW_TIMEOUT).json()["messages"]
            if newest and newest[0]["isAgent"]:
                break
            time.sleep(0.1)
        pages: list[bytes] = []
        params: dict[str, int] = {"limit": PAGE}
        while True:
            response = http.get(url, params=params, timeout=RAW_TIMEOUT)
            response.raise_for_status()
            page = response.json()
            if len(page["messages"]) == PAGE:
                pages.append(response.content)
            if not page["hasMore"]:
                break
            params = {"limit": PAGE, "before": page["cursors"]["before"]}
        http.close()
    if not pages:
        raise SystemExit("no full page of history was collected")
    return pages


# --- alternative paths -----------------------------------------------------------------------------------


def generated_to_public(page: Mapping[str, Any]) -> MessagePage:
    """What a facade built on the generated ``from_dict`` would have to do: parse, then copy into public models."""
    generated = GeneratedMessagePage.from_dict(page)
    cursors = generated.cursors
    before = after = None
    if isinstance(cursors, Cursors):
        before, after = from_epoch_ms(cursors.before), from_epoch_ms(cursors.after)
    return MessagePage(
        messages=tuple(
            Message(
                id=m.id,
                content=m.content,
                author_id=m.author_id,
                is_agent=m.is_agent,
                created_at=m.created_at,
                metadata=m.metadata.additional_properties,
            )
            for m in generated.messages
        ),
        has_more=generated.has_more,
        before=before,
        after=after,
    )


def _iso(value: Any) -> datetime:
    # The server's exact format (toISOString: 24 characters, "Z") through the C parser; anything else through the
    # facade's full parser, so nothing it accepts is lost.
    if type(value) is str and len(value) == 24 and value[23] == "Z":
        return datetime.fromisoformat(value)
    return parse_iso(value, field="createdAt")


def _hand_message(d: Any) -> Message:
    if type(d) is not dict:
        raise TypeError("expected a JSON object")
    id_, content, author, is_agent, metadata = d["id"], d["content"], d["authorId"], d["isAgent"], d["metadata"]
    if type(id_) is not str or type(content) is not str or type(author) is not str or type(is_agent) is not bool:
        raise TypeError("bad message field")
    extra_keys = d.keys() - _MESSAGE_KEYS
    return Message(
        id=id_,
        content=content,
        author_id=author,
        is_agent=is_agent,
        created_at=_iso(d["createdAt"]),
        metadata=metadata if type(metadata) is dict else {},
        extra={key: d[key] for key in extra_keys} if extra_keys else {},
    )


def hand_written(page: Any) -> MessagePage:
    """The converter's checks, written out by hand (a floor, not a proposal to drop cattrs)."""
    cursors = page.get("cursors")
    has_more = page["hasMore"]
    if type(has_more) is not bool:
        raise TypeError("hasMore")
    return MessagePage(
        messages=tuple([_hand_message(d) for d in page["messages"]]),
        has_more=has_more,
        before=from_epoch_ms(cursors["before"]) if cursors else None,
        after=from_epoch_ms(cursors["after"]) if cursors else None,
    )


def check_equivalent(page: Mapping[str, Any]) -> None:
    """Every path that builds public models must build the same ones."""
    reference = structure(page, MessagePage, operation="list_messages", status_code=200)
    for name, other in (("generated_to_public", generated_to_public(page)), ("hand_written", hand_written(page))):
        if other != reference:
            raise SystemExit(f"{name} builds different models than the converter")
    if reference.messages[0].created_at.tzinfo is not UTC and reference.messages[0].created_at.utcoffset():
        raise SystemExit("timestamps are not UTC")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000, help="messages to structure per round")
    parser.add_argument("--sends", type=int, default=500, help="messages sent to build the sample (default 500)")
    common_arguments(parser, rounds=5, warmup=1)
    args = parser.parse_args()

    raw_pages = collect_pages(args.sends, args.server)
    repeat = -(-args.messages // (len(raw_pages) * PAGE))
    page_bytes = (raw_pages * repeat)[: -(-args.messages // PAGE)]
    total = len(page_bytes) * PAGE
    pages: list[dict[str, Any]] = [json.loads(b) for b in page_bytes]
    sample = pages[0]["messages"]
    agent_share = sum(1 for p in pages[: len(raw_pages)] for m in p["messages"] if m["isAgent"]) / (
        len(raw_pages) * PAGE
    )
    print(f"{len(raw_pages)} distinct pages, {total} messages ({agent_share:.0%} agent replies)")
    check_equivalent(pages[0])

    def per_page(fn: Callable[[Any], object]) -> Callable[[], Callable[[], object]]:
        """Step i structures page i."""

        def start() -> Callable[[], object]:
            pending = iter(pages)

            def step() -> None:
                fn(next(pending))

            return step

        return start

    def per_message(fn: Callable[[Any], object]) -> Callable[[], Callable[[], object]]:
        """Step i structures the 100 messages of page i, one call each."""

        def start() -> Callable[[], object]:
            pending = iter(pages)

            def step() -> None:
                for item in next(pending)["messages"]:
                    fn(item)

            return step

        return start

    def decode() -> Callable[[], object]:
        pending = iter(page_bytes)
        return lambda: json.loads(next(pending))

    def facade_page(page: Any) -> object:
        return structure(page, MessagePage, operation="list_messages", status_code=200)

    def facade_message(item: Any) -> object:
        return get_converter().structure(item, Message)

    variants = [
        Variant("json.loads (page bytes → dicts)", decode, total),
        Variant("cattrs converter: structure(page, MessagePage)", per_page(facade_page), total),
        Variant("cattrs converter: structure(d, Message)", per_message(facade_message), total),
        Variant("generated MessagePage.from_dict", per_page(GeneratedMessagePage.from_dict), total),
        Variant("generated Message.from_dict", per_message(GeneratedMessage.from_dict), total),
        Variant("generated MessagePage.from_dict + copy to public models", per_page(generated_to_public), total),
        Variant("hand-written, same checks (floor)", per_page(hand_written), total),
    ]
    samples = run_lockstep(variants, steps=len(pages), rounds=args.rounds, warmup=args.warmup)

    # Parsing is CPU-bound and single-threaded: CPU time is what it costs (wall time on an idle machine) and, unlike
    # wall time, it does not count the time other processes on a busy machine held the CPU. Both are reported.
    cattrs_name = "cattrs converter: structure(page, MessagePage)"
    from_dict_name = "generated MessagePage.from_dict"
    public_name = "generated MessagePage.from_dict + copy to public models"
    floor_name = "hand-written, same checks (floor)"
    rates = {name: summarize([1 / s.cpu for s in runs]) for name, runs in samples.items()}
    wall_rates = {name: summarize([1 / s.wall for s in runs]) for name, runs in samples.items()}
    per_message_us = {name: summarize([s.cpu * 1e6 for s in runs]) for name, runs in samples.items()}
    # Speed relative to the facade's converter, paired per round: converter time / variant time.
    versus = {name: summarize([1 / r for r in paired_ratios(samples, name, cattrs_name, cpu=True)]) for name in samples}
    faster = "generated from_dict" if versus[from_dict_name]["median"] > 1 else "cattrs converter"
    results = {
        "messages": total,
        "distinct_pages": len(raw_pages),
        "agent_reply_share": agent_share,
        "sample_message": sample[0],
        "messages_per_cpu_s": rates,
        "messages_per_wall_s": wall_rates,
        "cpu_us_per_message": per_message_us,
        "speed_vs_cattrs_page": versus,
        "faster_path": faster,
        "from_dict_over_cattrs": versus[from_dict_name]["median"],
        "from_dict_plus_public_copy_over_cattrs": versus[public_name]["median"],
        "hand_written_over_cattrs": versus[floor_name]["median"],
    }

    print(f"\nParsing {total} history messages ({args.rounds} rounds; CPU time, median [q1–q3])")
    print(machine_line(machine_info()))
    print_table(
        ["path", "messages/s", "µs/message", "speed vs converter", "messages/s (wall)"],
        [
            [
                name,
                fmt_spread(rates[name], "{:,.0f}"),
                f"{per_message_us[name]['median']:.2f}",
                fmt_spread(versus[name], "{:.2f}×"),
                f"{wall_rates[name]['median']:,.0f}",
            ]
            for name in samples
        ],
    )
    print(
        f"\nfaster of the two: {faster} (generated MessagePage.from_dict = {results['from_dict_over_cattrs']:.2f}× the "
        f"converter's speed; with the copy into public models {results['from_dict_plus_public_copy_over_cattrs']:.2f}×;"
        f" hand-written floor {results['hand_written_over_cattrs']:.2f}×)"
    )
    path = write_results(
        "parsing",
        results,
        settings={"messages": total, "sends": args.sends, "rounds": args.rounds, "warmup": args.warmup},
    )
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
