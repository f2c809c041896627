// The consumer-matrix scenario (scripts/consumers/SCENARIO.md) on the client orval generates (its fetch client,
// in generated/api.ts, through the mutator in fetcher.ts). Every call is a generated function; orval's results
// are unions discriminated by `status`, narrowed with `if (r.status === …)`; unions the spec declares are read
// with ordinary narrowing (typeof, Array.isArray, === null).
import {
  createSession,
  deleteSession,
  getSession,
  getSessionsHealth,
  listMessages,
  listSessions,
  renewSession,
  sendHeartbeat,
  sendMessage,
  streamMessage,
  updateSessionTimeout,
} from "./generated/api.js";
import type { AgentResponse, BusMessage, SessionMetadata, SseChunk, SseError } from "./generated/api.js";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const apiKey = env("ELIZA_API_KEY");
const agentId = env("ELIZA_AGENT_ID");
const userId = env("ELIZA_USER_ID");
env("ELIZA_BASE_URL"); // read by fetcher.ts

/** The request options every authenticated call passes (orval's functions take a RequestInit). */
const auth: RequestInit = { headers: { "X-API-KEY": apiKey } };

// ---- the step harness -------------------------------------------------------------------------------------

const passed = new Set<string>();
let allOk = true;

function emit(step: string, ok: boolean, detail: string): void {
  console.log(JSON.stringify({ step, ok, detail: detail.replace(/\s+/g, " ").trim() }));
  if (ok) passed.add(step);
  else allOk = false;
}

async function step(name: string, needs: readonly string[], run: () => Promise<string>): Promise<void> {
  const missing = needs.find((n) => !passed.has(n));
  if (missing !== undefined) {
    emit(name, false, `skipped: ${missing} failed`);
    return;
  }
  try {
    emit(name, true, await run());
  } catch (err) {
    if (err instanceof Error) {
      if (err.stack) console.error(`${name}: ${err.stack}`);
      emit(name, false, err.message);
    } else {
      emit(name, false, String(err));
    }
  }
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${what}`);
}

function unexpected(result: { status: number; data: object | string }, expected: number): Error {
  return new Error(`HTTP ${result.status}, expected ${expected}: ${JSON.stringify(result.data)}`);
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** `SessionMetadata` is a union (object | string | array | number | boolean): narrow it to the object. */
function platformOf(metadata: SessionMetadata): string {
  if (typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new Error(`metadata is not an object: ${JSON.stringify(metadata)}`);
  }
  const platform = metadata["platform"];
  if (typeof platform !== "string") throw new Error(`metadata.platform is not a string: ${JSON.stringify(metadata)}`);
  return platform;
}

// ---- the state the steps share ----------------------------------------------------------------------------

let sessionId = "";
let gotRenewalCount = 0;
let gotLastActivity = 0;
let sentCreatedAt = 0;
let sentId = "";
let pageOldest = 0;
let pageBefore = 0;

// ---- the SSE text, parsed by hand (orval gives the whole event-stream body as a string) ---------------------

interface SseEvent {
  event: string;
  data: string;
}

function sseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split("\n\n")) {
    if (block.trim() === "") continue;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    events.push({ event, data: data.join("\n") });
  }
  return events;
}

// ---- the scenario -----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  await step("health", [], async () => {
    const r = await getSessionsHealth(auth);
    if (r.status !== 200) throw unexpected(r, 200);
    check(r.data.status === "healthy", `status is "healthy" (got ${JSON.stringify(r.data.status)})`);
    check(Number.isInteger(r.data.activeSessions), "activeSessions is an integer");
    return `status ${r.data.status}, activeSessions ${r.data.activeSessions}`;
  });

  await step("create", [], async () => {
    const r = await createSession(
      {
        agentId,
        userId,
        metadata: { platform: "consumer-matrix", tier: 2 },
        timeoutConfig: { timeoutMinutes: 30, autoRenew: true, maxDurationMinutes: 120 },
      },
      auth,
    );
    if (r.status !== 201) throw unexpected(r, 201);
    const data = r.data;
    check(UUID.test(data.sessionId), `sessionId is a UUID (got ${data.sessionId})`);
    check(data.timeoutConfig.timeoutMinutes === 30, "timeoutConfig.timeoutMinutes == 30");
    const platform = platformOf(data.metadata);
    check(platform === "consumer-matrix", `metadata.platform is "consumer-matrix" (got ${platform})`);
    sessionId = data.sessionId;
    return `201, session ${sessionId}, timeoutMinutes 30, metadata.platform ${platform}`;
  });

  await step("get", ["create"], async () => {
    const r = await getSession(sessionId, auth);
    if (r.status !== 200) throw unexpected(r, 200);
    const data = r.data;
    check(data.sessionId === sessionId, "the same sessionId");
    check(Number.isInteger(data.renewalCount), "renewalCount is an integer");
    const platform = platformOf(data.metadata);
    check(platform === "consumer-matrix", `metadata.platform is "consumer-matrix" (got ${platform})`);
    // autoRenew is a union (boolean, or whatever JSON value the creator stored): narrow it to true.
    const autoRenew = data.timeoutConfig.autoRenew;
    check(typeof autoRenew === "boolean" && autoRenew, `timeoutConfig.autoRenew is true (got ${JSON.stringify(autoRenew)})`);
    gotRenewalCount = data.renewalCount;
    gotLastActivity = Date.parse(data.lastActivity);
    return `renewalCount ${data.renewalCount}, metadata.platform ${platform}, autoRenew ${autoRenew}`;
  });

  await step("list", ["create"], async () => {
    const r = await listSessions(auth);
    if (r.status !== 200) throw unexpected(r, 200);
    const data = r.data;
    check(data.sessions.some((s) => s.sessionId === sessionId), "the session is listed");
    check(data.total >= 1, "total >= 1");
    check(data.stats.totalSessions >= 1, "stats.totalSessions >= 1");
    return `${data.total} listed, totalSessions ${data.stats.totalSessions}`;
  });

  await step("send", ["create"], async () => {
    const r = await sendMessage(sessionId, { content: "hello" }, auth);
    if (r.status !== 201) throw unexpected(r, 201);
    const data = r.data;
    check(data.success, "success is true");
    check(data.userMessage.content === "hello", "userMessage.content == hello");
    check(Number.isInteger(data.userMessage.created_at), "userMessage.created_at is an integer");
    sentCreatedAt = data.userMessage.created_at;
    sentId = data.userMessage.id;
    return `201, userMessage ${sentId} created_at ${sentCreatedAt}`;
  });

  await step("send_wait", ["create"], async () => {
    const r = await sendMessage(sessionId, { content: "what is 2+2?", transport: "http" }, auth);
    if (r.status !== 201) throw unexpected(r, 201);
    const reply = r.data.agentResponse;
    if (reply === undefined || reply === null) throw new Error("agentResponse is null or absent");
    check(typeof reply.text === "string" && reply.text.length > 0, "agentResponse.text is non-empty");
    return `201, agentResponse.text ${JSON.stringify(reply.text)}`;
  });

  await step("send_stream", ["create"], async () => {
    const content = "tell me something, streamed";
    const r = await streamMessage(sessionId, { content, transport: "sse" }, auth);
    if (r.status !== 200) throw unexpected(r, 200);
    const seen: string[] = [];
    let text = "";
    for (const { event, data: json } of sseEvents(r.data)) {
      seen.push(event);
      if (event === "user_message") {
        check(seen.length === 1, "user_message comes first");
        const message: BusMessage = JSON.parse(json);
        check(message.content === content, `user_message.content is what was sent (got ${message.content})`);
      } else if (event === "chunk") {
        check(seen[0] === "user_message", "a chunk after user_message");
        const chunk: SseChunk = JSON.parse(json);
        check(typeof chunk.chunk === "string", "chunk.chunk is a string");
      } else if (event === "done") {
        check(seen[0] === "user_message", "done after user_message");
        const done: AgentResponse = JSON.parse(json);
        text = done.text ?? "";
      } else if (event === "error") {
        const failure: SseError = JSON.parse(json);
        throw new Error(`error event: ${failure.error}`);
      } else {
        throw new Error(`unexpected event ${event}`);
      }
    }
    check(seen[seen.length - 1] === "done", `the stream ends with done (events: ${seen.join(",")})`);
    check(text.length > 0, "done.text is non-empty");
    const chunks = seen.filter((e) => e === "chunk").length;
    return (
      `200 text/event-stream, events user_message, ${chunks} chunk, done (text ${JSON.stringify(text)}); ` +
      `orval gives the whole body as a string once the stream has closed (the 200 schema is a string), SSE ` +
      `framing parsed by hand, event data JSON.parse'd into the generated BusMessage/SseChunk/AgentResponse/` +
      `SseError types`
    );
  });

  await step("history", ["create"], async () => {
    const r = await listMessages(sessionId, { limit: 2 }, auth);
    if (r.status !== 200) throw unexpected(r, 200);
    const data = r.data;
    const times = data.messages.map((m) => Date.parse(m.createdAt));
    check(data.messages.length <= 2, `at most 2 messages (got ${data.messages.length})`);
    check(data.messages.length > 0, "some messages");
    check(times.every((t, i) => i === 0 || t <= (times[i - 1] ?? t)), "newest first");
    check(typeof data.hasMore === "boolean", "hasMore is a boolean");
    if (data.cursors === undefined) throw new Error("no cursors on a non-empty page");
    check(Number.isInteger(data.cursors.before), "cursors.before is an integer");
    pageOldest = Math.min(...times);
    pageBefore = data.cursors.before;
    return `${data.messages.length} messages, hasMore ${data.hasMore}, cursors.before ${pageBefore}`;
  });

  await step("history_before", ["history"], async () => {
    const r = await listMessages(sessionId, { limit: 50, before: pageBefore }, auth);
    if (r.status !== 200) throw unexpected(r, 200);
    const newer = r.data.messages.filter((m) => Date.parse(m.createdAt) >= pageOldest);
    check(newer.length === 0, `every message older than ${new Date(pageOldest).toISOString()}`);
    return `${r.data.messages.length} messages, all older than the page`;
  });

  await step("history_after", ["send"], async () => {
    const r = await listMessages(sessionId, { limit: 50, after: sentCreatedAt - 1 }, auth);
    if (r.status !== 200) throw unexpected(r, 200);
    check(r.data.messages.some((m) => m.id === sentId), "the sent message is among them");
    return `${r.data.messages.length} messages, including ${sentId}`;
  });

  await step("renew", ["get"], async () => {
    const r = await renewSession(sessionId, auth);
    if (r.status !== 200) throw unexpected(r, 200);
    check(r.data.renewalCount > gotRenewalCount, `renewalCount ${r.data.renewalCount} > ${gotRenewalCount}`);
    return `renewalCount ${r.data.renewalCount}`;
  });

  await step("heartbeat", ["get"], async () => {
    const r = await sendHeartbeat(sessionId, auth);
    if (r.status !== 200) throw unexpected(r, 200);
    const last = Date.parse(r.data.lastActivity);
    check(!Number.isNaN(last), `lastActivity parses as a date (${r.data.lastActivity})`);
    check(last >= gotLastActivity, "lastActivity not before step get's");
    return `lastActivity ${r.data.lastActivity}`;
  });

  await step("update_timeout", ["create"], async () => {
    const r = await updateSessionTimeout(sessionId, { timeoutMinutes: 60, autoRenew: true }, auth);
    if (r.status !== 200) throw unexpected(r, 200);
    check(r.data.timeoutConfig.timeoutMinutes === 60, "timeoutConfig.timeoutMinutes == 60");
    return "timeoutMinutes 60";
  });

  await step("delete", ["create"], async () => {
    const r = await deleteSession(sessionId, auth);
    if (r.status !== 200) throw unexpected(r, 200);
    check(r.data.success, "success is true");
    check(typeof r.data.message === "string", "message is a string");
    return `message ${JSON.stringify(r.data.message)}`;
  });

  await step("error_404", ["delete"], async () => {
    const r = await getSession(sessionId, auth);
    // orval's result is a union discriminated by status: on 404 the body is the SessionError.
    if (r.status !== 404) throw unexpected(r, 404);
    const body = r.data.error;
    check(body.code === "SESSION_NOT_FOUND", `error.code is SESSION_NOT_FOUND (got ${JSON.stringify(body.code)})`);
    check(typeof body.message === "string", "error.message is a string");
    return `404, error.code ${body.code}, error.message ${JSON.stringify(body.message)}`;
  });

  await step("error_401", [], async () => {
    const r = await getSessionsHealth();
    if (r.status !== 401) throw unexpected(r, 401);
    const body = r.data.error;
    check(body === "API key required", `error is "API key required" (got ${JSON.stringify(body)})`);
    return `401, error ${JSON.stringify(body)}`;
  });
}

main()
  .catch((err) => {
    console.error(String(err));
    allOk = false;
  })
  .finally(() => {
    process.exitCode = allOk ? 0 : 1;
  });
