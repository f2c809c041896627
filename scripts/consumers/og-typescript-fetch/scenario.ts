// The consumer scenario (scripts/consumers/SCENARIO.md) against the client openapi-generator 7.25.0
// (typescript-fetch, withoutRuntimeChecks, modelPropertyNaming=original) generates into ./generated.
// Only the generated client's functions and types; no casts.
import {
    AgentResponse,
    AuthError,
    BusMessage,
    Configuration,
    CreatedSession,
    JSONApiResponse,
    MessagePage,
    ResponseError,
    Session,
    SessionError,
    SessionsApi,
    SentMessage,
    SseChunk,
    SseError,
} from "./generated";

function env(name: string): string {
    const value = process.env[name];
    if (value === undefined || value === "") {
        throw new Error(`${name} is not set`);
    }
    return value;
}

const baseUrl = env("ELIZA_BASE_URL");
const apiKey = env("ELIZA_API_KEY");
const agentId = env("ELIZA_AGENT_ID");
const userId = env("ELIZA_USER_ID");

const api = new SessionsApi(new Configuration({ basePath: baseUrl, apiKey }));
const noKeyApi = new SessionsApi(new Configuration({ basePath: baseUrl }));

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

class StepFailure extends Error {}

function check(condition: boolean, what: string): asserts condition {
    if (!condition) {
        throw new StepFailure(what);
    }
}

function oneLine(text: string): string {
    return text.replace(/\s+/g, " ").trim();
}

const failed = new Set<string>();
let allOk = true;

function emit(step: string, ok: boolean, detail: string): void {
    if (!ok) {
        allOk = false;
        failed.add(step);
    }
    process.stdout.write(JSON.stringify({ step, ok, detail: oneLine(detail) }) + "\n");
}

async function describe(error: unknown): Promise<string> {
    if (error instanceof ResponseError) {
        const body = await error.response.text().catch(() => "");
        return `HTTP ${error.response.status}: ${body.slice(0, 300)}`;
    }
    if (error instanceof Error) {
        return `${error.name}: ${error.message}`;
    }
    return String(error);
}

// Runs one step unless one of `needs` failed; returns the step's value, or undefined when it failed or was skipped.
async function step<T>(name: string, needs: string[], body: () => Promise<[T, string]>): Promise<T | undefined> {
    const missing = needs.find((need) => failed.has(need));
    if (missing !== undefined) {
        emit(name, false, `skipped: ${missing} failed`);
        return undefined;
    }
    try {
        const [value, detail] = await body();
        emit(name, true, detail);
        return value;
    } catch (error) {
        if (!(error instanceof StepFailure)) {
            process.stderr.write(`${name}: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
        }
        emit(name, false, await describe(error));
        return undefined;
    }
}

// Session metadata is `Array<any> | boolean | number | string | { [key: string]: any }`: narrow it to the object.
function platformOf(metadata: Session["metadata"]): unknown {
    if (typeof metadata === "object" && !Array.isArray(metadata)) {
        return metadata["platform"];
    }
    return undefined;
}

// The server-sent events of the stream operation. typescript-fetch declares its 200 body as a string
// (`streamMessage(): Promise<string>`), so the scenario calls `streamMessageRaw()` and reads the raw
// `Response.body` stream incrementally, splitting it by hand into `event:`/`data:` blocks separated by blank lines
// and JSON-parsing each `data:` line into the generated event types.
type StreamEvent =
    | { event: "user_message"; data: BusMessage }
    | { event: "chunk"; data: SseChunk }
    | { event: "done"; data: AgentResponse }
    | { event: "error"; data: SseError }
    | { event: "other"; name: string };

function parseEvent(block: string): StreamEvent | undefined {
    let name = "";
    let data = "";
    for (const line of block.split("\n")) {
        if (line.startsWith("event:")) {
            name = line.slice("event:".length).trim();
        } else if (line.startsWith("data:")) {
            data += line.slice("data:".length).trim();
        }
    }
    if (name === "" && data === "") {
        return undefined;
    }
    switch (name) {
        case "user_message": {
            const message: BusMessage = JSON.parse(data);
            return { event: "user_message", data: message };
        }
        case "chunk": {
            const chunk: SseChunk = JSON.parse(data);
            return { event: "chunk", data: chunk };
        }
        case "done": {
            const reply: AgentResponse = JSON.parse(data);
            return { event: "done", data: reply };
        }
        case "error": {
            const failure: SseError = JSON.parse(data);
            return { event: "error", data: failure };
        }
        default:
            return { event: "other", name };
    }
}

async function readEvents(response: Response): Promise<StreamEvent[]> {
    const events: StreamEvent[] = [];
    const stream = response.body;
    check(stream !== null, "the stream response has no body");
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
        const { done, value } = await reader.read();
        if (value !== undefined) {
            buffer += decoder.decode(value, { stream: true });
        }
        if (done) {
            buffer += decoder.decode();
        }
        buffer = buffer.replace(/\r\n/g, "\n");
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
            const parsed = parseEvent(buffer.slice(0, end));
            if (parsed !== undefined) {
                events.push(parsed);
            }
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf("\n\n");
        }
        if (done) {
            const parsed = parseEvent(buffer);
            if (parsed !== undefined) {
                events.push(parsed);
            }
            return events;
        }
    }
}

async function main(): Promise<void> {
    await step("health", [], async () => {
        const health = await api.getSessionsHealth();
        check(health.status === "healthy", `status is ${JSON.stringify(health.status)}`);
        check(Number.isInteger(health.activeSessions), `activeSessions is ${JSON.stringify(health.activeSessions)}`);
        return [health, `status healthy, activeSessions ${health.activeSessions}`];
    });

    const created = await step<CreatedSession>("create", [], async () => {
        const response = await api.createSessionRaw({
            createSessionRequest: {
                agentId,
                userId,
                metadata: { platform: "consumer-matrix", tier: 2 },
                timeoutConfig: { timeoutMinutes: 30, autoRenew: true, maxDurationMinutes: 120 },
            },
        });
        check(response.raw.status === 201, `status ${response.raw.status}`);
        const session = await response.value();
        check(typeof session.sessionId === "string" && UUID.test(session.sessionId), `sessionId ${session.sessionId}`);
        check(session.timeoutConfig.timeoutMinutes === 30, `timeoutMinutes ${session.timeoutConfig.timeoutMinutes}`);
        const platform = platformOf(session.metadata);
        check(platform === "consumer-matrix", `metadata.platform is ${JSON.stringify(platform)}`);
        return [session, `201, session ${session.sessionId}, metadata.platform consumer-matrix`];
    });
    const sessionId = created?.sessionId ?? "";

    const got = await step<Session>("get", ["create"], async () => {
        const session = await api.getSession({ sessionId });
        check(session.sessionId === sessionId, `sessionId ${session.sessionId}`);
        check(Number.isInteger(session.renewalCount), `renewalCount ${JSON.stringify(session.renewalCount)}`);
        const platform = platformOf(session.metadata);
        check(platform === "consumer-matrix", `metadata.platform is ${JSON.stringify(platform)}`);
        const autoRenew = session.timeoutConfig.autoRenew;
        check(autoRenew === true, `timeoutConfig.autoRenew is ${JSON.stringify(autoRenew)}`);
        return [session, `renewalCount ${session.renewalCount}, metadata.platform consumer-matrix, autoRenew true`];
    });

    await step("list", ["create"], async () => {
        const list = await api.listSessions();
        check(list.sessions.some((s) => s.sessionId === sessionId), "the session is not listed");
        check(list.total >= 1, `total ${list.total}`);
        check(list.stats.totalSessions >= 1, `stats.totalSessions ${list.stats.totalSessions}`);
        return [list, `listed among ${list.total}, stats.totalSessions ${list.stats.totalSessions}`];
    });

    const sent = await step<SentMessage>("send", ["create"], async () => {
        const response = await api.sendMessageRaw({ sessionId, sendMessageRequest: { content: "hello" } });
        check(response.raw.status === 201, `status ${response.raw.status}`);
        const result = await response.value();
        check(result.success === true, `success ${result.success}`);
        check(result.userMessage.content === "hello", `userMessage.content ${result.userMessage.content}`);
        check(Number.isInteger(result.userMessage.created_at), `created_at ${result.userMessage.created_at}`);
        return [result, `201, userMessage ${result.userMessage.id}, created_at ${result.userMessage.created_at}`];
    });

    await step("send_wait", ["create"], async () => {
        const response = await api.sendMessageRaw({
            sessionId,
            sendMessageRequest: { content: "what is 2+2?", transport: "http" },
        });
        check(response.raw.status === 201, `status ${response.raw.status}`);
        const result = await response.value();
        const reply = result.agentResponse;
        check(reply !== null && reply !== undefined, "agentResponse is null or absent");
        const text = reply.text;
        check(text !== undefined && text.length > 0, "agentResponse.text is empty");
        return [result, `201, agentResponse.text ${JSON.stringify(text.slice(0, 60))}`];
    });

    await step("send_stream", ["create"], async () => {
        const response = await api.streamMessageRaw({
            sessionId,
            streamMessageRequest: { content: "stream please", transport: "sse" },
        });
        check(response.raw.status === 200, `status ${response.raw.status}`);
        const events = await readEvents(response.raw);
        check(events.length >= 2, `only ${events.length} events`);
        const first = events[0];
        check(first.event === "user_message", `first event is ${first.event}`);
        check(first.data.content === "stream please", `user_message content ${first.data.content}`);
        const last = events[events.length - 1];
        check(last.event === "done", `last event is ${last.event}`);
        check(last.data.text !== undefined && last.data.text.length > 0, "done.text is empty");
        const middle = events.slice(1, -1);
        check(middle.every((e) => e.event === "chunk"), `between them: ${middle.map((e) => e.event).join(",")}`);
        return [
            events,
            `hand-parsed SSE from streamMessageRaw().raw.body (the generated streamMessage() gives a string): ` +
                `user_message, ${middle.length} chunk, done text ${JSON.stringify(last.data.text.slice(0, 40))}`,
        ];
    });

    const page = await step<MessagePage>("history", ["create"], async () => {
        const result = await api.listMessages({ sessionId, limit: 2 });
        check(result.messages.length <= 2, `${result.messages.length} messages`);
        const times = result.messages.map((m) => Date.parse(m.createdAt));
        check(times.every((t, i) => i === 0 || t <= times[i - 1]), "not newest first");
        check(typeof result.hasMore === "boolean", `hasMore ${JSON.stringify(result.hasMore)}`);
        const before = result.cursors?.before;
        check(before !== undefined && Number.isInteger(before), `cursors.before ${JSON.stringify(before)}`);
        return [result, `${result.messages.length} messages, hasMore ${result.hasMore}, cursors.before ${before}`];
    });

    await step("history_before", ["history"], async () => {
        const before = page?.cursors?.before;
        check(before !== undefined && page !== undefined, "no cursor from history");
        const oldest = Math.min(...page.messages.map((m) => Date.parse(m.createdAt)));
        const result = await api.listMessages({ sessionId, limit: 50, before });
        const newer = result.messages.filter((m) => !(Date.parse(m.createdAt) < oldest));
        check(newer.length === 0, `${newer.length} messages not older than ${new Date(oldest).toISOString()}`);
        return [result, `${result.messages.length} messages, all older than ${new Date(oldest).toISOString()}`];
    });

    await step("history_after", ["send"], async () => {
        check(sent !== undefined, "no message from send");
        const result = await api.listMessages({ sessionId, limit: 50, after: sent.userMessage.created_at - 1 });
        check(result.messages.some((m) => m.id === sent.userMessage.id), "step 5's message is missing");
        return [result, `${result.messages.length} messages, step 5's message among them`];
    });

    await step("renew", ["get"], async () => {
        check(got !== undefined, "no session from get");
        const response = await api.renewSessionRaw({ sessionId });
        check(response.raw.status === 200, `status ${response.raw.status}`);
        const session = await response.value();
        check(session.renewalCount > got.renewalCount, `renewalCount ${session.renewalCount} <= ${got.renewalCount}`);
        return [session, `renewalCount ${got.renewalCount} -> ${session.renewalCount}`];
    });

    await step("heartbeat", ["get"], async () => {
        check(got !== undefined, "no session from get");
        const response = await api.sendHeartbeatRaw({ sessionId });
        check(response.raw.status === 200, `status ${response.raw.status}`);
        const session = await response.value();
        const last = Date.parse(session.lastActivity);
        check(!Number.isNaN(last), `lastActivity ${session.lastActivity}`);
        check(last >= Date.parse(got.lastActivity), `lastActivity ${session.lastActivity} before ${got.lastActivity}`);
        return [session, `lastActivity ${session.lastActivity}`];
    });

    await step("update_timeout", ["create"], async () => {
        const response = await api.updateSessionTimeoutRaw({
            sessionId,
            updateTimeoutRequest: { timeoutMinutes: 60, autoRenew: true },
        });
        check(response.raw.status === 200, `status ${response.raw.status}`);
        const session = await response.value();
        check(session.timeoutConfig.timeoutMinutes === 60, `timeoutMinutes ${session.timeoutConfig.timeoutMinutes}`);
        return [session, "timeoutConfig.timeoutMinutes 60"];
    });

    await step("delete", ["create"], async () => {
        const response = await api.deleteSessionRaw({ sessionId });
        check(response.raw.status === 200, `status ${response.raw.status}`);
        const result = await response.value();
        check(result.success === true, `success ${result.success}`);
        check(typeof result.message === "string", `message ${JSON.stringify(result.message)}`);
        return [result, `success, ${JSON.stringify(result.message)}`];
    });

    // typescript-fetch does not type error bodies: a non-2xx answer throws ResponseError carrying the raw
    // Response. The typed read goes through the generated runtime's own JSONApiResponse<T>.
    await step("error_404", ["delete"], async () => {
        try {
            await api.getSession({ sessionId });
        } catch (error) {
            if (error instanceof ResponseError && error.response.status === 404) {
                const body = await new JSONApiResponse<SessionError>(error.response).value();
                check(body.error.code === "SESSION_NOT_FOUND", `error.code ${JSON.stringify(body.error.code)}`);
                check(typeof body.error.message === "string", "error.message is not a string");
                return [body, `404 SessionError, error.code ${body.error.code}`];
            }
            throw error;
        }
        throw new StepFailure("the deleted session was found");
    });

    await step("error_401", [], async () => {
        try {
            await noKeyApi.getSessionsHealth();
        } catch (error) {
            if (error instanceof ResponseError && error.response.status === 401) {
                const body = await new JSONApiResponse<AuthError>(error.response).value();
                check(body.error === "API key required", `error ${JSON.stringify(body.error)}`);
                return [body, `401 AuthError, error ${JSON.stringify(body.error)}`];
            }
            throw error;
        }
        throw new StepFailure("health answered without the API key");
    });
}

main()
    .catch((error: unknown) => {
        allOk = false;
        process.stderr.write(`scenario crashed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    })
    .finally(() => {
        process.exitCode = allOk ? 0 : 1;
    });
