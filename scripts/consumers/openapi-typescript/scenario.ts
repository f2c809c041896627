// The consumer-matrix scenario (scripts/consumers/SCENARIO.md) on the client openapi-typescript generates
// (types only, in generated/schema.d.ts) driven by openapi-fetch. Every call goes through the typed client;
// unions the spec declares are read with ordinary narrowing (typeof, Array.isArray, === null).
import createClient from "openapi-fetch";
import type { components, operations, paths } from "./generated/schema.js";

type Schemas = components["schemas"];

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const baseUrl = env("ELIZA_BASE_URL");
const apiKey = env("ELIZA_API_KEY");
const agentId = env("ELIZA_AGENT_ID");
const userId = env("ELIZA_USER_ID");

const client = createClient<paths>({ baseUrl, headers: { "X-API-KEY": apiKey } });
const anonymous = createClient<paths>({ baseUrl });

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
function platformOf(metadata: Schemas["SessionMetadata"]): string {
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

// ---- the SSE stream, parsed by hand (openapi-fetch gives the body as a ReadableStream) ---------------------

interface SseEvent {
  event: string;
  data: string;
}

async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value !== undefined) buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      yield { event, data: data.join("\n") };
    }
    if (done) return;
  }
}

// ---- the scenario -----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  await step("health", [], async () => {
    const { data, error, response } = await client.GET("/api/messaging/sessions/health");
    status(response, 200, error);
    check(data !== undefined, "a body");
    check(data.status === "healthy", `status is "healthy" (got ${JSON.stringify(data.status)})`);
    check(Number.isInteger(data.activeSessions), "activeSessions is an integer");
    return `status ${data.status}, activeSessions ${data.activeSessions}`;
  });

  await step("create", [], async () => {
    const { data, error, response } = await client.POST("/api/messaging/sessions", {
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
    const { data, error, response } = await client.GET("/api/messaging/sessions/{sessionId}", {
      params: sessionParams(),
    });
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
    const { data, error, response } = await client.GET("/api/messaging/sessions");
    status(response, 200, error);
    check(data !== undefined, "a body");
    check(data.sessions.some((s) => s.sessionId === sessionId), "the session is listed");
    check(data.total >= 1, "total >= 1");
    check(data.stats.totalSessions >= 1, "stats.totalSessions >= 1");
    return `${data.total} listed, totalSessions ${data.stats.totalSessions}`;
  });

  await step("send", ["create"], async () => {
    const { data, error, response } = await client.POST("/api/messaging/sessions/{sessionId}/messages", {
      params: sessionParams(),
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
    const { data, error, response } = await client.POST("/api/messaging/sessions/{sessionId}/messages", {
      params: sessionParams(),
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
    // The body is declared with its generated type first: written inline, `transport: "sse"` is widened to
    // string during openapi-fetch's inference of the init object and `parseAs: "stream"` is then lost (data
    // would be typed as the spec's `string`).
    const body: operations["stream_message"]["requestBody"]["content"]["application/json"] = { content, transport: "sse" };
    const { data, error, response } = await client.POST("/api/messaging/sessions/{sessionId}/messages/", {
      params: sessionParams(),
      body,
      parseAs: "stream",
    });
    status(response, 200, error);
    if (data === undefined || data === null) throw new Error("no response body to read the stream from");
    const seen: string[] = [];
    let text = "";
    for await (const { event, data: json } of sseEvents(data)) {
      seen.push(event);
      if (event === "user_message") {
        check(seen.length === 1, "user_message comes first");
        const message: Schemas["BusMessage"] = JSON.parse(json);
        check(message.content === content, `user_message.content is what was sent (got ${message.content})`);
      } else if (event === "chunk") {
        check(seen[0] === "user_message", "a chunk after user_message");
        const chunk: Schemas["SseChunk"] = JSON.parse(json);
        check(typeof chunk.chunk === "string", "chunk.chunk is a string");
      } else if (event === "done") {
        check(seen[0] === "user_message", "done after user_message");
        const done: Schemas["AgentResponse"] = JSON.parse(json);
        text = done.text ?? "";
      } else if (event === "error") {
        const failure: Schemas["SseError"] = JSON.parse(json);
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
      `openapi-fetch gives the body as a ReadableStream (parseAs: "stream"), SSE framing parsed by hand, ` +
      `event data JSON.parse'd into the generated BusMessage/SseChunk/AgentResponse/SseError types`
    );
  });

  await step("history", ["create"], async () => {
    const { data, error, response } = await client.GET("/api/messaging/sessions/{sessionId}/messages", {
      params: { ...sessionParams(), query: { limit: 2 } },
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
    const { data, error, response } = await client.GET("/api/messaging/sessions/{sessionId}/messages", {
      params: { ...sessionParams(), query: { limit: 50, before: pageBefore } },
    });
    status(response, 200, error);
    check(data !== undefined, "a body");
    const newer = data.messages.filter((m) => Date.parse(m.createdAt) >= pageOldest);
    check(newer.length === 0, `every message older than ${new Date(pageOldest).toISOString()}`);
    return `${data.messages.length} messages, all older than the page`;
  });

  await step("history_after", ["send"], async () => {
    const { data, error, response } = await client.GET("/api/messaging/sessions/{sessionId}/messages", {
      params: { ...sessionParams(), query: { limit: 50, after: sentCreatedAt - 1 } },
    });
    status(response, 200, error);
    check(data !== undefined, "a body");
    check(data.messages.some((m) => m.id === sentId), "the sent message is among them");
    return `${data.messages.length} messages, including ${sentId}`;
  });

  await step("renew", ["get"], async () => {
    const { data, error, response } = await client.POST("/api/messaging/sessions/{sessionId}/renew", {
      params: sessionParams(),
    });
    status(response, 200, error);
    check(data !== undefined, "a body");
    check(data.renewalCount > gotRenewalCount, `renewalCount ${data.renewalCount} > ${gotRenewalCount}`);
    return `renewalCount ${data.renewalCount}`;
  });

  await step("heartbeat", ["get"], async () => {
    const { data, error, response } = await client.POST("/api/messaging/sessions/{sessionId}/heartbeat", {
      params: sessionParams(),
    });
    status(response, 200, error);
    check(data !== undefined, "a body");
    const last = Date.parse(data.lastActivity);
    check(!Number.isNaN(last), `lastActivity parses as a date (${data.lastActivity})`);
    check(last >= gotLastActivity, "lastActivity not before step get's");
    return `lastActivity ${data.lastActivity}`;
  });

  await step("update_timeout", ["create"], async () => {
    const { data, error, response } = await client.PATCH("/api/messaging/sessions/{sessionId}/timeout", {
      params: sessionParams(),
      body: { timeoutMinutes: 60, autoRenew: true },
    });
    status(response, 200, error);
    check(data !== undefined, "a body");
    check(data.timeoutConfig.timeoutMinutes === 60, "timeoutConfig.timeoutMinutes == 60");
    return "timeoutMinutes 60";
  });

  await step("delete", ["create"], async () => {
    const { data, error, response } = await client.DELETE("/api/messaging/sessions/{sessionId}", {
      params: sessionParams(),
    });
    status(response, 200, error);
    check(data !== undefined, "a body");
    check(data.success, "success is true");
    check(typeof data.message === "string", "message is a string");
    return `message ${JSON.stringify(data.message)}`;
  });

  await step("error_404", ["delete"], async () => {
    const { data, error, response } = await client.GET("/api/messaging/sessions/{sessionId}", {
      params: sessionParams(),
    });
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
    const { data, error, response } = await anonymous.GET("/api/messaging/sessions/health");
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
