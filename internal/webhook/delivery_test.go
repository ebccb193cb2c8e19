package webhook_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/webhook"
)

func newService() *core.Service {
	return core.NewService(core.Options{TokenURL: "ws://localhost:4443", Logger: quiet})
}

// fastRetries makes the backoff short enough for tests.
func fastRetries(endpoint string, attempts int) *webhook.HTTPOptions {
	return &webhook.HTTPOptions{
		Endpoint: endpoint, MaxAttempts: attempts,
		Backoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond, Timeout: 2 * time.Second,
	}
}

// A receiver that refuses connections for a while, then answers 500 twice,
// then 200, gets every event exactly once and in order.
func TestFlakyReceiverGetsEveryEventInOrder(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	// Reserve a port with nothing listening on it: connection refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	obs := &countingObserver{}
	d, err := webhook.New(webhook.Options{Webhook: fastRetries("http://"+addr+"/hook", 1000), Observer: obs, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	svc := newService()
	svc.AddListener(d)
	runCall(t, svc, "flaky1")
	eventually(t, 5*time.Second, "retries while the port is closed", func() bool { return obs.retried.Load() >= 3 })
	if obs.delivered.Load() != 0 {
		t.Fatal("delivered with nothing listening")
	}
	rcv := newReceiverAt(t, addr, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	runCall(t, svc, "flaky2")
	want := append(append([]string(nil), callEvents...), callEvents...)
	eventually(t, 10*time.Second, "every event", func() bool { return len(rcv.got()) >= len(want) })
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	rcv.srv.Close()
	svc.Close(context.Background())
	got := rcv.got()
	if !reflect.DeepEqual(names(t, got), want) {
		t.Fatalf("got %v\nwant %v", names(t, got), want)
	}
	for i, d := range got {
		wantSession := "flaky1"
		if i >= len(callEvents) {
			wantSession = "flaky2"
		}
		if s := decode(t, d.body)["sessionId"]; s != wantSession {
			t.Errorf("event %d from %v, want %s", i, s, wantSession)
		}
	}
	if rcv.requestCount() != len(want)+2 || obs.delivered.Load() != int64(len(want)) || obs.failed.Load() != 0 || obs.dropped.Load() != 0 {
		t.Errorf("requests %d delivered %d failed %d dropped %d", rcv.requestCount(), obs.delivered.Load(), obs.failed.Load(), obs.dropped.Load())
	}
}

// Retries are bounded: an endpoint that always fails costs MaxAttempts
// requests per event, then the event is counted as failed and the next one goes.
func TestGivesUpAfterMaxAttempts(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	rcv := newReceiver(t)
	defer rcv.srv.Close()
	rcv.status = func(n int) int {
		if n <= 3 {
			return http.StatusServiceUnavailable // the first event, three times
		}
		return http.StatusOK
	}
	obs := &countingObserver{}
	d, err := webhook.New(webhook.Options{Webhook: fastRetries(rcv.URL(), 3), Observer: obs, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	svc := newService()
	svc.AddListener(d)
	runCall(t, svc, "giveup")
	eventually(t, 5*time.Second, "the rest", func() bool { return len(rcv.got()) == len(callEvents)-1 })
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc.Close(context.Background())
	if got := names(t, rcv.got()); !reflect.DeepEqual(got, callEvents[1:]) {
		t.Fatalf("got %v", got)
	}
	if obs.failed.Load() != 1 || obs.retried.Load() != 2 || obs.delivered.Load() != int64(len(callEvents)-1) {
		t.Errorf("failed %d retried %d delivered %d", obs.failed.Load(), obs.retried.Load(), obs.delivered.Load())
	}
}

// A 2xx other than 200 is not retried (the receiver has the event) but is
// reported as a failure: OpenVidu's contract is 200.
func TestOther2xxIsNotRetried(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	rcv := newReceiver(t)
	defer rcv.srv.Close()
	rcv.status = func(int) int { return http.StatusNoContent }
	obs := &countingObserver{}
	d, err := webhook.New(webhook.Options{Webhook: fastRetries(rcv.URL(), 5), Observer: obs, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	svc := newService()
	svc.AddListener(d)
	runCall(t, svc, "nocontent")
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc.Close(context.Background())
	if rcv.requestCount() != len(callEvents) || obs.failed.Load() != int64(len(callEvents)) || obs.retried.Load() != 0 {
		t.Errorf("requests %d failed %d retried %d", rcv.requestCount(), obs.failed.Load(), obs.retried.Load())
	}
}

// A receiver that hangs: OnEvent never waits, the queue fills, the overflow
// is dropped and counted; after the receiver recovers, what was queued
// arrives in order.
func TestHangingReceiverNeverBlocksAndCountsDrops(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	rcv := newReceiver(t)
	defer rcv.srv.Close()
	rcv.hang = make(chan struct{})
	obs := &countingObserver{}
	const queue = 4
	d, err := webhook.New(webhook.Options{Webhook: fastRetries(rcv.URL(), 2), QueueSize: queue, Observer: obs, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	svc := newService()
	svc.AddListener(d)
	start := time.Now()
	const sessions = 50
	for range sessions {
		props := svc.NewSessionProperties()
		if _, err := svc.CreateSession(props); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("creating %d sessions took %v with a stuck webhook", sessions, took)
	}
	eventually(t, 5*time.Second, "the first POST to hang", func() bool { return rcv.hanging.Load() == 1 })
	// One in flight, the rest waiting or dropped; the queue was full when
	// the drops happened (the worker may have taken the first event before
	// or after the queue filled up).
	dropped, pending := obs.dropped.Load(), int64(d.Pending(webhook.SinkWebhook))
	if dropped+pending+1 != sessions || dropped < sessions-queue-1 || pending < queue-1 {
		t.Errorf("dropped %d, pending %d, of %d with a queue of %d", dropped, pending, sessions, queue)
	}
	close(rcv.hang)
	eventually(t, 5*time.Second, "the queue to drain", func() bool { return obs.delivered.Load()+obs.dropped.Load() == sessions })
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc.Close(context.Background())
	if n := len(rcv.got()); int64(n) != obs.delivered.Load() || n < queue {
		t.Errorf("received %d, delivered %d", n, obs.delivered.Load())
	}
}

// Close delivers what is queued; with an expired deadline it cancels the
// stuck attempt, reports what was lost and stops its goroutines.
func TestCloseFlushesOrGivesUpAtTheDeadline(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	t.Run("flush", func(t *testing.T) {
		rcv := newReceiver(t)
		defer rcv.srv.Close()
		hang := make(chan struct{})
		rcv.hang = hang
		d, err := webhook.New(webhook.Options{Webhook: fastRetries(rcv.URL(), 5), Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		svc := newService()
		svc.AddListener(d)
		runCall(t, svc, "flush")
		eventually(t, 5*time.Second, "a stuck POST", func() bool { return rcv.hanging.Load() == 1 })
		time.AfterFunc(50*time.Millisecond, func() { close(hang) })
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := d.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if got := names(t, rcv.got()); !reflect.DeepEqual(got, callEvents) {
			t.Fatalf("got %v", got)
		}
		svc.Close(context.Background())
	})
	t.Run("deadline", func(t *testing.T) {
		rcv := newReceiver(t)
		defer rcv.srv.Close()
		rcv.hang = make(chan struct{}) // never released: the request context ends it
		obs := &countingObserver{}
		d, err := webhook.New(webhook.Options{Webhook: fastRetries(rcv.URL(), 5), Observer: obs, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		svc := newService()
		svc.AddListener(d)
		runCall(t, svc, "deadline")
		eventually(t, 5*time.Second, "a stuck POST", func() bool { return rcv.hanging.Load() == 1 })
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err = d.Close(ctx)
		if err == nil || !strings.Contains(err.Error(), "not delivered") {
			t.Fatalf("Close: %v", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("Close took %v", took)
		}
		if obs.dropped.Load() != int64(len(callEvents)) {
			t.Errorf("dropped %d", obs.dropped.Load())
		}
		// Events after Close are dropped, never queued.
		svc.Close(context.Background())
		if obs.dropped.Load() != int64(len(callEvents)) {
			t.Errorf("events after Close: dropped %d", obs.dropped.Load())
		}
	})
}

// Configured headers are sent; the filter selects events; the signature verifies.
func TestHeadersFilterAndSignature(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	rcv := newReceiver(t)
	defer rcv.srv.Close()
	opts := fastRetries(rcv.URL(), 5)
	opts.Headers = []string{"Authorization: Basic T1BFTlZJRFVBUFA6TVlfU0VDUkVU", "X-Tenant:blue", "Content-Type: text/plain"}
	opts.Events = []string{"participantJoined", "sessionDestroyed"}
	opts.SigningSecret = "whsec"
	d, err := webhook.New(webhook.Options{Webhook: opts, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	svc := newService()
	svc.AddListener(d)
	runCall(t, svc, "filtered")
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc.Close(context.Background())
	got := rcv.got()
	if n := names(t, got); !reflect.DeepEqual(n, []string{"participantJoined", "participantJoined", "sessionDestroyed"}) {
		t.Fatalf("filtered events %v", n)
	}
	for _, g := range got {
		if g.header.Get("Authorization") != "Basic T1BFTlZJRFVBUFA6TVlfU0VDUkVU" || g.header.Get("X-Tenant") != "blue" ||
			g.header.Get("Content-Type") != "application/json" {
			t.Errorf("headers %v", g.header)
		}
		sig := g.header.Get(webhook.SignatureHeader)
		if err := webhook.Verify("whsec", sig, g.body, time.Minute, time.Now()); err != nil {
			t.Errorf("signature %q: %v", sig, err)
		}
		if err := webhook.Verify("other", sig, g.body, 0, time.Now()); !errors.Is(err, webhook.ErrSignatureMismatch) {
			t.Errorf("wrong secret: %v", err)
		}
	}
}

func TestSignature(t *testing.T) {
	at := time.Unix(1700000000, 0)
	body := []byte(`{"sessionId":"s","event":"sessionCreated"}`)
	sig := webhook.Sign("k", at, body)
	// Computed independently with
	// printf '1700000000.{"sessionId":"s","event":"sessionCreated"}' | openssl dgst -sha256 -hmac k
	if want := "t=1700000000,v1=c456df7377f88c868c59eacabd3bb08a2afde1a09d974a78cc8feda90e462b29"; sig != want {
		t.Fatalf("signature %q, want %q", sig, want)
	}
	cases := []struct {
		header string
		body   []byte
		now    time.Time
		tol    time.Duration
		want   error
	}{
		{sig, body, at.Add(time.Minute), 5 * time.Minute, nil},
		{sig, body, at.Add(time.Hour), 5 * time.Minute, webhook.ErrSignatureExpired},
		{sig, body, at.Add(-time.Hour), 5 * time.Minute, webhook.ErrSignatureExpired},
		{sig, body, at.Add(time.Hour), 0, nil},
		{sig, []byte(`{"sessionId":"t","event":"sessionCreated"}`), at, 0, webhook.ErrSignatureMismatch},
		{strings.Replace(sig, "t=1700000000", "t=1700000001", 1), body, at, 0, webhook.ErrSignatureMismatch},
		{"v1=" + strings.Split(sig, "v1=")[1] + ",t=1700000000", body, at, 0, nil},
		{"t=1700000000,v1=00," + strings.Split(sig, ",")[1], body, at, 0, nil},
		{"t=1700000000", body, at, 0, webhook.ErrSignatureMalformed},
		{"t=x,v1=00", body, at, 0, webhook.ErrSignatureMalformed},
		{"t=1700000000,v1=zz", body, at, 0, webhook.ErrSignatureMalformed},
		{"garbage", body, at, 0, webhook.ErrSignatureMalformed},
	}
	for i, c := range cases {
		if err := webhook.Verify("k", c.header, c.body, c.tol, c.now); !errors.Is(err, c.want) {
			t.Errorf("case %d (%s): %v, want %v", i, c.header, err, c.want)
		}
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for _, o := range []webhook.Options{
		{Webhook: &webhook.HTTPOptions{Endpoint: "ftp://x/y"}},
		{Webhook: &webhook.HTTPOptions{Endpoint: "http://x/y", Headers: []string{"no colon"}}},
		{CDR: &webhook.CDROptions{Dir: "/proc/govidu-cannot-create"}},
	} {
		if d, err := webhook.New(o); err == nil {
			d.Close(context.Background())
			t.Errorf("%+v accepted", o)
		}
	}
}
