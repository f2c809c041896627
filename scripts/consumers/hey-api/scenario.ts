// The consumer-matrix scenario (scripts/consumers/SCENARIO.md) on the client @hey-api/openapi-ts generates
// (its fetch client, its types and its SDK functions, in generated/). Every call is an SDK function; unions the
// spec declares are read with ordinary narrowing (typeof, Array.isArray, === null).
import { createClient, createConfig } from "./generated/client/index.js";
import { client } from "./generated/client.gen.js";
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
} from "./generated/sdk.gen.js";
import type { SessionMetadata } from "./generated/types.gen.js";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const baseUrl = env("ELIZA_BASE_URL");
const apiKey = env("ELIZA_API_KEY");
const agentId = env("ELIZA_AGENT_ID");
const userId = env("ELIZA_USER_ID");

// The SDK sends each operation's security itself: give it the API key for ApiKeyAuth and nothing for
// BearerAuth (1.7.2 has no data isolation), so no Authorization header is sent.
client.setConfig({ baseUrl, auth: (scheme) => (scheme.type === "apiKey" ? apiKey : undefined) });
const anonymous = createClient(createConfig({ baseUrl }));

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

function status(response: Response, expected: number, error: object | undefined): void {
  if (response.status !== expected) {
    throw new Error(`HTTP ${response.status}, expected ${expected}: ${JSON.stringify(error ?? null)}`);
  }
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

function sessionParams(): { path: { sessionId: string } } {
  return { path: { sessionId } };
}

// ---- the scenario -----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  await step("health", [], async () => {
    const { data, error, response } = await getSessionsHealth();
    status(response, 200, error);
    check(data !== undefined, "a body");
    check(data.status === "healthy", `status is "healthy" (got ${JSON.stringify(data.status)})`);
    check(Number.isInteger(data.activeSessions), "activeSessions is an integer");
    return `status ${data.status}, activeSessions ${data.activeSessions}`;
  });

  await step("create", [], async () => {
    const { data, error, response } = await createSession({
      body: {
        agentId,
        userId,
        metadata: { platform: "consumer-matrix", tier: 2 },
        timeoutConfig: { timeoutMinutes: 30, autoRenew: true, maxDurationMinutes: 120 },
      },
    });
    status(response, 201, error);
    check(data !== undefined, "a body");
    check(UUID.test(data.sessionId), `sessionId is a UUID (got ${data.sessionId})`);
    check(data.timeoutConfig.timeoutMinutes === 30, "timeoutConfig.timeoutMinutes == 30");
    const platform = platformOf(data.metadata);
    check(platform === "consumer-matrix", `metadata.platform is "consumer-matrix" (got ${platform})`);
    sessionId = data.sessionId;
    return `201, session ${sessionId}, timeoutMinutes 30, metadata.platform ${platform}`;
  });

  await step("get", ["create"], async () => {
    const { data, error, response } = await getSession(sessionParams());
    status(response, 200, error);
    check(data !== undefined, "a body");
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
    const { data, error, response } = await listSessions();
    status(response, 200, error);
    check(data !== undefined, "a body");
    check(data.sessions.some((s) => s.sessionId === sessionId), "the session is listed");
    check(data.total >= 1, "total >= 1");
    check(data.stats.totalSessions >= 1, "stats.totalSessions >= 1");
    return `${data.total} listed, totalSessions ${data.stats.totalSessions}`;
  });

  await step("send", ["create"], async () => {
    const { data, error, response } = await sendMessage({
      ...sessionParams(),
      body: { content: "hello" },
    });
    status(response, 201, error);
    check(data !== undefined, "a body");
    check(data.success, "success is true");
    check(data.userMessage.content === "hello", "userMessage.content == hello");
    check(Number.isInteger(data.userMessage.created_at), "userMessage.created_at is an integer");
    sentCreatedAt = data.userMessage.created_at;
    sentId = data.userMessage.id;
    return `201, userMessage ${sentId} created_at ${sentCreatedAt}`;
  });

  await step("send_wait", ["create"], async () => {
    const { data, error, response } = await sendMessage({
      ...sessionParams(),
      body: { content: "what is 2+2?", transport: "http" },
    });
    status(response, 201, error);
    check(data !== undefined, "a body");
    const reply = data.agentResponse;
    if (reply === undefined || reply === null) throw new Error("agentResponse is null or absent");
    check(typeof reply.text === "string" && reply.text.length > 0, "agentResponse.text is non-empty");
    return `201, agentResponse.text ${JSON.stringify(reply.text)}`;
  });

  await step("send_stream", ["create"], async () => {
    const content = "tell me something, streamed";
    // The SDK's server-sent-events function. `sseMaxRetryAttempts: 1`: by default the generated SSE client
    // retries without limit (backoff 3 s, 6 s, 12 s, … up to 30 s) whenever the answer is not 2xx or the
    // connection breaks, and every retry POSTs the message again, which the server stores again (measured
    // against the local server: two connections dropped after the store gave 3 POSTs and 3 stored copies; an
    // unknown session's 404 is re-POSTed until the caller aborts, its JSON body never read). With one attempt
    // a failure ends the stream quietly and is seen only by onSseError.
    const names: string[] = [];
    let failure: string | undefined;
    const { stream } = await streamMessage({
      ...sessionParams(),
      body: { content, transport: "sse" },
      sseMaxRetryAttempts: 1,
      onSseEvent: (event) => {
        names.push(event.event ?? "message");
      },
      onSseError: (error) => {
        failure = String(error);
      },
    });
    const items: string[] = [];
    for await (const item of stream) {
      // The generated type of each yielded item is the 200 response's schema (`type: string`). The client
      // JSON-parses every event's data, so at run time the items are objects; with no cast allowed, that is
      // all a consumer can check.
      if (typeof item !== "string") {
        throw new Error(
          `event ${names[items.length] ?? "?"}: the SDK yields the JSON-parsed data (${typeof item}) where its ` +
            `generated type says string (the stream operation's 200 schema); fields unreadable without a cast`,
        );
      }
      items.push(item);
    }
    if (failure !== undefined) throw new Error(`the SSE client reported: ${failure}`);
    check(names[0] === "user_message", `user_message first (events: ${names.join(",")})`);
    check(names[names.length - 1] === "done", `done last (events: ${names.join(",")})`);
    check(
      names.slice(1, -1).every((n) => n === "chunk"),
      `only chunk events between (events: ${names.join(",")})`,
    );
    return `events ${names.join(",")}; data typed string by the SDK: ${items.length} items`;
  });

  await step("history", ["create"], async () => {
    const { data, error, response } = await listMessages({
      ...sessionParams(),
      query: { limit: 2 },
    });
    status(response, 200, error);
    check(data !== undefined, "a body");
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
    const { data, error, response } = await listMessages({
      ...sessionParams(),
      query: { limit: 50, before: pageBefore },
    });
    status(response, 200, error);
    check(data !== undefined, "a body");
    const newer = data.messages.filter((m) => Date.parse(m.createdAt) >= pageOldest);
    check(newer.length === 0, `every message older than ${new Date(pageOldest).toISOString()}`);
    return `${data.messages.length} messages, all older than the page`;
  });

  await step("history_after", ["send"], async () => {
    const { data, error, response } = await listMessages({
      ...sessionParams(),
      query: { limit: 50, after: sentCreatedAt - 1 },
    });
    status(response, 200, error);
    check(data !== undefined, "a body");
    check(data.messages.some((m) => m.id === sentId), "the sent message is among them");
    return `${data.messages.length} messages, including ${sentId}`;
  });

  await step("renew", ["get"], async () => {
    const { data, error, response } = await renewSession(sessionParams());
    status(response, 200, error);
    check(data !== undefined, "a body");
    check(data.renewalCount > gotRenewalCount, `renewalCount ${data.renewalCount} > ${gotRenewalCount}`);
    return `renewalCount ${data.renewalCount}`;
  });

  await step("heartbeat", ["get"], async () => {
    const { data, error, response } = await sendHeartbeat(sessionParams());
    status(response, 200, error);
    check(data !== undefined, "a body");
    const last = Date.parse(data.lastActivity);
    check(!Number.isNaN(last), `lastActivity parses as a date (${data.lastActivity})`);
    check(last >= gotLastActivity, "lastActivity not before step get's");
    return `lastActivity ${data.lastActivity}`;
  });

  await step("update_timeout", ["create"], async () => {
    const { data, error, response } = await updateSessionTimeout({
      ...sessionParams(),
      body: { timeoutMinutes: 60, autoRenew: true },
    });
    status(response, 200, error);
    check(data !== undefined, "a body");
    check(data.timeoutConfig.timeoutMinutes === 60, "timeoutConfig.timeoutMinutes == 60");
    return "timeoutMinutes 60";
  });

  await step("delete", ["create"], async () => {
    const { data, error, response } = await deleteSession(sessionParams());
    status(response, 200, error);
    check(data !== undefined, "a body");
    check(data.success, "success is true");
    check(typeof data.message === "string", "message is a string");
    return `message ${JSON.stringify(data.message)}`;
  });

  await step("error_404", ["delete"], async () => {
    const { data, error, response } = await getSession(sessionParams());
    check(data === undefined, "no success body");
    status(response, 404, error);
    // The error type is the union of the operation's error bodies (SessionError | AuthError | MiddlewareError):
    // narrow `error` (an object in SessionError and MiddlewareError, a string in AuthError).
    const body = error.error;
    if (typeof body === "string") throw new Error(`an AuthError body: ${body}`);
    check(body.code === "SESSION_NOT_FOUND", `error.code is SESSION_NOT_FOUND (got ${JSON.stringify(body.code)})`);
    check(typeof body.message === "string", "error.message is a string");
    return `404, error.code ${body.code}, error.message ${JSON.stringify(body.message)}`;
  });

  await step("error_401", [], async () => {
    const { data, error, response } = await getSessionsHealth({ client: anonymous });
    check(data === undefined, "no success body");
    status(response, 401, error);
    const body = error.error;
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
