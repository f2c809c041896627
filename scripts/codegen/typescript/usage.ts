// Proof that another language team can consume openapi.yaml: `nox -s spec_lint` generates TypeScript types
// from the spec with openapi-typescript (next to this file, as ./eliza-sessions.d.ts) and type-checks this
// file against them with `tsc --strict`. It is never run, only compiled.
import type { components, operations, paths } from "./eliza-sessions";

type Schemas = components["schemas"];

// Success bodies are bare objects; send adds `success` next to its fields.
const session: Schemas["Session"] = {
  sessionId: "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
  channelId: "0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b",
  agentId: "2f3c1b8e-5d4a-4c6b-9e7f-1a2b3c4d5e6f",
  userId: "7a9d2e41-0c3b-4f5e-8a6d-9b8c7d6e5f40",
  createdAt: "2025-12-31T10:00:00.000Z",
  lastActivity: "2025-12-31T10:02:00.000Z",
  metadata: { platform: "web" },
  expiresAt: "2025-12-31T10:32:00.000Z",
  timeoutConfig: { timeoutMinutes: 30, autoRenew: true, maxDurationMinutes: 720, warningThresholdMinutes: 5 },
  renewalCount: 2,
  timeRemaining: 1740000,
  isNearExpiration: false,
};

// The send reply's user message is snake_case with an epoch-ms `created_at`.
function createdAtMillis(reply: Schemas["SendMessageResponse"]): number {
  return reply.userMessage.created_at;
}

// History messages are camelCase with ISO dates; cursors are epoch ms and absent on an empty page.
function nextBefore(page: Schemas["MessagePage"]): number | undefined {
  return page.cursors?.before;
}

// Every error shape is typed; `code` is a string or (middleware fallbacks) a number.
function errorCode(
  body: Schemas["SessionError"] | Schemas["MiddlewareError"] | Schemas["AuthError"] | Schemas["TransportFailure"],
): string | number | undefined {
  if (typeof body.error === "string") return body.error;
  return body.error.code;
}

// Operation-level types: the request body of send_message and its responses by status.
type SendBody = operations["send_message"]["requestBody"]["content"]["application/json"];
const send: SendBody = { content: "Hello", transport: "sse", metadata: { clientMessageId: "x" } };
type Created = operations["create_session"]["responses"][201]["content"]["application/json"];
type Gone = operations["get_session"]["responses"][410]["content"]["application/json"];
type HistoryQuery = NonNullable<paths["/api/messaging/sessions/{sessionId}/messages"]["get"]["parameters"]["query"]>;
const query: HistoryQuery = { limit: 100, before: 1767175262345 };

export { createdAtMillis, errorCode, nextBefore, query, send, session };
export type { Created, Gone };
