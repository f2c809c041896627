// The consumer scenario (scripts/consumers/SCENARIO.md) against the client openapi-generator's `go` generator
// makes from $ELIZA_SPEC. Only the generated package is used to talk to the server; the one hand-written
// parser is for the text/event-stream body, which the generated client returns as a string.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	eliza "example.com/consumer/ogo/gen"
)

type line struct {
	Step   string `json:"step"`
	Ok     bool   `json:"ok"`
	Detail string `json:"detail"`
}

type runner struct {
	failed map[string]bool
	allOk  bool
}

// run prints the step's line; a step whose dependency failed (or was skipped) is skipped.
func (r *runner) run(name string, deps []string, body func() (string, error)) {
	for _, d := range deps {
		if r.failed[d] {
			r.emit(name, false, "skipped: "+d+" failed")
			return
		}
	}
	detail, err := func() (detail string, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return body()
	}()
	if err != nil {
		r.emit(name, false, err.Error())
		return
	}
	r.emit(name, true, detail)
}

func (r *runner) emit(name string, ok bool, detail string) {
	if !ok {
		r.failed[name] = true
		r.allOk = false
	}
	detail = strings.Join(strings.Fields(detail), " ")
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(line{Step: name, Ok: ok, Detail: detail})
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// callErr describes a failed call: the status and the body the server sent.
func callErr(what string, res *http.Response, err error) error {
	status := "no response"
	if res != nil {
		status = res.Status
	}
	var apiErr *eliza.GenericOpenAPIError
	if errors.As(err, &apiErr) {
		return fmt.Errorf("%s: %s: %v: %s", what, status, err, string(apiErr.Body()))
	}
	return fmt.Errorf("%s: %s: %v", what, status, err)
}

func want(cond bool, format string, args ...any) error {
	if cond {
		return nil
	}
	return fmt.Errorf(format, args...)
}

// sseEvent is one parsed `event:`/`data:` block of the stream.
type sseEvent struct {
	name string
	data string
}

// parseSSE splits a whole text/event-stream body into its events (by hand: the generated client gives the
// body as a string).
func parseSSE(body string) []sseEvent {
	var events []sseEvent
	var cur sseEvent
	var data []string
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	flush := func() {
		if cur.name != "" || len(data) > 0 {
			cur.data = strings.Join(data, "\n")
			events = append(events, cur)
		}
		cur, data = sseEvent{}, nil
	}
	for sc.Scan() {
		l := sc.Text()
		switch {
		case l == "":
			flush()
		case strings.HasPrefix(l, ":"):
		case strings.HasPrefix(l, "event:"):
			cur.name = strings.TrimPrefix(strings.TrimPrefix(l, "event:"), " ")
		case strings.HasPrefix(l, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(l, "data:"), " "))
		}
	}
	flush()
	return events
}

func main() {
	base := os.Getenv("ELIZA_BASE_URL")
	agentID := os.Getenv("ELIZA_AGENT_ID")
	userID := os.Getenv("ELIZA_USER_ID")

	cfg := eliza.NewConfiguration()
	cfg.Servers = eliza.ServerConfigurations{{URL: base}}
	cfg.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	client := eliza.NewAPIClient(cfg)
	api := client.SessionsAPI

	ctx := context.WithValue(context.Background(), eliza.ContextAPIKeys,
		map[string]eliza.APIKey{"ApiKeyAuth": {Key: os.Getenv("ELIZA_API_KEY")}})
	noKey := context.Background()

	r := &runner{failed: map[string]bool{}, allOk: true}

	var (
		sessionID  string
		got        *eliza.Session
		sent       *eliza.SentMessage
		history    *eliza.MessagePage
		historyOld time.Time
	)

	r.run("health", nil, func() (string, error) {
		h, res, err := api.GetSessionsHealth(ctx).Execute()
		if err != nil {
			return "", callErr("get_sessions_health", res, err)
		}
		// ActiveSessions is an int32 in the generated type: decoding already proved it an integer.
		return fmt.Sprintf("status=%s activeSessions=%d", h.Status, h.ActiveSessions),
			want(h.Status == "healthy", "status is %q", h.Status)
	})

	r.run("create", nil, func() (string, error) {
		req := eliza.NewCreateSessionRequest(agentID, userID)
		req.SetMetadata(map[string]interface{}{"platform": "consumer-matrix", "tier": 2})
		tc := eliza.NewTimeoutConfigInput()
		tc.SetTimeoutMinutes(30)
		tc.SetAutoRenew(true)
		tc.SetMaxDurationMinutes(120)
		req.SetTimeoutConfig(*tc)
		c, res, err := api.CreateSession(ctx).CreateSessionRequest(*req).Execute()
		if err != nil {
			return "", callErr("create_session", res, err)
		}
		if err := want(res.StatusCode == 201, "status %d", res.StatusCode); err != nil {
			return "", err
		}
		if err := want(uuidRe.MatchString(c.SessionId), "sessionId %q is not a UUID", c.SessionId); err != nil {
			return "", err
		}
		if err := want(c.TimeoutConfig.TimeoutMinutes == 30, "timeoutMinutes %v", c.TimeoutConfig.TimeoutMinutes); err != nil {
			return "", err
		}
		// SessionMetadata is the generated anyOf struct: the object branch is its map pointer.
		m := c.Metadata.MapmapOfStringAny
		if m == nil {
			return "", errors.New("metadata did not narrow to an object")
		}
		if err := want((*m)["platform"] == "consumer-matrix", "metadata.platform = %v", (*m)["platform"]); err != nil {
			return "", err
		}
		sessionID = c.SessionId
		return fmt.Sprintf("201 sessionId=%s timeoutMinutes=%v metadata.platform=%v", c.SessionId,
			c.TimeoutConfig.TimeoutMinutes, (*m)["platform"]), nil
	})

	r.run("get", []string{"create"}, func() (string, error) {
		s, res, err := api.GetSession(ctx, sessionID).Execute()
		if err != nil {
			return "", callErr("get_session", res, err)
		}
		if err := want(s.SessionId == sessionID, "sessionId %q", s.SessionId); err != nil {
			return "", err
		}
		m := s.Metadata.MapmapOfStringAny
		if m == nil || (*m)["platform"] != "consumer-matrix" {
			return "", fmt.Errorf("metadata did not narrow to an object with platform consumer-matrix")
		}
		// autoRenew: the generated NullableTimeoutConfigAutoRenew wrapping the anyOf struct.
		ar := s.TimeoutConfig.AutoRenew.Get()
		if ar == nil || ar.Bool == nil || !*ar.Bool {
			return "", errors.New("timeoutConfig.autoRenew did not narrow to true")
		}
		got = s
		return fmt.Sprintf("renewalCount=%d metadata.platform=%v autoRenew=%v", s.RenewalCount, (*m)["platform"], *ar.Bool), nil
	})

	r.run("list", []string{"create"}, func() (string, error) {
		l, res, err := api.ListSessions(ctx).Execute()
		if err != nil {
			return "", callErr("list_sessions", res, err)
		}
		found := false
		for _, s := range l.Sessions {
			if s.SessionId == sessionID {
				found = true
			}
		}
		if err := want(found, "session not among %d sessions", len(l.Sessions)); err != nil {
			return "", err
		}
		return fmt.Sprintf("total=%d stats.totalSessions=%d", l.Total, l.Stats.TotalSessions),
			want(l.Total >= 1 && l.Stats.TotalSessions >= 1, "total=%d totalSessions=%d", l.Total, l.Stats.TotalSessions)
	})

	r.run("send", []string{"create"}, func() (string, error) {
		m, res, err := api.SendMessage(ctx, sessionID).SendMessageRequest(*eliza.NewSendMessageRequest("hello")).Execute()
		if err != nil {
			return "", callErr("send_message", res, err)
		}
		if err := want(res.StatusCode == 201 && m.Success, "status %d success %v", res.StatusCode, m.Success); err != nil {
			return "", err
		}
		if err := want(m.UserMessage.Content == "hello", "userMessage.content %q", m.UserMessage.Content); err != nil {
			return "", err
		}
		sent = m
		// created_at is an int64 in the generated BusMessage.
		return fmt.Sprintf("201 success=true userMessage.content=hello created_at=%d", m.UserMessage.CreatedAt), nil
	})

	r.run("send_wait", []string{"create"}, func() (string, error) {
		req := eliza.NewSendMessageRequest("what is 2+2?")
		req.SetTransport("http")
		m, res, err := api.SendMessage(ctx, sessionID).SendMessageRequest(*req).Execute()
		if err != nil {
			return "", callErr("send_message", res, err)
		}
		if err := want(res.StatusCode == 201, "status %d", res.StatusCode); err != nil {
			return "", err
		}
		// agentResponse: NullableAgentResponse; Get() is nil for null (or absent), else the object.
		a := m.AgentResponse.Get()
		if a == nil {
			return "", errors.New("agentResponse is null")
		}
		return fmt.Sprintf("201 agentResponse.text=%q", a.GetText()), want(a.GetText() != "", "agentResponse.text is empty")
	})

	r.run("send_stream", []string{"create"}, func() (string, error) {
		body, res, err := api.StreamMessage(ctx, sessionID).
			StreamMessageRequest(*eliza.NewStreamMessageRequest("stream please", "sse")).Execute()
		if err != nil {
			return "", callErr("stream_message", res, err)
		}
		if err := want(res.StatusCode == 200, "status %d", res.StatusCode); err != nil {
			return "", err
		}
		events := parseSSE(body)
		if len(events) == 0 {
			return "", errors.New("no events")
		}
		if events[0].name != "user_message" {
			return "", fmt.Errorf("first event is %q", events[0].name)
		}
		var um eliza.BusMessage
		if err := json.Unmarshal([]byte(events[0].data), &um); err != nil {
			return "", fmt.Errorf("user_message data: %v", err)
		}
		chunks := 0
		for i, ev := range events[1:] {
			last := i == len(events)-2
			switch ev.name {
			case "chunk":
				var c eliza.SseChunk
				if err := json.Unmarshal([]byte(ev.data), &c); err != nil {
					return "", fmt.Errorf("chunk data: %v", err)
				}
				if last {
					return "", errors.New("stream ended on a chunk")
				}
				chunks++
			case "done":
				var d eliza.AgentResponse
				if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
					return "", fmt.Errorf("done data: %v", err)
				}
				if !last {
					return "", errors.New("events after done")
				}
				return fmt.Sprintf("body is a string (generated return type); parsed by hand: user_message(content=%q), %d chunk, done(text=%q)",
					um.Content, chunks, d.GetText()), want(d.GetText() != "", "done.text is empty")
			case "error":
				var e eliza.SseError
				_ = json.Unmarshal([]byte(ev.data), &e)
				return "", fmt.Errorf("error event: %s", e.Error)
			default:
				return "", fmt.Errorf("unexpected event %q", ev.name)
			}
		}
		return "", errors.New("no done event")
	})

	r.run("history", []string{"create"}, func() (string, error) {
		p, res, err := api.ListMessages(ctx, sessionID).Limit(2).Execute()
		if err != nil {
			return "", callErr("list_messages", res, err)
		}
		if err := want(len(p.Messages) <= 2 && len(p.Messages) > 0, "%d messages", len(p.Messages)); err != nil {
			return "", err
		}
		for i := 1; i < len(p.Messages); i++ {
			if p.Messages[i].CreatedAt.After(p.Messages[i-1].CreatedAt) {
				return "", errors.New("messages are not newest first")
			}
		}
		c, ok := p.GetCursorsOk()
		if !ok {
			return "", errors.New("no cursors")
		}
		history = p
		historyOld = p.Messages[len(p.Messages)-1].CreatedAt
		return fmt.Sprintf("%d messages hasMore=%v cursors.before=%d", len(p.Messages), p.HasMore, c.Before), nil
	})

	r.run("history_before", []string{"history"}, func() (string, error) {
		p, res, err := api.ListMessages(ctx, sessionID).Limit(50).Before(history.Cursors.Before).Execute()
		if err != nil {
			return "", callErr("list_messages", res, err)
		}
		for _, m := range p.Messages {
			if !m.CreatedAt.Before(historyOld) {
				return "", fmt.Errorf("message %s at %s is not older than %s", m.Id, m.CreatedAt, historyOld)
			}
		}
		return fmt.Sprintf("%d messages, all older than %s", len(p.Messages), historyOld.Format(time.RFC3339Nano)), nil
	})

	r.run("history_after", []string{"send"}, func() (string, error) {
		p, res, err := api.ListMessages(ctx, sessionID).Limit(50).After(sent.UserMessage.CreatedAt - 1).Execute()
		if err != nil {
			return "", callErr("list_messages", res, err)
		}
		for _, m := range p.Messages {
			if m.Id == sent.UserMessage.Id {
				return fmt.Sprintf("%d messages, step 5's message among them", len(p.Messages)), nil
			}
		}
		return "", fmt.Errorf("step 5's message %s not among %d messages", sent.UserMessage.Id, len(p.Messages))
	})

	r.run("renew", []string{"get"}, func() (string, error) {
		s, res, err := api.RenewSession(ctx, sessionID).Execute()
		if err != nil {
			return "", callErr("renew_session", res, err)
		}
		return fmt.Sprintf("renewalCount %d -> %d", got.RenewalCount, s.RenewalCount),
			want(res.StatusCode == 200 && s.RenewalCount > got.RenewalCount, "status %d renewalCount %d", res.StatusCode, s.RenewalCount)
	})

	r.run("heartbeat", []string{"get"}, func() (string, error) {
		s, res, err := api.SendHeartbeat(ctx, sessionID).Execute()
		if err != nil {
			return "", callErr("send_heartbeat", res, err)
		}
		// lastActivity is a time.Time in the generated type (parsed as a date-time on decoding).
		return fmt.Sprintf("lastActivity=%s", s.LastActivity.Format(time.RFC3339Nano)),
			want(res.StatusCode == 200 && !s.LastActivity.Before(got.LastActivity), "lastActivity %s before %s", s.LastActivity, got.LastActivity)
	})

	r.run("update_timeout", []string{"create"}, func() (string, error) {
		u := eliza.NewUpdateTimeoutRequest()
		u.SetTimeoutMinutes(60)
		u.SetAutoRenew(true)
		s, res, err := api.UpdateSessionTimeout(ctx, sessionID).UpdateTimeoutRequest(*u).Execute()
		if err != nil {
			return "", callErr("update_session_timeout", res, err)
		}
		return fmt.Sprintf("timeoutMinutes=%v", s.TimeoutConfig.TimeoutMinutes),
			want(res.StatusCode == 200 && s.TimeoutConfig.TimeoutMinutes == 60, "status %d timeoutMinutes %v", res.StatusCode, s.TimeoutConfig.TimeoutMinutes)
	})

	r.run("delete", []string{"create"}, func() (string, error) {
		d, res, err := api.DeleteSession(ctx, sessionID).Execute()
		if err != nil {
			return "", callErr("delete_session", res, err)
		}
		return fmt.Sprintf("success=%v message=%q", d.Success, d.Message),
			want(res.StatusCode == 200 && d.Success, "status %d success %v", res.StatusCode, d.Success)
	})

	r.run("error_404", []string{"delete"}, func() (string, error) {
		_, res, err := api.GetSession(ctx, sessionID).Execute()
		if err == nil {
			return "", errors.New("the deleted session was found")
		}
		if res == nil || res.StatusCode != 404 {
			return "", callErr("get_session", res, err)
		}
		// The generated client decodes the 404 body into the spec's SessionError and hands it out through
		// GenericOpenAPIError.Model(), whose static type is interface{}: narrowing it is the only typed way.
		var apiErr *eliza.GenericOpenAPIError
		if !errors.As(err, &apiErr) {
			return "", fmt.Errorf("error is not a GenericOpenAPIError: %v", err)
		}
		se, ok := apiErr.Model().(eliza.SessionError)
		if !ok {
			return "", fmt.Errorf("404 model is %T, not SessionError", apiErr.Model())
		}
		return fmt.Sprintf("404 error.code=%s error.message=%q (SessionError from GenericOpenAPIError.Model())", se.Error.Code, se.Error.Message),
			want(se.Error.Code == "SESSION_NOT_FOUND", "error.code %q", se.Error.Code)
	})

	r.run("error_401", nil, func() (string, error) {
		_, res, err := api.GetSessionsHealth(noKey).Execute()
		if err == nil {
			return "", errors.New("health answered without the API key")
		}
		if res == nil || res.StatusCode != 401 {
			return "", callErr("get_sessions_health", res, err)
		}
		var apiErr *eliza.GenericOpenAPIError
		if !errors.As(err, &apiErr) {
			return "", fmt.Errorf("error is not a GenericOpenAPIError: %v", err)
		}
		ae, ok := apiErr.Model().(eliza.AuthError)
		if !ok {
			return "", fmt.Errorf("401 model is %T, not AuthError", apiErr.Model())
		}
		return fmt.Sprintf("401 error=%q (AuthError from GenericOpenAPIError.Model())", ae.Error),
			want(ae.Error == "API key required", "error %q", ae.Error)
	})

	if !r.allOk {
		os.Exit(1)
	}
}
