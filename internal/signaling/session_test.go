package signaling

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/core"
)

func decode[T any](t testing.TB, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

func TestJoinGolden(t *testing.T) {
	e := newEnv(t, nil)
	sid := e.session("ses_Join")
	a, b := e.dial("A"), e.dial("B")

	resA := a.join(e.token(sid, core.RolePublisher, `{"role":"teacher"}`), `{"clientData":"Alice"}`)
	if string(resA["value"]) != "[]" {
		t.Fatalf("value = %s, want []", resA["value"])
	}
	resB := b.join(e.token(sid, core.RoleModerator, ""), `{"clientData":"Bob"}`)
	joined := decode[map[string]json.RawMessage](t, a.expect("participantJoined"))
	if _, hasRole := joined["role"]; hasRole {
		t.Fatal("participantJoined carries role (pitfall 5)")
	}
	value := decode[[]map[string]json.RawMessage](t, resB["value"])
	if len(value) != 1 || string(value[0]["id"]) != `"`+a.connID+`"` {
		t.Fatalf("value = %s", resB["value"])
	}
	if _, ok := value[0]["role"]; ok {
		t.Fatal("remote participant with role (pitfall 5)")
	}
	if _, ok := value[0]["streams"]; ok {
		t.Fatal("streams present for a non-publisher (pitfall 6)")
	}
	if got := string(value[0]["metadata"]); got != `"{\"clientData\":\"Alice\"}%/%{\"role\":\"teacher\"}"` {
		t.Fatalf("metadata = %s (pitfall 39)", got)
	}
	if a.rpcID == "" || a.rpcID == sid || b.rpcID == a.rpcID {
		t.Fatalf("rpc session ids %q %q", a.rpcID, b.rpcID)
	}
	a.quiet()
	b.quiet()
	e.golden("join")
}

// signalParams builds sendMessage params as openvidu-browser does.
func signalParams(t *testing.T, to []string, data, typ string) map[string]any {
	t.Helper()
	if to == nil {
		to = []string{}
	}
	msg, err := json.Marshal(map[string]any{"to": to, "data": data, "type": typ})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{"message": string(msg)}
}

func TestSignalGolden(t *testing.T) {
	e := newEnv(t, nil)
	sid := e.session("ses_Signal")
	a, b := e.dial("A"), e.dial("B")
	a.join(e.token(sid, core.RolePublisher, ""), "Alice")
	b.join(e.token(sid, core.RolePublisher, ""), "Bob")
	a.expect("participantJoined")

	e.trans.note("broadcast: the sender gets its own signal too (pitfall 25)")
	a.call("sendMessage", signalParams(t, nil, "hello", "signal:chat"))
	echo := decode[map[string]string](t, a.expect("sendMessage"))
	if echo["from"] != a.connID || echo["type"] != "signal:chat" || echo["data"] != "hello" {
		t.Fatalf("echo = %v", echo)
	}
	b.expect("sendMessage")

	e.trans.note("targeted")
	a.call("sendMessage", signalParams(t, []string{b.connID}, "psst", "signal:whisper"))
	b.expect("sendMessage")
	a.quiet()

	e.trans.note("REST signal: no from")
	if err := e.svc.Signal(sid, "", nil, "signal:news", "extra"); err != nil {
		t.Fatal(err)
	}
	if got := decode[map[string]json.RawMessage](t, b.expect("sendMessage")); got["from"] != nil {
		t.Fatalf("REST signal with from: %v", got)
	}
	a.expect("sendMessage")

	e.trans.note("errors")
	if err := a.callErr("sendMessage", signalParams(t, []string{"con_Nobody0000"}, "x", "signal:x")); err.Code != 601 {
		t.Fatalf("bad recipient: %d %s", err.Code, err.Message)
	}
	if err := a.callErr("sendMessage", map[string]any{"message": `{"to":[null],"data":"x","type":"signal:x"}`}); err.Code != 601 {
		t.Fatalf("null recipient: %d %s", err.Code, err.Message)
	}
	if err := a.callErr("sendMessage", map[string]any{"message": `{not json`}); err.Code != 600 {
		t.Fatalf("invalid message: %d %s", err.Code, err.Message)
	}
	a.quiet()
	b.quiet()
	e.golden("signal")
}

func TestLeaveGolden(t *testing.T) {
	e := newEnv(t, nil, func(o *Options) { o.LeaveCloseDelay = 200 * time.Millisecond })
	sid := e.session("ses_Leave")
	a, b := e.dial("A"), e.dial("B")
	a.join(e.token(sid, core.RolePublisher, ""), "Alice")
	b.join(e.token(sid, core.RolePublisher, ""), "Bob")
	a.expect("participantJoined")

	b.call("leaveRoom", map[string]any{})
	left := decode[map[string]string](t, a.expect("participantLeft"))
	if left["connectionId"] != b.connID || left["reason"] != "disconnect" {
		t.Fatalf("participantLeft = %v", left)
	}
	e.trans.note("B does not close its socket: the server does, after LeaveCloseDelay")
	if code := b.waitClosed(); code != 1000 {
		t.Fatalf("close status %d", code)
	}
	a.quiet()

	e.trans.note("last participant leaves: the session closes")
	a.call("leaveRoom", map[string]any{})
	eventually(t, "session closed", func() bool { _, err := e.svc.Session(sid); return err != nil })
	a.closeNow()
	e.golden("leave")
}

// TestJoinDetails: client IP from X-Real-IP, customIceServers with url
// (singular, pitfall 36), the legacy TURN fields of older clients taken from
// the first turn: entry, no life (pitfall 15), and
// connectionPropertyChanged when the REST API changes the role.
func TestJoinDetails(t *testing.T) {
	e := newEnv(t, nil)
	sid := e.session("ses_Details")
	props := core.DefaultConnectionProperties()
	props.CustomIceServers = []core.IceServer{{URL: "turn:127.0.0.1:3478", Username: "u1", Credential: "p1"}, {URL: "stun:127.0.0.1:3478"}}
	v, err := e.svc.CreateConnection(sid, props)
	if err != nil {
		t.Fatal(err)
	}
	c := e.dialHeader("A", http.Header{"X-Real-IP": {"203.0.113.7"}})
	res := c.join(v.Token, "")
	if got := string(res["customIceServers"]); got != `[{"url":"turn:127.0.0.1:3478","username":"u1","credential":"p1"},{"url":"stun:127.0.0.1:3478"}]` {
		t.Fatalf("customIceServers %s", got)
	}
	if string(res["coturnIp"]) != `"127.0.0.1"` || string(res["coturnPort"]) != "3478" || string(res["turnUsername"]) != `"u1"` || string(res["turnCredential"]) != `"p1"` {
		t.Fatalf("legacy TURN fields: %s %s %s %s", res["coturnIp"], res["coturnPort"], res["turnUsername"], res["turnCredential"])
	}
	for _, absent := range []string{"life", "edition"} {
		if _, ok := res[absent]; ok {
			t.Fatalf("joinRoom result has %s", absent)
		}
	}
	conn, err := e.svc.Connection(sid, c.connID)
	if err != nil || conn.IP != "203.0.113.7" {
		t.Fatalf("connection IP %q (%v)", conn.IP, err)
	}

	other := e.dial("B")
	other.join(e.token(sid, core.RolePublisher, ""), "")
	c.expect("participantJoined")
	if err := c.callErr("forceDisconnect", map[string]any{"connectionId": other.connID}); err.Code != 401 {
		t.Fatalf("PUBLISHER forceDisconnect: %d", err.Code)
	}
	mod := core.RoleModerator
	if _, err := e.svc.UpdateConnection(sid, c.connID, core.ConnectionPatch{Role: &mod}); err != nil {
		t.Fatal(err)
	}
	if got := decode[map[string]string](t, c.expect("connectionPropertyChanged")); got["property"] != "role" || got["newValue"] != "MODERATOR" {
		t.Fatalf("connectionPropertyChanged %v", got)
	}
	c.call("forceDisconnect", map[string]any{"connectionId": other.connID})
}
