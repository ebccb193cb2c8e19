package signaling

import (
	"encoding/json"
	"testing"

	"github.com/govidu/govidu/internal/core"
)

func decode[T any](t *testing.T, raw json.RawMessage) T {
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
