package signaling

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/core"
)

// bareSocket is a socket without a connection or goroutines: enough to
// watch what is queued on it.
func bareSocket(t *testing.T, opts Options) (*Server, *socket) {
	t.Helper()
	opts.setDefaults()
	opts.Logger = quietLogger()
	srv := &Server{opts: opts, log: opts.Logger}
	s := newSocket(srv, nil, "127.0.0.1")
	t.Cleanup(s.stopTimers)
	return srv, s
}

func queued(s *socket) []string {
	var out []string
	for {
		select {
		case f := <-s.out:
			out = append(out, string(f))
		default:
			return out
		}
	}
}

// TestNotifierHoldsUntilJoinResult: events reaching a participant before
// its joinRoom result is queued follow the result (pitfall 24).
func TestNotifierHoldsUntilJoinResult(t *testing.T) {
	srv, s := bareSocket(t, Options{})
	p := newParticipant(srv)
	ref := core.SessionRef{ID: "ses_X"}
	p.Notify(core.ParticipantJoined{EventBase: core.EventBase{Session: ref}, Connection: core.ConnectionView{ID: "con_Other00000"}})
	p.Notify(core.SignalSent{EventBase: core.EventBase{Session: ref}, From: "con_Other00000", Type: "signal:a", Data: "1"})
	if got := queued(s); len(got) != 0 {
		t.Fatalf("frames before the join result: %v", got)
	}
	p.connID = "con_Self000000"
	p.attach(s, []byte(`{"jsonrpc":"2.0","id":1,"result":{}}`))
	p.Notify(core.SignalSent{EventBase: core.EventBase{Session: ref}, From: "con_Other00000", Type: "signal:a", Data: "2"})
	got := queued(s)
	want := []string{`"id":1`, `"participantJoined"`, `"data":"1"`, `"data":"2"`}
	if len(got) != len(want) {
		t.Fatalf("queued %v", got)
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Fatalf("frame %d = %s, want it to contain %s", i, got[i], w)
		}
	}
}

// TestWriteQueueOverflow: a client that does not read is disconnected
// instead of blocking whoever notifies it.
func TestWriteQueueOverflow(t *testing.T) {
	_, s := bareSocket(t, Options{WriteQueue: 2})
	if !s.send([]byte("1")) || !s.send([]byte("2")) {
		t.Fatal("queue refused frames below its bound")
	}
	done := make(chan bool)
	go func() { done <- s.send([]byte("3")) }()
	select {
	case ok := <-done:
		if ok {
			t.Fatal("overflowing frame accepted")
		}
	case <-time.After(waitFor):
		t.Fatal("send blocked on a full queue")
	}
	if !errors.Is(context.Cause(s.ctx), errQueueOverflow) {
		t.Fatalf("socket cause %v, want overflow", context.Cause(s.ctx))
	}
	if s.send([]byte("4")) {
		t.Fatal("dead socket accepted a frame")
	}
}

// TestPingWatchdog: a socket that stops pinging for 3 intervals is dead;
// its participant then gets the grace period and leaves as networkDisconnect.
func TestPingWatchdog(t *testing.T) {
	e := newEnv(t, nil, func(o *Options) { o.ReconnectGrace = 50 * time.Millisecond })
	sid := e.session("ses_Watchdog")
	a, b := e.dial("A"), e.dial("B")
	a.join(e.token(sid, core.RolePublisher, ""), "")
	b.join(e.token(sid, core.RolePublisher, ""), "")
	a.expect("participantJoined")
	start := time.Now()
	b.call("ping", map[string]any{"interval": 60}) // B's watchdog now expects a ping every 60 ms
	b.waitClosed()
	if elapsed := time.Since(start); elapsed < 150*time.Millisecond {
		t.Fatalf("socket closed after %v, before 3 intervals", elapsed)
	}
	left := decode[map[string]string](t, a.expect("participantLeft"))
	if left["connectionId"] != b.connID || left["reason"] != "networkDisconnect" {
		t.Fatalf("participantLeft %v", left)
	}
	// A's own pings kept it alive meanwhile (default 5 s interval).
	a.call("ping", nil)
}
