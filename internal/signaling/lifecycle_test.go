package signaling

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/govidu/govidu/internal/core"
)

// TestSilentSocketDies: without any ping the default interval applies.
func TestSilentSocketDies(t *testing.T) {
	e := newEnv(t, nil, func(o *Options) { o.DefaultPingInterval = 30 * time.Millisecond })
	c := e.dial("C")
	c.waitClosed()
}

// TestMediaReleasedByServer: browsers never unsubscribe when a stream ends
// (pitfall 27); the server frees every PeerConnection itself.
func TestMediaReleasedByServer(t *testing.T) {
	e := newEnv(t, nil)
	sid := e.session("ses_Release")
	a, b, c := e.dial("A"), e.dial("B"), e.dial("C")
	a.join(e.token(sid, core.RolePublisher, ""), "")
	b.join(e.token(sid, core.RolePublisher, ""), "")
	c.join(e.token(sid, core.RolePublisher, ""), "")
	streamA := a.publish()
	streamB := b.publish()
	b.call("receiveVideoFrom", map[string]any{"sender": streamA, "sdpOffer": fakeOffer})
	c.call("receiveVideoFrom", map[string]any{"sender": streamA, "sdpOffer": fakeOffer})
	a.call("receiveVideoFrom", map[string]any{"sender": streamB, "sdpOffer": fakeOffer})
	pubs, subs := e.fake.snapshot()
	if len(pubs) != 2 || len(subs) != 3 {
		t.Fatalf("%d publishers, %d subscribers", len(pubs), len(subs))
	}
	if subs[0].spec.SubscriberID != b.connID || subs[0].publisher != pubs[0] {
		t.Fatal("subscriber bookkeeping")
	}

	a.call("unpublishVideo", map[string]any{})
	eventually(t, "A's publisher and its subscribers closed", func() bool {
		return pubs[0].isClosed() && subs[0].isClosed() && subs[1].isClosed()
	})
	if pubs[1].isClosed() || subs[2].isClosed() {
		t.Fatal("unrelated media closed")
	}

	e.trans.note("A leaves: its subscription to B ends too")
	a.call("leaveRoom", map[string]any{})
	eventually(t, "A's subscription closed", subs[2].isClosed)

	e.trans.note("the REST API closes the session: everything goes")
	if err := e.svc.CloseSession(sid, core.ReasonSessionClosedByServer); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B's publisher closed", pubs[1].isClosed)
	for _, cl := range []*client{b, c} {
		cl.notes = nil
		for {
			m := cl.next()
			if string(m["method"]) == `"participantEvicted"` {
				ev := decode[map[string]string](t, m["params"])
				if ev["connectionId"] == cl.connID {
					if ev["reason"] != "sessionClosedByServer" {
						t.Fatalf("%s evicted with %v", cl.name, ev)
					}
					break
				}
			}
		}
	}
	for _, f := range append(pubs, nil) {
		if f == nil {
			break
		}
		if f.closed != 1 {
			t.Fatalf("publisher closed %d times", f.closed)
		}
	}
}

// TestServerClose: shutting down tells every browser (participantEvicted
// openviduServerStopped), then closes the sockets and stops every goroutine.
func TestServerClose(t *testing.T) {
	e := newEnv(t, nil)
	sid := e.session("ses_Close")
	a, b := e.dial("A"), e.dial("B")
	a.join(e.token(sid, core.RolePublisher, ""), "")
	b.join(e.token(sid, core.RolePublisher, ""), "")
	a.publish()
	idle := e.dial("idle") // never joined

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client{a, b} {
		<-c.closed
		if code := websocket.CloseStatus(c.cerr); code != websocket.StatusGoingAway {
			t.Fatalf("%s: close status %d", c.name, code)
		}
		var last string
		for len(c.frames) > 0 {
			last = string(<-c.frames)
		}
		if last != `{"jsonrpc":"2.0","method":"participantEvicted","params":{"connectionId":"`+c.connID+`","reason":"openviduServerStopped"}}` {
			t.Fatalf("%s: last frame %s", c.name, last)
		}
	}
	if code := idle.waitClosed(); code != websocket.StatusGoingAway {
		t.Fatalf("idle: close status %d", code)
	}
	pubs, _ := e.fake.snapshot()
	if !pubs[0].isClosed() {
		t.Fatal("media left open")
	}
}

// TestConcurrentJoins: participants joining at once each learn about every
// other exactly once, through value[] or participantJoined, and never
// before their own joinRoom result (pitfall 24).
func TestConcurrentJoins(t *testing.T) {
	e := newEnv(t, nil)
	sid := e.session("ses_Crowd")
	const n = 8
	clients := make([]*client, n)
	tokens := make([]string, n)
	for i := range clients {
		clients[i] = e.dial("P")
		tokens[i] = e.token(sid, core.RolePublisher, "")
	}
	e.trans.pause()
	// Every client sends joinRoom at once; results are read afterwards.
	ids := make([]int, n)
	for i, c := range clients {
		ids[i] = c.request("joinRoom", map[string]any{"token": tokens[i], "session": sid, "metadata": ""})
	}
	seen := make([]map[string]int, n)
	for i, c := range clients {
		m := c.next()
		if _, isNote := m["method"]; isNote {
			t.Fatalf("client %d got %s before its joinRoom result", i, m["method"])
		}
		res := decode[map[string]json.RawMessage](t, m["result"])
		c.connID = decode[string](t, res["id"])
		seen[i] = map[string]int{}
		for _, p := range decode[[]participantJSON](t, res["value"]) {
			seen[i][p.ID]++
		}
	}
	for i, c := range clients {
		for len(seen[i]) < n-1 {
			p := decode[participantJSON](t, c.expect("participantJoined"))
			seen[i][p.ID]++
		}
		c.quiet()
		for id, count := range seen[i] {
			if count != 1 || id == c.connID {
				t.Fatalf("client %d saw %s %d times (own id %s)", i, id, count, c.connID)
			}
		}
	}
}
