// The consumer scenario (scripts/consumers/SCENARIO.md) against the Java client openapi-generator 7.25.0 generates
// (library okhttp-gson, the default) into ../generated. Only the generated client's classes; no casts.

import java.io.IOException;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import okio.BufferedSource;
import org.openapitools.client.ApiClient;
import org.openapitools.client.ApiException;
import org.openapitools.client.ApiResponse;
import org.openapitools.client.api.SessionsApi;
import org.openapitools.client.model.AgentResponse;
import org.openapitools.client.model.AuthError;
import org.openapitools.client.model.BusMessage;
import org.openapitools.client.model.CreateSessionRequest;
import org.openapitools.client.model.CreatedSession;
import org.openapitools.client.model.DeletedSession;
import org.openapitools.client.model.Message;
import org.openapitools.client.model.MessagePage;
import org.openapitools.client.model.SendMessageRequest;
import org.openapitools.client.model.SentMessage;
import org.openapitools.client.model.Session;
import org.openapitools.client.model.SessionError;
import org.openapitools.client.model.SessionList;
import org.openapitools.client.model.SessionMetadata;
import org.openapitools.client.model.SessionsHealth;
import org.openapitools.client.model.SseChunk;
import org.openapitools.client.model.SseError;
import org.openapitools.client.model.StreamMessageRequest;
import org.openapitools.client.model.TimeoutConfigInput;
import org.openapitools.client.model.UpdateTimeoutRequest;

public final class Scenario {
    private static final Pattern UUID =
        Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    private static final class StepFailure extends Exception {
        private static final long serialVersionUID = 1L;

        StepFailure(String what) {
            super(what);
        }
    }

    private interface Body<T> {
        Result<T> run() throws Exception;
    }

    private record Result<T>(T value, String detail) {}

    private final Set<String> failed = new HashSet<>();
    private boolean allOk = true;
    private final SessionsApi api;
    private final SessionsApi noKeyApi;
    private final String agentId;
    private final String userId;

    private Scenario(String baseUrl, String apiKey, String agentId, String userId) {
        ApiClient client = new ApiClient();
        client.setBasePath(baseUrl);
        client.setApiKey(apiKey);
        this.api = new SessionsApi(client);
        ApiClient noKey = new ApiClient();
        noKey.setBasePath(baseUrl);
        this.noKeyApi = new SessionsApi(noKey);
        this.agentId = agentId;
        this.userId = userId;
    }

    private static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(name + " is not set");
        }
        return value;
    }

    private static void check(boolean condition, String what) throws StepFailure {
        if (!condition) {
            throw new StepFailure(what);
        }
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n', '\r', '\t' -> out.append(' ');
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private void emit(String step, boolean ok, String detail) {
        if (!ok) {
            allOk = false;
            failed.add(step);
        }
        String line = "{\"step\": " + quote(step) + ", \"ok\": " + ok + ", \"detail\": "
            + quote(detail.replaceAll("\\s+", " ").trim()) + "}";
        System.out.println(line);
        System.out.flush();
    }

    private static String describe(Exception error) {
        if (error instanceof ApiException api) {
            String body = api.getResponseBody() == null ? "" : api.getResponseBody();
            return "HTTP " + api.getCode() + ": " + body.substring(0, Math.min(300, body.length()));
        }
        return error.getClass().getSimpleName() + ": " + error.getMessage();
    }

    /** Runs one step unless one of {@code needs} failed; returns its value, or null when it failed or was skipped. */
    private <T> T step(String name, List<String> needs, Body<T> body) {
        for (String need : needs) {
            if (failed.contains(need)) {
                emit(name, false, "skipped: " + need + " failed");
                return null;
            }
        }
        try {
            Result<T> result = body.run();
            emit(name, true, result.detail());
            return result.value();
        } catch (Exception error) {
            if (!(error instanceof StepFailure)) {
                error.printStackTrace(System.err);
            }
            emit(name, false, describe(error));
            return null;
        }
    }

    /** SessionMetadata is a oneOf wrapper; its object member is a Map (narrowed with instanceof). */
    private static Object platformOf(SessionMetadata metadata) {
        if (metadata != null && metadata.getActualInstance() instanceof Map<?, ?> map) {
            return map.get("platform");
        }
        return null;
    }

    private static boolean sameNumber(BigDecimal value, int expected) {
        return value != null && value.compareTo(BigDecimal.valueOf(expected)) == 0;
    }

    /** One event of the stream: its name and its data parsed into the generated model named by the spec's $defs. */
    private record Event(String name, BusMessage userMessage, SseChunk chunk, AgentResponse done, SseError error) {}

    private static Event parseEvent(String name, String data) throws IOException {
        return switch (name) {
            case "user_message" -> new Event(name, BusMessage.fromJson(data), null, null, null);
            case "chunk" -> new Event(name, null, SseChunk.fromJson(data), null, null);
            case "done" -> new Event(name, null, null, AgentResponse.fromJson(data), null);
            case "error" -> new Event(name, null, null, null, SseError.fromJson(data));
            default -> new Event(name, null, null, null, null);
        };
    }

    private int run() {
        step("health", List.of(), () -> {
            SessionsHealth health = api.getSessionsHealth();
            check("healthy".equals(health.getStatus()), "status is " + health.getStatus());
            check(health.getActiveSessions() != null, "activeSessions is missing");
            return new Result<>(health, "status healthy, activeSessions " + health.getActiveSessions());
        });

        CreatedSession created = step("create", List.of(), () -> {
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("platform", "consumer-matrix");
            metadata.put("tier", 2);
            ApiResponse<CreatedSession> response = api.createSessionWithHttpInfo(new CreateSessionRequest()
                .agentId(agentId)
                .userId(userId)
                .metadata(metadata)
                .timeoutConfig(new TimeoutConfigInput()
                    .timeoutMinutes(BigDecimal.valueOf(30))
                    .autoRenew(true)
                    .maxDurationMinutes(BigDecimal.valueOf(120))));
            check(response.getStatusCode() == 201, "status " + response.getStatusCode());
            CreatedSession session = response.getData();
            check(session.getSessionId() != null && UUID.matcher(session.getSessionId()).matches(),
                "sessionId " + session.getSessionId());
            check(sameNumber(session.getTimeoutConfig().getTimeoutMinutes(), 30),
                "timeoutMinutes " + session.getTimeoutConfig().getTimeoutMinutes());
            Object platform = platformOf(session.getMetadata());
            check("consumer-matrix".equals(platform), "metadata.platform is " + platform);
            return new Result<>(session, "201, session " + session.getSessionId() + ", metadata.platform consumer-matrix");
        });
        String sessionId = created == null ? "" : created.getSessionId();

        Session got = step("get", List.of("create"), () -> {
            Session session = api.getSession(sessionId);
            check(sessionId.equals(session.getSessionId()), "sessionId " + session.getSessionId());
            check(session.getRenewalCount() != null, "renewalCount is missing");
            Object platform = platformOf(session.getMetadata());
            check("consumer-matrix".equals(platform), "metadata.platform is " + platform);
            Object autoRenew = session.getTimeoutConfig().getAutoRenew() == null
                ? null : session.getTimeoutConfig().getAutoRenew().getActualInstance();
            check(autoRenew instanceof Boolean b && b, "timeoutConfig.autoRenew is " + autoRenew);
            return new Result<>(session, "renewalCount " + session.getRenewalCount()
                + ", metadata.platform consumer-matrix, autoRenew true");
        });

        step("list", List.of("create"), () -> {
            SessionList list = api.listSessions();
            check(list.getSessions().stream().anyMatch(s -> sessionId.equals(s.getSessionId())), "the session is not listed");
            check(list.getTotal() >= 1, "total " + list.getTotal());
            check(list.getStats().getTotalSessions() >= 1, "stats.totalSessions " + list.getStats().getTotalSessions());
            return new Result<>(list, "listed among " + list.getTotal() + ", stats.totalSessions "
                + list.getStats().getTotalSessions());
        });

        SentMessage sent = step("send", List.of("create"), () -> {
            ApiResponse<SentMessage> response = api.sendMessageWithHttpInfo(sessionId, new SendMessageRequest().content("hello"));
            check(response.getStatusCode() == 201, "status " + response.getStatusCode());
            SentMessage result = response.getData();
            check(Boolean.TRUE.equals(result.getSuccess()), "success " + result.getSuccess());
            check("hello".equals(result.getUserMessage().getContent()), "userMessage.content " + result.getUserMessage().getContent());
            check(result.getUserMessage().getCreatedAt() != null, "userMessage.created_at is missing");
            return new Result<>(result, "201, userMessage " + result.getUserMessage().getId() + ", created_at "
                + result.getUserMessage().getCreatedAt());
        });

        step("send_wait", List.of("create"), () -> {
            ApiResponse<SentMessage> response = api.sendMessageWithHttpInfo(sessionId,
                new SendMessageRequest().content("what is 2+2?").transport(SendMessageRequest.TransportEnum.HTTP));
            check(response.getStatusCode() == 201, "status " + response.getStatusCode());
            AgentResponse reply = response.getData().getAgentResponse();
            check(reply != null, "agentResponse is null or absent");
            check(reply.getText() != null && !reply.getText().isEmpty(), "agentResponse.text is empty");
            return new Result<>(reply, "201, agentResponse.text " + quote(reply.getText()));
        });

        // The generated streamMessage() declares its 200 body as String (read whole, then JSON-decoded as a string).
        // The scenario takes the generated streamMessageCall() (the okhttp Call it would run), executes it and reads
        // the body line by line from its okio source, splitting it by hand into event:/data: blocks at blank lines;
        // each data line is parsed with the generated models' fromJson.
        step("send_stream", List.of("create"), () -> {
            okhttp3.Call call = api.streamMessageCall(sessionId,
                new StreamMessageRequest().content("stream please").transport(StreamMessageRequest.TransportEnum.SSE), null);
            List<Event> events = new ArrayList<>();
            try (okhttp3.Response response = call.execute()) {
                check(response.code() == 200, "status " + response.code());
                okhttp3.ResponseBody body = response.body();
                check(body != null, "no body");
                BufferedSource source = body.source();
                String name = "";
                StringBuilder data = new StringBuilder();
                for (;;) {
                    String line = source.readUtf8Line();
                    if (line == null || line.isEmpty()) {
                        if (!name.isEmpty() || data.length() > 0) {
                            events.add(parseEvent(name, data.toString()));
                        }
                        name = "";
                        data.setLength(0);
                        if (line == null) {
                            break;
                        }
                    } else if (line.startsWith("event:")) {
                        name = line.substring("event:".length()).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring("data:".length()).trim());
                    }
                }
            }
            check(events.size() >= 2, "only " + events.size() + " events");
            Event first = events.get(0);
            check("user_message".equals(first.name()) && first.userMessage() != null, "first event is " + first.name());
            check("stream please".equals(first.userMessage().getContent()), "user_message content " + first.userMessage().getContent());
            Event last = events.get(events.size() - 1);
            check("done".equals(last.name()) && last.done() != null, "last event is " + last.name());
            String text = last.done().getText();
            check(text != null && !text.isEmpty(), "done.text is empty");
            List<Event> middle = events.subList(1, events.size() - 1);
            check(middle.stream().allMatch(e -> "chunk".equals(e.name()) && e.chunk() != null), "between them: not only chunk events");
            return new Result<>(events, "hand-parsed SSE from streamMessageCall().execute() (the generated streamMessage() "
                + "gives a String): user_message, " + middle.size() + " chunk, done text " + quote(text));
        });

        MessagePage history = step("history", List.of("create"), () -> {
            MessagePage page = api.listMessages(sessionId, 2, null, null);
            List<Message> messages = page.getMessages();
            check(messages.size() <= 2, messages.size() + " messages");
            for (int i = 1; i < messages.size(); i++) {
                check(!messages.get(i).getCreatedAt().isAfter(messages.get(i - 1).getCreatedAt()), "not newest first");
            }
            check(page.getHasMore() != null, "hasMore is missing");
            check(page.getCursors() != null && page.getCursors().getBefore() != null, "cursors.before is missing");
            return new Result<>(page, messages.size() + " messages, hasMore " + page.getHasMore() + ", cursors.before "
                + page.getCursors().getBefore());
        });

        step("history_before", List.of("history"), () -> {
            OffsetDateTime oldest = history.getMessages().stream().map(Message::getCreatedAt).min(OffsetDateTime::compareTo)
                .orElseThrow(() -> new StepFailure("history was empty"));
            MessagePage page = api.listMessages(sessionId, 50, history.getCursors().getBefore(), null);
            long newer = page.getMessages().stream().filter(m -> !m.getCreatedAt().isBefore(oldest)).count();
            check(newer == 0, newer + " messages not older than " + oldest);
            return new Result<>(page, page.getMessages().size() + " messages, all older than " + oldest);
        });

        step("history_after", List.of("send"), () -> {
            MessagePage page = api.listMessages(sessionId, 50, null, sent.getUserMessage().getCreatedAt() - 1);
            String id = sent.getUserMessage().getId();
            check(page.getMessages().stream().anyMatch(m -> id.equals(m.getId())), "step 5's message is missing");
            return new Result<>(page, page.getMessages().size() + " messages, step 5's message among them");
        });

        step("renew", List.of("get"), () -> {
            ApiResponse<Session> response = api.renewSessionWithHttpInfo(sessionId);
            check(response.getStatusCode() == 200, "status " + response.getStatusCode());
            Session renewed = response.getData();
            check(renewed.getRenewalCount() > got.getRenewalCount(), "renewalCount " + renewed.getRenewalCount());
            return new Result<>(renewed, "renewalCount " + got.getRenewalCount() + " -> " + renewed.getRenewalCount());
        });

        step("heartbeat", List.of("get"), () -> {
            ApiResponse<Session> response = api.sendHeartbeatWithHttpInfo(sessionId);
            check(response.getStatusCode() == 200, "status " + response.getStatusCode());
            OffsetDateTime last = response.getData().getLastActivity();
            check(last != null && !last.isBefore(got.getLastActivity()), "lastActivity " + last + " before " + got.getLastActivity());
            return new Result<>(response.getData(), "lastActivity " + last);
        });

        step("update_timeout", List.of("create"), () -> {
            ApiResponse<Session> response = api.updateSessionTimeoutWithHttpInfo(sessionId,
                new UpdateTimeoutRequest().timeoutMinutes(BigDecimal.valueOf(60)).autoRenew(true));
            check(response.getStatusCode() == 200, "status " + response.getStatusCode());
            BigDecimal minutes = response.getData().getTimeoutConfig().getTimeoutMinutes();
            check(sameNumber(minutes, 60), "timeoutMinutes " + minutes);
            return new Result<>(response.getData(), "timeoutConfig.timeoutMinutes 60");
        });

        step("delete", List.of("create"), () -> {
            ApiResponse<DeletedSession> response = api.deleteSessionWithHttpInfo(sessionId);
            check(response.getStatusCode() == 200, "status " + response.getStatusCode());
            DeletedSession deleted = response.getData();
            check(Boolean.TRUE.equals(deleted.getSuccess()), "success " + deleted.getSuccess());
            check(deleted.getMessage() != null, "message is missing");
            return new Result<>(deleted, "success, " + quote(deleted.getMessage()));
        });

        // okhttp-gson does not deserialize error bodies: ApiException carries the status and the body text, which the
        // generated model's own fromJson reads.
        step("error_404", List.of("delete"), () -> {
            try {
                api.getSession(sessionId);
            } catch (ApiException error) {
                check(error.getCode() == 404, "status " + error.getCode());
                SessionError body = SessionError.fromJson(error.getResponseBody());
                check("SESSION_NOT_FOUND".equals(body.getError().getCode()), "error.code " + body.getError().getCode());
                check(body.getError().getMessage() != null, "error.message is missing");
                return new Result<>(body, "404 SessionError, error.code " + body.getError().getCode());
            }
            throw new StepFailure("the deleted session was found");
        });

        step("error_401", List.of(), () -> {
            try {
                noKeyApi.getSessionsHealth();
            } catch (ApiException error) {
                check(error.getCode() == 401, "status " + error.getCode());
                AuthError body = AuthError.fromJson(error.getResponseBody());
                check("API key required".equals(body.getError()), "error " + body.getError());
                return new Result<>(body, "401 AuthError, error " + quote(body.getError()));
            }
            throw new StepFailure("health answered without the API key");
        });

        return allOk ? 0 : 1;
    }

    public static void main(String[] args) {
        Scenario scenario = new Scenario(env("ELIZA_BASE_URL"), env("ELIZA_API_KEY"), env("ELIZA_AGENT_ID"), env("ELIZA_USER_ID"));
        System.exit(scenario.run());
    }
}
