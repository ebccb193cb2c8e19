package signaling

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/core"
)

// redial is the browser's re-dial after a socket loss: a new socket, the
// same request counter and RPC session.
func (c *client) redial() *client {
	c.t.Helper()
	n := c.e.dial(c.name)
	n.nextID, n.connID, n.rpcID, n.session = c.nextID, c.connID, c.rpcID, c.session
	return n
}

// waitGrace waits until the server noticed the socket loss of c.
func (e *env) waitGrace(c *client) {
	e.t.Helper()
	p := e.srv.byRPCID(c.rpcID)
	if p == nil {
		e.t.Fatalf("%s: no RPC session", c.name)
	}
	eventually(e.t, c.name+" in its grace period", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.sock == nil
	})
}

func TestReconnectWithinGraceGolden(t *testing.T) {
	e := newEnv(t, nil, func(o *Options) { o.ReconnectGrace = time.Minute })
	sid := e.session("ses_Reconnect")
	a, b := e.dial("A"), e.dial("B")
	a.join(e.token(sid, core.RolePublisher, ""), "Alice")
	b.join(e.token(sid, core.RolePublisher, ""), "Bob")
	a.expect("participantJoined")
	stream := a.publish()
	b.expect("participantPublished")
	b.call("receiveVideoFrom", map[string]any{"sender": stream, "sdpOffer": fakeOffer})
	createdAt := decode[map[string]json.RawMessage](t, e.srvStream(t, sid, stream))["createdAt"]

	e.trans.note("A's network drops")
	a.closeNow()
	e.waitGrace(a)
	b.call("sendMessage", signalParams(t, nil, "are you there?", "signal:chat"))
	b.expect("sendMessage")
	c := e.dial("C")
	c.join(e.token(sid, core.RolePublisher, ""), "Carol")
	b.expect("participantJoined")

	e.trans.note("A re-dials within the grace period: result first, then what it missed")
	a = a.redial()
	res := decode[map[string]string](t, a.call("connect", map[string]any{"sessionId": a.rpcID, "reconnect": true}))
	if res["value"] != "reconnection successful" || res["sessionId"] != a.rpcID {
		t.Fatalf("connect result %v", res)
	}
	a.expect("sendMessage")
	a.expect("participantJoined")
	a.call("ping", map[string]any{"interval": 5000})

	e.trans.note("publisher media renegotiation keeps the stream id (pitfalls 21, 33)")
	rs := decode[map[string]json.RawMessage](t, a.call("reconnectStream", map[string]any{"stream": stream, "sdpString": fakeOffer}))
	if string(rs["id"]) != `"`+stream+`"` || string(rs["createdAt"]) != string(createdAt) || len(rs["sdpAnswer"]) < 3 {
		t.Fatalf("reconnectStream result %v", rs)
	}
	e.trans.note("subscriber media renegotiation: a new subscriber PeerConnection")
	b.call("reconnectStream", map[string]any{"stream": stream, "sdpOffer": fakeOffer, "forciblyReconnect": false})
	_, subs := e.fake.snapshot()
	if len(subs) != 2 || !subs[0].isClosed() || subs[1].isClosed() {
		t.Fatalf("subscriber PeerConnections after reconnectStream: %d", len(subs))
	}
	a.quiet()
	b.quiet()
	c.quiet()
	e.golden("reconnect")
}

func TestReconnectAfterGraceGolden(t *testing.T) {
	e := newEnv(t, nil, func(o *Options) { o.ReconnectGrace = 100 * time.Millisecond })
	sid := e.session("ses_ReconnectLate")
	a, b := e.dial("A"), e.dial("B")
	a.join(e.token(sid, core.RolePublisher, ""), "Alice")
	b.join(e.token(sid, core.RolePublisher, ""), "Bob")
	a.expect("participantJoined")
	a.publish()
	b.expect("participantPublished")

	e.trans.note("A's network drops and the grace period expires")
	a.closeNow()
	left := decode[map[string]string](t, b.expect("participantLeft"))
	if left["connectionId"] != a.connID || left["reason"] != "networkDisconnect" {
		t.Fatalf("participantLeft %v", left)
	}
	pubs, _ := e.fake.snapshot()
	eventually(t, "publisher media released", pubs[0].isClosed)

	a = a.redial()
	if err := a.callErr("connect", map[string]any{"sessionId": a.rpcID, "reconnect": true}); err.Code != 40007 || err.Message != "reconnection error" {
		t.Fatalf("late connect: %d %s", err.Code, err.Message)
	}
	b.quiet()
	e.golden("reconnectExpired")
}

// srvStream returns the stream object core would show later joiners.
func (e *env) srvStream(t *testing.T, sid, stream string) json.RawMessage {
	t.Helper()
	st, err := e.svc.Stream(sid, stream)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(streamObject(st))
	return b
}
