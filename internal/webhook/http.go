package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/govidu/govidu/internal/config"
)

// HTTPOptions configure webhook delivery. Zero durations and counts take
// the defaults below.
type HTTPOptions struct {
	Endpoint      string   // http(s) URL, required
	Headers       []string // "Name: Value", sent with every POST
	Events        []string // names to send; nil sends every event
	SigningSecret string   // when set, every POST carries X-Govidu-Signature
	TLSVerify     bool     // upstream accepts any certificate; so does govidu unless asked

	Timeout     time.Duration // per attempt (upstream: 10 s)
	MaxAttempts int           // per event, the first included
	Backoff     time.Duration // wait before the first retry; doubles each time
	MaxBackoff  time.Duration
}

// Delivery defaults: 5 attempts, waiting 2, 4, 8 and 16 s between them (30 s
// of backoff plus the attempts themselves) before an event is given up.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMaxAttempts = 5
	DefaultBackoff     = 2 * time.Second
	DefaultMaxBackoff  = 16 * time.Second
)

// SignatureHeader carries the HMAC-SHA256 signature of a POST (see Sign).
const SignatureHeader = "X-Govidu-Signature"

type header struct{ name, value string }

type httpSink struct {
	opts    HTTPOptions
	events  map[string]bool // nil = all
	headers []header
	client  *http.Client
	obs     Observer
	log     *slog.Logger
	now     func() time.Time
}

func newHTTPSink(o HTTPOptions, obs Observer, log *slog.Logger, now func() time.Time) (*httpSink, error) {
	u, err := url.Parse(o.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("webhook endpoint %q is not an http(s) URL", o.Endpoint)
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.MaxBackoff < o.Backoff {
		o.MaxBackoff = max(DefaultMaxBackoff, o.Backoff)
	}
	s := &httpSink{opts: o, obs: obs, log: log, now: now}
	if o.Events != nil {
		s.events = map[string]bool{}
		for _, e := range o.Events {
			s.events[e] = true
		}
	}
	for _, h := range o.Headers {
		name, value, err := config.SplitWebhookHeader(h)
		if err != nil {
			return nil, err
		}
		s.headers = append(s.headers, header{name, value})
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: !o.TLSVerify} //nolint:gosec // upstream compatibility, documented
	transport.MaxIdleConnsPerHost = 1                                         // one worker: one connection
	transport.IdleConnTimeout = 30 * time.Second
	s.client = &http.Client{
		Transport: transport,
		// A POST must not silently turn into a GET on a redirect: a 3xx is
		// an answer other than 200, retried like any other.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return s, nil
}

func (s *httpSink) name() string { return SinkWebhook }

func (s *httpSink) wants(event string) bool { return s.events == nil || s.events[event] }

func (s *httpSink) close() { s.client.CloseIdleConnections() }

// statusError is an answer other than 200.
type statusError struct{ code int }

func (e statusError) Error() string {
	return fmt.Sprintf("endpoint answered HTTP %d, expected 200", e.code)
}

// deliver POSTs r until the endpoint answers 200, retrying I/O errors and
// non-2xx answers with exponential backoff. A 2xx other than 200 means the
// receiver has the event: it is not sent again, but it is reported as a
// failure because OpenVidu's contract (and its users' receivers) say 200.
func (s *httpSink) deliver(ctx context.Context, r Record) outcome {
	body := r.WebhookBody()
	wait := s.opts.Backoff
	for attempt := 1; ; attempt++ {
		err := s.post(ctx, body)
		if err == nil {
			s.log.Debug("webhook event delivered", "event", r.Name, "sessionId", r.SessionID, "attempt", attempt)
			return delivered
		}
		if ctx.Err() != nil {
			return abandoned
		}
		var se statusError
		if errors.As(err, &se) && se.code/100 == 2 {
			s.log.Error("webhook endpoint accepted the event with the wrong status; answer 200", "event", r.Name, "status", se.code)
			return failed
		}
		if attempt >= s.opts.MaxAttempts {
			s.log.Error("webhook event given up", "event", r.Name, "sessionId", r.SessionID,
				"endpoint", s.opts.Endpoint, "attempts", attempt, "err", err)
			return failed
		}
		s.log.Warn("webhook delivery failed; retrying", "event", r.Name, "sessionId", r.SessionID,
			"attempt", attempt, "retryIn", wait, "err", err)
		s.obs.WebhookRetried(SinkWebhook)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return abandoned
		}
		wait = min(wait*2, s.opts.MaxBackoff)
	}
}

func (s *httpSink) post(ctx context.Context, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.opts.Endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for _, h := range s.headers {
		if strings.EqualFold(h.name, "Host") {
			req.Host = h.value
			continue
		}
		req.Header.Set(h.name, h.value)
	}
	req.Header.Set("Content-Type", "application/json")
	if s.opts.SigningSecret != "" {
		req.Header.Set(SignatureHeader, Sign(s.opts.SigningSecret, s.now(), body))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	// Drain a little so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return statusError{resp.StatusCode}
	}
	return nil
}
