package openvidu

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// apiPath is where OpenVidu 2.x serves its REST API.
const apiPath = "/openvidu/api"

// maxResponseBytes bounds what the client reads from one answer.
const maxResponseBytes = 32 << 20

// Client talks to one OpenVidu (govidu) server. It is safe for concurrent use.
type Client struct {
	baseURL string // e.g. "http://localhost:4443", no trailing slash
	auth    string // value of the Authorization header
	hc      *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the Client send its requests through hc, e.g. to set
// timeouts, a proxy or TLS settings. The default client times out after 30 s;
// every call also honours its context.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.hc = hc
		}
	}
}

// New returns a Client for the server at serverURL (e.g.
// "https://media.example.org" or "http://localhost:4443") that authenticates
// with secret (OPENVIDU_SECRET). Like the Java client, and unlike the node
// client, New keeps a path in serverURL, for servers behind a path prefix.
func New(serverURL, secret string, opts ...Option) *Client {
	c := &Client{
		baseURL: strings.TrimRight(serverURL, "/"),
		// The node client authenticates preemptively too; the server never has
		// to challenge us.
		auth: "Basic " + base64.StdEncoding.EncodeToString([]byte("OPENVIDUAPP:"+secret)),
		hc:   &http.Client{Timeout: 30 * time.Second},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// call is one REST exchange: method on apiPath+path, an optional JSON body,
// the one status that means success, and where to decode the answer.
type call struct {
	method string
	path   string // below apiPath, segments already escaped
	query  url.Values
	body   any // marshalled to JSON when non-nil
	want   int
	out    any // decoded from the answer when non-nil
}

func (c *Client) do(ctx context.Context, k call) error {
	var body io.Reader
	if k.body != nil {
		b, err := json.Marshal(k.body)
		if err != nil {
			return fmt.Errorf("openvidu: encoding %s %s: %w", k.method, k.path, err)
		}
		body = bytes.NewReader(b)
	}
	path := apiPath + k.path
	target := c.baseURL + path
	if len(k.query) > 0 {
		target += "?" + k.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, k.method, target, body)
	if err != nil {
		return fmt.Errorf("openvidu: %s %s: %w", k.method, path, err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("openvidu: %s %s: %w", k.method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("openvidu: %s %s: reading answer: %w", k.method, path, err)
	}
	if resp.StatusCode != k.want {
		return newHTTPError(k.method, path, resp.StatusCode, raw)
	}
	if k.out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, k.out); err != nil {
		return fmt.Errorf("openvidu: %s %s: decoding answer: %w", k.method, path, err)
	}
	return nil
}

// newHTTPError keeps the server's message when the body is OpenVidu's error
// JSON, and the status text otherwise (upstream often sends no body).
func newHTTPError(method, path string, status int, body []byte) *HTTPError {
	e := &HTTPError{Status: status, Message: http.StatusText(status), Method: method, Path: path}
	var ej struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &ej) == nil && ej.Message != "" {
		e.Message = ej.Message
	}
	return e
}

// seg escapes one path segment (ids are plain, but callers may pass anything).
func seg(s string) string { return url.PathEscape(s) }

// millisTime converts OpenVidu's epoch milliseconds; 0 and null stay the zero Time.
func millisTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

func nullableMillis(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return millisTime(*ms)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// Bool returns a pointer to v, for the optional boolean properties whose
// default is true.
func Bool(v bool) *bool { return &v }

// Int returns a pointer to v, for optional integer properties.
func Int(v int) *int { return &v }
