// The consumer scenario (scripts/consumers/SCENARIO.md) against the client oapi-codegen v2 makes from
// $ELIZA_SPEC (models + ClientWithResponses). Only the generated package is used to talk to the server; the one
// hand-written parser is for the text/event-stream body, which the generated Client hands over as the raw
// *http.Response (a stream).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	eliza "example.com/consumer/oapicodegen/gen"
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

// callErr describes a failed call.
func callErr(what string, err error) error {
	return fmt.Errorf("%s: %v", what, err)
}

// unexpected describes an answer with another status than the step expects.
func unexpected(what string, status int, body []byte) error {
	return fmt.Errorf("%s: unexpected status %d: %s", what, status, string(body))
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

// readSSE reads a text/event-stream body event by event as it arrives (by hand: the generated Client gives
// the response body as an io.Reader).
func readSSE(body io.Reader, each func(sseEvent) bool) error {
	var cur sseEvent
	var data []string
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	flush := func() bool {
		more := true
		if cur.name != "" || len(data) > 0 {
			cur.data = strings.Join(data, "\n")
			more = each(cur)
		}
		cur, data = sseEvent{}, nil
		return more
	}
	for sc.Scan() {
		l := sc.Text()
		switch {
		case l == "":
			if !flush() {
				return nil
			}
		case strings.HasPrefix(l, ":"):
		case strings.HasPrefix(l, "event:"):
			cur.name = strings.TrimPrefix(strings.TrimPrefix(l, "event:"), " ")
		case strings.HasPrefix(l, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(l, "data:"), " "))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	flush()
	return nil
}

func ptr[T any](v T) *T { return &v }

func main() {
	base := os.Getenv("ELIZA_BASE_URL")
	agentID := os.Getenv("ELIZA_AGENT_ID")
	userID := os.Getenv("ELIZA_USER_ID")
	apiKey := os.Getenv("ELIZA_API_KEY")

	httpClient := &http.Client{Timeout: 60 * time.Second}
	// oapi-codegen generates no security handling: the API key goes on every request through the generated
	// client's own request-editor option.
	withKey := eliza.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("X-API-KEY", apiKey)
		return nil
	})
	c, err := eliza.NewClientWithResponses(base, eliza.WithHTTPClient(httpClient), withKey)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	noKey, err := eliza.NewClientWithResponses(base, eliza.WithHTTPClient(httpClient))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx := context.Background()

	r := &runner{failed: map[string]bool{}, allOk: true}

	var (
		sessionID  eliza.Uuid
		got        *eliza.Session
		sent       *eliza.SentMessage
		history    *eliza.MessagePage
		historyOld time.Time
	)

	r.run("health", nil, func() (string, error) {
		res, err := c.GetSessionsHealthWithResponse(ctx)
		if err != nil {
			return "", callErr("get_sessions_health", err)
		}
		h := res.JSON200
		if h == nil {
			return "", unexpected("get_sessions_health", res.StatusCode(), res.Body)
		}
		// ActiveSessions is an int in the generated type: decoding already proved it an integer.
		return fmt.Sprintf("status=%s activeSessions=%d", h.Status, h.ActiveSessions),
			want(h.Status == "healthy", "status is %q", h.Status)
	})

	r.run("create", nil, func() (string, error) {
		md := eliza.Metadata{"platform": "consumer-matrix", "tier": 2}
		res, err := c.CreateSessionWithResponse(ctx, eliza.CreateSessionRequest{
			AgentId:  agentID,
			UserId:   userID,
			Metadata: &md,
			TimeoutConfig: &eliza.TimeoutConfigInput{
				TimeoutMinutes:     ptr[float32](30),
				AutoRenew:          ptr(true),
				MaxDurationMinutes: ptr[float32](120),
			},
		})
		if err != nil {
			return "", callErr("create_session", err)
		}
		s := res.JSON201
		if s == nil {
			return "", unexpected("create_session", res.StatusCode(), res.Body)
		}
		if err := want(uuidRe.MatchString(s.SessionId), "sessionId %q is not a UUID", s.SessionId); err != nil {
			return "", err
		}
		if err := want(s.TimeoutConfig.TimeoutMinutes == 30, "timeoutMinutes %v", s.TimeoutConfig.TimeoutMinutes); err != nil {
			return "", err
		}
		// SessionMetadata is the generated union; its object branch is SessionMetadata0 (a map).
		m, err := s.Metadata.AsSessionMetadata0()
		if err != nil {
			return "", fmt.Errorf("metadata did not narrow to an object: %v", err)
		}
		if err := want(m["platform"] == "consumer-matrix", "metadata.platform = %v", m["platform"]); err != nil {
			return "", err
		}
		sessionID = s.SessionId
		return fmt.Sprintf("201 sessionId=%s timeoutMinutes=%v metadata.platform=%v", s.SessionId,
			s.TimeoutConfig.TimeoutMinutes, m["platform"]), nil
	})

	r.run("get", []string{"create"}, func() (string, error) {
		res, err := c.GetSessionWithResponse(ctx, sessionID)
		if err != nil {
			return "", callErr("get_session", err)
		}
		s := res.JSON200
		if s == nil {
			return "", unexpected("get_session", res.StatusCode(), res.Body)
		}
		if err := want(s.SessionId == sessionID, "sessionId %q", s.SessionId); err != nil {
			return "", err
		}
		m, err := s.Metadata.AsSessionMetadata0()
		if err != nil || m["platform"] != "consumer-matrix" {
			return "", fmt.Errorf("metadata did not narrow to an object with platform consumer-matrix (%v)", err)
		}
		// autoRenew: a *TimeoutConfig_AutoRenew union (nil for null); its boolean branch is TimeoutConfigAutoRenew0.
		if s.TimeoutConfig.AutoRenew == nil {
			return "", errors.New("timeoutConfig.autoRenew is null")
		}
		ar, err := s.TimeoutConfig.AutoRenew.AsTimeoutConfigAutoRenew0()
		if err != nil || !ar {
			return "", fmt.Errorf("timeoutConfig.autoRenew did not narrow to true (%v)", err)
		}
		got = s
		return fmt.Sprintf("renewalCount=%d metadata.platform=%v autoRenew=%v", s.RenewalCount, m["platform"], ar), nil
	})

	r.run("list", []string{"create"}, func() (string, error) {
		res, err := c.ListSessionsWithResponse(ctx)
		if err != nil {
			return "", callErr("list_sessions", err)
		}
		l := res.JSON200
		if l == nil {
			return "", unexpected("list_sessions", res.StatusCode(), res.Body)
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
		res, err := c.SendMessageWithResponse(ctx, sessionID, eliza.SendMessageRequest{Content: "hello"})
		if err != nil {
			return "", callErr("send_message", err)
		}
		m := res.JSON201
		if m == nil {
			return "", unexpected("send_message", res.StatusCode(), res.Body)
		}
		if err := want(m.Success, "success %v", m.Success); err != nil {
			return "", err
		}
		if err := want(m.UserMessage.Content == "hello", "userMessage.content %q", m.UserMessage.Content); err != nil {
			return "", err
		}
		sent = m
		// created_at is an EpochMillis (int64) in the generated BusMessage.
		return fmt.Sprintf("201 success=true userMessage.content=hello created_at=%d", m.UserMessage.CreatedAt), nil
	})

	r.run("send_wait", []string{"create"}, func() (string, error) {
		transport := eliza.SendMessageRequestTransportHttp
		res, err := c.SendMessageWithResponse(ctx, sessionID, eliza.SendMessageRequest{Content: "what is 2+2?", Transport: &transport})
		if err != nil {
			return "", callErr("send_message", err)
		}
		m := res.JSON201
		if m == nil {
			return "", unexpected("send_message", res.StatusCode(), res.Body)
		}
		// agentResponse: *AgentResponse, nil for null (or absent).
		a := m.AgentResponse
		if a == nil {
			return "", errors.New("agentResponse is null")
		}
		if a.Text == nil || *a.Text == "" {
			return "", errors.New("agentResponse.text is empty")
		}
		return fmt.Sprintf("201 agentResponse.text=%q", *a.Text), nil
	})

	r.run("send_stream", []string{"create"}, func() (string, error) {
		// The plain generated Client returns the *http.Response unread, so the stream is read as it arrives;
		// ClientWithResponses would buffer it into StreamMessageResponse.Body ([]byte) first.
		res, err := c.ClientInterface.StreamMessage(ctx, sessionID, eliza.StreamMessageRequest{
			Content: "stream please", Transport: eliza.StreamMessageRequestTransportSse})
		if err != nil {
			return "", callErr("stream_message", err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 {
			// Not the stream: the generated parser types the JSON error bodies.
			parsed, perr := eliza.ParseStreamMessageResponse(res)
			if perr != nil {
				return "", callErr("stream_message", perr)
			}
			return "", unexpected("stream_message", parsed.StatusCode(), parsed.Body)
		}
		var (
			names   []string
			content string
			text    string
			chunks  int
			failure error
		)
		err = readSSE(res.Body, func(ev sseEvent) bool {
			names = append(names, ev.name)
			switch ev.name {
			case "user_message":
				var um eliza.BusMessage
				if err := json.Unmarshal([]byte(ev.data), &um); err != nil {
					failure = fmt.Errorf("user_message data: %v", err)
					return false
				}
				content = um.Content
			case "chunk":
				var ch eliza.SseChunk
				if err := json.Unmarshal([]byte(ev.data), &ch); err != nil {
					failure = fmt.Errorf("chunk data: %v", err)
					return false
				}
				chunks++
			case "done":
				var d eliza.AgentResponse
				if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
					failure = fmt.Errorf("done data: %v", err)
					return false
				}
				if d.Text != nil {
					text = *d.Text
				}
			case "error":
				var e eliza.SseError
				_ = json.Unmarshal([]byte(ev.data), &e)
				failure = fmt.Errorf("error event: %s", e.Error)
				return false
			default:
				failure = fmt.Errorf("unexpected event %q", ev.name)
				return false
			}
			return true
		})
		if err != nil {
			return "", fmt.Errorf("reading the stream: %v", err)
		}
		if failure != nil {
			return "", failure
		}
		if len(names) < 2 || names[0] != "user_message" || names[len(names)-1] != "done" {
			return "", fmt.Errorf("events out of order: %v", names)
		}
		for _, n := range names[1 : len(names)-1] {
			if n != "chunk" {
				return "", fmt.Errorf("events out of order: %v", names)
			}
		}
		return fmt.Sprintf("body read as a stream (generated Client returns *http.Response); parsed by hand: user_message(content=%q), %d chunk, done(text=%q)",
			content, chunks, text), want(text != "", "done.text is empty")
	})

	r.run("history", []string{"create"}, func() (string, error) {
		res, err := c.ListMessagesWithResponse(ctx, sessionID, &eliza.ListMessagesParams{Limit: ptr(2)})
		if err != nil {
			return "", callErr("list_messages", err)
		}
		p := res.JSON200
		if p == nil {
			return "", unexpected("list_messages", res.StatusCode(), res.Body)
		}
		if err := want(len(p.Messages) <= 2 && len(p.Messages) > 0, "%d messages", len(p.Messages)); err != nil {
			return "", err
		}
		for i := 1; i < len(p.Messages); i++ {
			if p.Messages[i].CreatedAt.After(p.Messages[i-1].CreatedAt) {
				return "", errors.New("messages are not newest first")
			}
		}
		if p.Cursors == nil {
			return "", errors.New("no cursors")
		}
		history = p
		historyOld = p.Messages[len(p.Messages)-1].CreatedAt
		return fmt.Sprintf("%d messages hasMore=%v cursors.before=%d", len(p.Messages), p.HasMore, p.Cursors.Before), nil
	})

	r.run("history_before", []string{"history"}, func() (string, error) {
		res, err := c.ListMessagesWithResponse(ctx, sessionID, &eliza.ListMessagesParams{Limit: ptr(50), Before: &history.Cursors.Before})
		if err != nil {
			return "", callErr("list_messages", err)
		}
		p := res.JSON200
		if p == nil {
			return "", unexpected("list_messages", res.StatusCode(), res.Body)
		}
		for _, m := range p.Messages {
			if !m.CreatedAt.Before(historyOld) {
				return "", fmt.Errorf("message %s at %s is not older than %s", m.Id, m.CreatedAt, historyOld)
			}
		}
		return fmt.Sprintf("%d messages, all older than %s", len(p.Messages), historyOld.Format(time.RFC3339Nano)), nil
	})

	r.run("history_after", []string{"send"}, func() (string, error) {
		after := sent.UserMessage.CreatedAt - 1
		res, err := c.ListMessagesWithResponse(ctx, sessionID, &eliza.ListMessagesParams{Limit: ptr(50), After: &after})
		if err != nil {
			return "", callErr("list_messages", err)
		}
		p := res.JSON200
		if p == nil {
			return "", unexpected("list_messages", res.StatusCode(), res.Body)
		}
		for _, m := range p.Messages {
			if m.Id == sent.UserMessage.Id {
				return fmt.Sprintf("%d messages, step 5's message among them", len(p.Messages)), nil
			}
		}
		return "", fmt.Errorf("step 5's message %s not among %d messages", sent.UserMessage.Id, len(p.Messages))
	})

	r.run("renew", []string{"get"}, func() (string, error) {
		res, err := c.RenewSessionWithResponse(ctx, sessionID)
		if err != nil {
			return "", callErr("renew_session", err)
		}
		s := res.JSON200
		if s == nil {
			return "", unexpected("renew_session", res.StatusCode(), res.Body)
		}
		return fmt.Sprintf("renewalCount %d -> %d", got.RenewalCount, s.RenewalCount),
			want(s.RenewalCount > got.RenewalCount, "renewalCount %d", s.RenewalCount)
	})

	r.run("heartbeat", []string{"get"}, func() (string, error) {
		res, err := c.SendHeartbeatWithResponse(ctx, sessionID)
		if err != nil {
			return "", callErr("send_heartbeat", err)
		}
		s := res.JSON200
		if s == nil {
			return "", unexpected("send_heartbeat", res.StatusCode(), res.Body)
		}
		// lastActivity is a time.Time in the generated type (parsed as a date-time on decoding).
		return fmt.Sprintf("lastActivity=%s", s.LastActivity.Format(time.RFC3339Nano)),
			want(!s.LastActivity.Before(got.LastActivity), "lastActivity %s before %s", s.LastActivity, got.LastActivity)
	})

	r.run("update_timeout", []string{"create"}, func() (string, error) {
		res, err := c.UpdateSessionTimeoutWithResponse(ctx, sessionID, eliza.UpdateTimeoutRequest{
			TimeoutMinutes: ptr[float32](60), AutoRenew: ptr(true)})
		if err != nil {
			return "", callErr("update_session_timeout", err)
		}
		s := res.JSON200
		if s == nil {
			return "", unexpected("update_session_timeout", res.StatusCode(), res.Body)
		}
		return fmt.Sprintf("timeoutMinutes=%v", s.TimeoutConfig.TimeoutMinutes),
			want(s.TimeoutConfig.TimeoutMinutes == 60, "timeoutMinutes %v", s.TimeoutConfig.TimeoutMinutes)
	})

	r.run("delete", []string{"create"}, func() (string, error) {
		res, err := c.DeleteSessionWithResponse(ctx, sessionID)
		if err != nil {
			return "", callErr("delete_session", err)
		}
		d := res.JSON200
		if d == nil {
			return "", unexpected("delete_session", res.StatusCode(), res.Body)
		}
		return fmt.Sprintf("success=%v message=%q", d.Success, d.Message), want(d.Success, "success %v", d.Success)
	})

	r.run("error_404", []string{"delete"}, func() (string, error) {
		res, err := c.GetSessionWithResponse(ctx, sessionID)
		if err != nil {
			return "", callErr("get_session", err)
		}
		// JSON404 is the generated *NotFound (= SessionError), decoded by status.
		e := res.JSON404
		if e == nil {
			return "", unexpected("get_session", res.StatusCode(), res.Body)
		}
		return fmt.Sprintf("404 error.code=%s error.message=%q (JSON404 *SessionError)", e.Error.Code, e.Error.Message),
			want(e.Error.Code == "SESSION_NOT_FOUND", "error.code %q", e.Error.Code)
	})

	r.run("error_401", nil, func() (string, error) {
		res, err := noKey.GetSessionsHealthWithResponse(ctx)
		if err != nil {
			return "", callErr("get_sessions_health", err)
		}
		// JSON401 is the generated *Unauthorized (= AuthError).
		e := res.JSON401
		if e == nil {
			return "", unexpected("get_sessions_health", res.StatusCode(), res.Body)
		}
		return fmt.Sprintf("401 error=%q (JSON401 *AuthError)", e.Error), want(e.Error == "API key required", "error %q", e.Error)
	})

	if !r.allOk {
		os.Exit(1)
	}
}
