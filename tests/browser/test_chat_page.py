"""The example's chat page (examples/django_app, ``/``) in headless Chromium, against the Django dev server and the
local sessions server: send a message and watch the reply stream in, load older messages to the start of the
conversation, see messages another client sends appear without a reload, and see errors shown.

Each run saves a screenshot of the page to ``reports/browser/chat-page.png``.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from eliza_client import ElizaClient
from eliza_client.testing import SILENT_MARKER, LocalSessionsServer, ManualClock

from .conftest import PLAYWRIGHT_HINT, REPORTS, TIMEOUT_MS

try:
    from playwright.sync_api import Locator, Page, Route, expect
except ImportError as exc:  # loud, at collection: never a skip
    raise ImportError(f"the browser tests need Playwright: {PLAYWRIGHT_HINT}") from exc

pytestmark = pytest.mark.browser


def messages_on_page(page: Page) -> list[dict[str, str]]:
    """The conversation as shown, top to bottom (history messages only, not streamed replies)."""
    return list(
        page.locator("#messages li.message[data-id]").evaluate_all(
            "items => items.map(li => ({id: li.dataset.id, text: li.querySelector('.text').textContent,"
            " who: li.querySelector('.who').textContent}))"
        )
    )


def open_session(page: Page, session_id: str) -> None:
    page.goto(f"/?session={session_id}")
    expect(page.locator("#session-id")).to_contain_text(session_id)


def new_session(page: Page) -> str:
    page.goto("/")
    page.click("#new-session")
    expect(page.locator("#session-id")).to_contain_text("Session ")
    expect(page.locator("#text")).to_be_enabled()
    session_id = page.evaluate("new URL(location.href).searchParams.get('session')")
    uuid.UUID(session_id)
    return str(session_id)


def send(page: Page, text: str) -> Locator:
    """Send from the page's form; returns the streamed reply's element once it is complete."""
    replies = page.locator("li.reply")
    before = replies.count()
    page.fill("#text", text)
    page.click("#send")
    expect(replies).to_have_count(before + 1)
    reply = replies.nth(before)
    expect(reply).to_have_attribute("data-state", "done")
    return reply


def wait_for(condition: Any, what: str, timeout: float = TIMEOUT_MS / 1000) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


# --- sending ----------------------------------------------------------------------------------------------------


def test_the_reply_streams_in_as_it_arrives(page: Page) -> None:
    new_session(page)
    # Every change of the reply's text is recorded in the page, so no intermediate state can be missed.
    page.evaluate(
        """() => {
          window.replyLengths = [];
          new MutationObserver(() => {
            const reply = document.querySelector("li.reply");
            if (!reply) return;
            const length = reply.querySelector(".text").textContent.length;
            const done = reply.dataset.state !== "streaming";
            const last = window.replyLengths[window.replyLengths.length - 1];
            if (!last || last.length !== length || last.done !== done) window.replyLengths.push({length, done});
          }).observe(document.getElementById("messages"), {subtree: true, childList: true, characterData: true,
                                                            attributes: true});
        }"""
    )
    reply = send(page, "hello")
    expect(reply.locator(".text")).to_have_text("You said: hello")
    lengths = page.evaluate("window.replyLengths")
    streaming = [entry["length"] for entry in lengths if not entry["done"]]
    # At least two different partial lengths before the reply was complete: it grew piece by piece.
    partial = sorted({n for n in streaming if 0 < n < len("You said: hello")})
    assert len(partial) >= 2, lengths
    assert streaming == sorted(streaming), lengths  # it only ever grew
    # The user's message is shown once, although it arrives twice (the stream's first event, then a poll).
    page.wait_for_timeout(1500)
    assert [m["text"] for m in messages_on_page(page)] == ["hello"]
    expect(page.locator("#error")).to_be_hidden()


def test_a_silent_agent_is_shown_as_no_reply(page: Page) -> None:
    new_session(page)
    reply = send(page, f"psst {SILENT_MARKER}")
    expect(reply.locator(".text")).to_have_text("(no reply)")


# --- history: load older ------------------------------------------------------------------------------------------


def seed(eliza: ElizaClient, clock: ManualClock, session_id: str, count: int, ties: int) -> list[str]:
    """Store ``count`` user messages, ``ties`` of them per millisecond; returns their contents, oldest first."""
    contents = []
    for index in range(count):
        if index % ties == 0:
            clock.advance(ms=1)
        content = f"seeded {index:02d}"
        eliza.sessions.send_and_wait(session_id, content)
        contents.append(content)
    clock.advance(ms=1)
    return contents


def test_load_older_until_the_start_shows_every_message_once_in_order(
    page: Page, eliza: ElizaClient, clock: ManualClock, sessions_server: LocalSessionsServer
) -> None:
    session = eliza.sessions.create(sessions_server.agent_id, str(uuid.uuid4()))
    # 45 messages, 6 per millisecond: pages of 20 end in the middle of a millisecond (after 20 and 40).
    seeded = seed(eliza, clock, session.id, count=45, ties=6)
    open_session(page, session.id)
    older = page.locator("#older")
    items = page.locator("#messages li.message[data-id]")
    expect(items).to_have_count(20)
    clicks = 0
    while older.is_visible():
        shown = items.count()
        older.click()
        expect(items).not_to_have_count(shown)
        clicks += 1
        assert clicks <= 5, "Load older never went away"
    assert clicks == 2
    expect(older).to_be_hidden()
    on_page = messages_on_page(page)
    assert sorted(m["text"] for m in on_page) == seeded  # every one exactly once
    # In the conversation's order (the library's, which is exact at ties), oldest at the top.
    history = [m.id for m in eliza.sessions.iter_messages(session.id, oldest_first=True)]
    assert [m["id"] for m in on_page] == history
    # And by time: within one millisecond the order is the server's; between milliseconds it is the clock's.
    texts = [m["text"] for m in on_page]
    assert [sorted(texts[i : i + 6]) for i in range(0, 45, 6)] == [seeded[i : i + 6] for i in range(0, 45, 6)]
    expect(page.locator("#error")).to_be_hidden()


# --- new messages, from another client ----------------------------------------------------------------------------


def test_messages_from_another_client_appear_without_reload(
    page: Page, eliza: ElizaClient, clock: ManualClock, sessions_server: LocalSessionsServer
) -> None:
    session = eliza.sessions.create(sessions_server.agent_id, str(uuid.uuid4()))
    # A conversation so far, sent over the websocket transport: the server stores the agent's replies too.
    for content in ("Hi Eliza!", "Can this page show older messages?", "And new ones, as they come?"):
        clock.advance(seconds=17)
        eliza.sessions.send_message(session.id, content)
        clock.advance(ms=900)  # before the server stores the reply (reply_delay): it comes a little later
        assert sessions_server.wait_for_agent_replies(timeout=5)
    clock.advance(seconds=21)
    open_session(page, session.id)
    expect(page.locator("#messages li.message[data-id]")).to_have_count(6)
    reply = send(page, "hello")
    expect(reply.locator(".text")).to_have_text("You said: hello")
    marker = page.evaluate("window.marker = Math.random()")
    # Another client of the same session, in the same millisecond as the page's newest message (the clock stands
    # still): the page's polling cursor must not miss a message sharing its boundary millisecond.
    eliza.sessions.send_message(session.id, "Hello from another tab")
    clock.advance(ms=700)  # the agent's stored reply, a little later
    other = page.locator('#messages li.message.user:has(.text:text-is("Hello from another tab"))')
    expect(other).to_have_count(1)
    # send_message uses the websocket transport: the server stores the agent's reply, which polling brings too.
    agent = page.locator('#messages li.message.agent[data-id]:has(.text:text-is("You said: Hello from another tab"))')
    expect(agent).to_have_count(1)
    assert page.evaluate("window.marker") == marker  # no reload happened
    texts = [m["text"] for m in messages_on_page(page)]
    assert texts.count("hello") == 1
    assert texts.count("Hello from another tab") == 1
    expect(page.locator("#error")).to_be_hidden()
    # The page as the README shows it; every run saves it.
    REPORTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(REPORTS / "chat-page.png"))


def test_a_burst_of_new_messages_is_walked_to_the_end(
    page: Page, eliza: ElizaClient, clock: ManualClock, sessions_server: LocalSessionsServer
) -> None:
    session = eliza.sessions.create(sessions_server.agent_id, str(uuid.uuid4()))
    seed(eliza, clock, session.id, count=3, ties=3)
    open_session(page, session.id)
    expect(page.locator("#messages li.message[data-id]")).to_have_count(3)
    # More than one polling page (100) arrives between two polls: the page walks the poll's next_cursor and
    # shows them all, once, in order. The next poll's request is held in the browser while they are sent.
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/messages/?*", hold, times=1)
    for _ in range(int(TIMEOUT_MS / 50)):
        if held:
            break
        page.wait_for_timeout(50)  # lets the browser's events through, unlike time.sleep
    assert held, "no poll within the timeout"
    # 3 per millisecond (the test clock stands still otherwise).
    burst = [f"burst {n:03d}" for n in range(120)]
    for index, content in enumerate(burst):
        if index % 3 == 2:
            clock.advance(ms=1)
        eliza.sessions.send_and_wait(session.id, content)
    held[0].continue_()
    # All 120: the 20 below the poll's page are only reachable through its next_cursor (later polls start above).
    items = page.locator('#messages li.message:has(.text:text-matches("^burst "))')
    expect(items).to_have_count(len(burst))
    on_page = messages_on_page(page)
    assert len(on_page) == len({m["id"] for m in on_page}) == 3 + len(burst)
    history = [m.id for m in eliza.sessions.iter_messages(session.id, oldest_first=True)]
    assert [m["id"] for m in on_page] == history
    expect(page.locator("#error")).to_be_hidden()


# --- errors -------------------------------------------------------------------------------------------------------


def test_errors_are_shown_and_an_ended_session_stops_the_page(
    page: Page, eliza: ElizaClient, sessions_server: LocalSessionsServer
) -> None:
    session = eliza.sessions.create(sessions_server.agent_id, str(uuid.uuid4()))
    open_session(page, session.id)
    expect(page.locator("#messages .empty")).to_have_text("No messages yet.")
    # Ended by someone else: the next poll gets 410, shown, and sending is switched off.
    eliza.sessions.delete(session.id)
    error = page.locator("#error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("410 session_gone")
    expect(page.locator("#send")).to_be_disabled()
    page.click("#error-dismiss")
    expect(error).to_be_hidden()
    # A session id that never existed, from the address bar.
    open_session(page, str(uuid.uuid4()))
    expect(error).to_contain_text("410 session_gone")
    # A tampered cursor is refused with a 400 naming it (what the page would show if one were edited).
    live = eliza.sessions.create(sessions_server.agent_id, str(uuid.uuid4()))
    status, body = page.evaluate(
        """async (sid) => {
          const r = await fetch(`/sessions/${sid}/messages/?cursor=not-a-cursor`);
          return [r.status, await r.json()];
        }""",
        live.id,
    )
    assert status == 400
    assert body["error"]["field"] == "cursor"
