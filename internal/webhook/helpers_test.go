package webhook_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/core"
)

// quiet discards the logs of services and dispatchers under test; set
// GOVIDU_TEST_LOG to see them.
var quiet = func() *slog.Logger {
	if os.Getenv("GOVIDU_TEST_LOG") != "" {
		return slog.Default()
	}
	return slog.New(slog.DiscardHandler)
}()

// receiver is a local webhook endpoint on 127.0.0.1 that records what it
// accepted (answered 200) in arrival order.
type receiver struct {
	srv *httptest.Server

	mu       sync.Mutex
	accepted []delivery
	requests int
	status   func(n int) int // status for the n-th request (1-based); nil = 200
	hang     chan struct{}   // when non-nil, requests wait until it is closed
	hanging  atomic.Int32    // requests currently waiting on hang
}

type delivery struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	r.srv.Start()
	t.Cleanup(r.srv.Close)
	return r
}

// newReceiverAt starts a receiver on a given address (to end a "connection
// refused" period on the port the sender already uses).
func newReceiverAt(t *testing.T, addr string, status func(n int) int) *receiver {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	r := &receiver{status: status}
	r.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(r.serve)}}
	r.srv.Start()
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) URL() string { return r.srv.URL + "/hook" }

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.requests++
	n, hang, status := r.requests, r.hang, r.status
	r.mu.Unlock()
	if hang != nil {
		r.hanging.Add(1)
		select {
		case <-hang:
		case <-req.Context().Done():
		}
		r.hanging.Add(-1)
	}
	code := http.StatusOK
	if status != nil {
		code = status(n)
	}
	if code == http.StatusOK {
		r.mu.Lock()
		r.accepted = append(r.accepted, delivery{header: req.Header.Clone(), body: body})
		r.mu.Unlock()
	}
	w.WriteHeader(code)
}

func (r *receiver) got() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.accepted...)
}

func (r *receiver) requestCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// names returns the "event" of each accepted body.
func names(t *testing.T, ds []delivery) []string {
	t.Helper()
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprint(decode(t, d.body)["event"])
	}
	return out
}

// decode parses a JSON object keeping numbers exact.
func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("bad JSON %s: %v", b, err)
	}
	return m
}

// keys returns the top-level keys of a JSON object in document order.
func keys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", b)
	}
	var out []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		out = append(out, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
	}
	return out
}

func num(t *testing.T, m map[string]any, key string) int64 {
	t.Helper()
	n, ok := m[key].(json.Number)
	if !ok {
		t.Fatalf("%s is %T (%v), want an integer, in %v", key, m[key], m[key], m)
	}
	v, err := n.Int64()
	if err != nil {
		t.Fatalf("%s = %v is not an integer", key, n)
	}
	return v
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for delay := time.Millisecond; !cond(); delay = min(delay*2, 20*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(delay)
	}
}

// countingObserver records what the dispatcher reports.
type countingObserver struct {
	delivered, failed, dropped, retried atomic.Int64
}

func (o *countingObserver) WebhookDelivered(string) { o.delivered.Add(1) }
func (o *countingObserver) WebhookFailed(string)    { o.failed.Add(1) }
func (o *countingObserver) WebhookDropped(string)   { o.dropped.Add(1) }
func (o *countingObserver) WebhookRetried(string)   { o.retried.Add(1) }

// call drives a small session through a core.Service: the events every test
// below expects, in order, are listed by callEvents.
type call struct {
	svc        *core.Service
	sid        string
	a, b       string // connection ids
	streamA    string
	uniqueID   string
	createdAtM int64
}

var callEvents = []string{
	"sessionCreated",
	"participantJoined", "participantJoined",
	"webrtcConnectionCreated", "webrtcConnectionCreated",
	"signalSent",
	"webrtcConnectionDestroyed", "webrtcConnectionDestroyed", "participantLeft",
	"participantLeft", "sessionDestroyed",
}

func runCall(t *testing.T, svc *core.Service, id string) call {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	props := svc.NewSessionProperties()
	props.CustomSessionID = id
	s, err := svc.CreateSession(props)
	must(err)
	c := call{svc: svc, sid: s.ID, uniqueID: s.UniqueID, createdAtM: s.CreatedAt.UnixMilli()}
	ca, err := svc.CreateConnection(c.sid, core.ConnectionProperties{Data: "server-A"})
	must(err)
	cb, err := svc.CreateConnection(c.sid, core.ConnectionProperties{Data: "server-B"})
	must(err)
	c.a, c.b = ca.ID, cb.ID
	_, err = svc.Join(core.JoinRequest{Token: ca.Token, ClientData: `{"name":"A"}`, Platform: "Chrome 131", IP: "10.0.0.1"})
	must(err)
	_, err = svc.Join(core.JoinRequest{Token: cb.Token, ClientData: "B", Platform: "Firefox 133", IP: "10.0.0.2"})
	must(err)
	st, err := svc.BeginPublish(c.sid, c.a, core.MediaOptions{
		HasAudio: true, HasVideo: true, AudioActive: true, VideoActive: true,
		TypeOfVideo: core.VideoCamera, FrameRate: 30, VideoDimensions: `{"width":640,"height":480}`,
	})
	must(err)
	_, err = svc.CompletePublish(c.sid, c.a, st.ID)
	must(err)
	c.streamA = st.ID
	must(svc.Subscribe(c.sid, c.b, st.ID))
	must(svc.Signal(c.sid, c.a, []string{c.b}, "signal:chat", "hi"))
	must(svc.Leave(c.sid, c.a, core.ReasonDisconnect))
	must(svc.Leave(c.sid, c.b, core.ReasonNetworkDisconnect))
	return c
}
